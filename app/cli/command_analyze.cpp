// `voirie analyze`: footage + track in, one project GeoPackage out.
#include "cli_support.hpp"
#include "survey_options.hpp"

#include "voirie/core/analysis/analysis_run.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>

namespace voirie::cli {
namespace {

// A progress bar when stderr is a terminal, a plain line every 10 s otherwise.
class ProgressPrinter {
public:
    explicit ProgressPrinter(bool quiet) : quiet_(quiet), terminal_(::isatty(STDERR_FILENO) != 0) {}

    void update(const AnalysisProgress& p)
    {
        if (quiet_)
            return;
        const double every = terminal_ ? 0.25 : 10.0;
        if (p.elapsed_s - last_ < every)
            return;
        last_ = p.elapsed_s;
        const double fraction = p.km_total > 0 ? std::min(1.0, p.km_done / p.km_total) : 0;
        const double fps = p.elapsed_s > 0 ? double(p.frames_done) / p.elapsed_s : 0;
        const double eta = fraction > 0.01 ? p.elapsed_s * (1 - fraction) / fraction : -1;
        char line[200];
        if (terminal_) {
            const int width = 30, filled = int(fraction * width);
            std::string bar(size_t(filled), '#');
            bar += std::string(size_t(width - filled), '.');
            std::snprintf(line, sizeof(line), "\r[%s] %3.0f%%  %.2f of %.2f km  %.1f sampled frames/s  ETA %s   ", bar.c_str(),
                          fraction * 100, p.km_done, p.km_total, fps, eta < 0 ? "?" : formatDuration(eta).c_str());
            drawn_ = true;
        } else {
            std::snprintf(line, sizeof(line), "voirie analyze: %.0f%%, %.2f of %.2f km, %.1f sampled frames/s, ETA %s\n",
                          fraction * 100, p.km_done, p.km_total, fps, eta < 0 ? "?" : formatDuration(eta).c_str());
        }
        std::cerr << line << std::flush;
    }
    void end()
    {
        if (drawn_)
            std::cerr << "\n";
        drawn_ = false;
    }

private:
    static std::string formatDuration(double s)
    {
        char text[32];
        const int total = int(s + 0.5);
        std::snprintf(text, sizeof(text), "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60);
        return text;
    }
    bool quiet_, terminal_;
    bool drawn_ = false;
    double last_ = -1e9;
};

} // namespace

int runAnalyze(const CommandLine& cl)
{
    po::options_description options("options");
    addSurveyOptions(options);
    addPluginDirOption(options);
    options.add_options()
        ("plugins", po::value<std::string>(), "comma-separated detector plugin ids (default: the detectors marked default, see voirie plugins)")
        ("param", po::value<std::vector<std::string>>()->composing(), "plugin parameter PLUGIN_ID.NAME=VALUE (repeatable)")
        ("threads", po::value<int>()->default_value(0), "detection worker threads, and as many threads anonymizing evidence chips (0: one per core)")
        ("watts-per-core", po::value<double>()->default_value(12.0), "power of one busy core, for the energy estimate "
                                                                     "(default: Green Algorithms' figure for an unknown CPU)")
        ("grid-gco2e-per-kwh", po::value<double>()->default_value(33.0), "carbon intensity of the electricity, for the "
                                                                         "emissions estimate (default: France 2024, Electricity Maps)")
        ("pue", po::value<double>()->default_value(1.0), "power usage effectiveness (1 for a desktop or laptop; about 1.67 in a data centre)")
        ("range-m", po::value<double>()->default_value(25.0), "project nothing farther ahead than this many metres")
        ("merge-m", po::value<double>()->default_value(0.75), "detections of one class closer than this on the road are one damage")
        ("min-frames", po::value<int>()->default_value(2), "keep a damage only when at least this many frames saw it")
        ("anonymizers", po::value<std::string>(), "comma-separated anonymizer ids blurring faces and plates in evidence images "
                                                  "(default: every usable anonymizer)")
        ("no-anonymize", "write evidence images without blurring faces and licence plates (not for sharing; recorded in the project)")
        ("chips-dir", po::value<std::string>(), "also write each damage's evidence chip as a JPEG file in this folder")
        ("ortho", po::value<std::string>(), "also write the road surface mosaic (a Cloud Optimized GeoTIFF, as voirie ortho) "
                                            "from the frames as they are decoded")
        ("ortho-resolution-m", po::value<double>()->default_value(0.02), "with --ortho: ground size of a pixel")
        ("ortho-range-m", po::value<std::string>()->default_value("3..15"), "with --ortho: NEAR..FAR metres of each frame warped")
        ("ortho-crs", po::value<std::string>(), "with --ortho: its projected CRS (default: the survey's UTM zone)")
        ("ortho-anonymize", "with --ortho: also blur faces and plates the anonymizers find in each frame's road band "
                            "(what stands above the road is left out anyway; costs about 0.4 CPU-s a frame)")
        ("out", po::value<std::string>()->required(), "the project GeoPackage to write (PROJECT.gpkg)")
        ("resume", "continue an interrupted run of --out from its last committed frame")
        ("overwrite", "replace --out if it exists")
        ("allow-partial", "exit 0 even when the footage could not all be decoded or placed on the track (the project still records it as partial)")
        ("json", "print the final summary as JSON on stdout")
        ("quiet", "no progress and no summary on stderr");
    po::variables_map vm;
    if (!parseOptions(cl,
                      "analyze --video V [--video V2 ...] | --photos DIR  [--track T] [--camera C] [--time-offset S|auto] "
                      "[--video-start T] [--every-m 3] [--plugins a,b] [--param id.key=value] [--threads N] "
                      "--out PROJECT.gpkg [--ortho SURFACE.tif] [--resume] [--overwrite] [--quiet] [--anonymizers id,...] [--no-anonymize]",
                      options, {}, vm))
        return kExitOk;

    AnalysisOptions o;
    o.ingest = ingestOptionsFrom(vm);
    o.out = vm["out"].as<std::string>();
    if (vm.count("plugin-dir"))
        for (const auto& d : vm["plugin-dir"].as<std::vector<std::string>>()) {
            std::error_code ec;
            if (!std::filesystem::is_directory(d, ec))
                throw RuntimeError("plugin folder " + d + " does not exist or is not a folder");
            o.plugin_dirs.emplace_back(d);
        }
    if (vm.count("plugins"))
        o.plugins = splitList(vm["plugins"].as<std::string>());
    auto overrides = parseParameterOverrides(
        vm.count("param") ? vm["param"].as<std::vector<std::string>>() : std::vector<std::string>{});
    if (!overrides)
        throw UsageError(overrides.error());
    o.parameters = *overrides;
    o.threads = vm["threads"].as<int>();
    o.footprint.watts_per_core = vm["watts-per-core"].as<double>();
    o.footprint.grid_gco2e_per_kwh = vm["grid-gco2e-per-kwh"].as<double>();
    o.footprint.pue = vm["pue"].as<double>();
    if (!(o.footprint.watts_per_core > 0 && o.footprint.watts_per_core < 1000) ||
        !(o.footprint.grid_gco2e_per_kwh >= 0 && o.footprint.grid_gco2e_per_kwh < 5000) || !(o.footprint.pue >= 1 && o.footprint.pue < 5))
        throw UsageError("--watts-per-core must be in (0, 1000), --grid-gco2e-per-kwh in [0, 5000) and --pue in [1, 5)");
    o.max_range_m = vm["range-m"].as<double>();
    o.tracking.merge_m = vm["merge-m"].as<double>();
    o.tracking.min_frames = vm["min-frames"].as<int>();
    if (o.threads < 0 || !(o.max_range_m > 0) || !(o.tracking.merge_m >= 0) || o.tracking.min_frames < 1)
        throw UsageError("--threads must be >= 0, --range-m > 0, --merge-m >= 0 and --min-frames >= 1");
    if (vm.count("chips-dir"))
        o.chips_dir = vm["chips-dir"].as<std::string>();
    o.anonymize = vm.count("no-anonymize") == 0;
    if (vm.count("anonymizers")) {
        if (!o.anonymize)
            throw UsageError("--anonymizers and --no-anonymize contradict each other: choose one");
        o.anonymizers = splitList(vm["anonymizers"].as<std::string>());
    }
    if (vm.count("ortho")) {
        o.ortho = vm["ortho"].as<std::string>();
        o.surface.resolution_m = vm["ortho-resolution-m"].as<double>();
        if (!(o.surface.resolution_m >= 0.005 && o.surface.resolution_m <= 1))
            throw UsageError("--ortho-resolution-m must be between 0.005 and 1 metre per pixel");
        if (auto s = parseSurfaceRange(vm["ortho-range-m"].as<std::string>(), o.surface); !s)
            throw UsageError("--ortho-" + s.error().substr(2));
        if (vm.count("ortho-crs"))
            o.surface.crs = vm["ortho-crs"].as<std::string>();
        o.ortho_anonymize = vm.count("ortho-anonymize") != 0;
        if (o.ortho_anonymize && !o.anonymize)
            throw UsageError("--ortho-anonymize and --no-anonymize contradict each other: choose one");
    } else if (vm.count("ortho-anonymize")) {
        throw UsageError("--ortho-anonymize goes with --ortho SURFACE.tif");
    }
    o.resume = vm.count("resume") != 0;
    o.overwrite = vm.count("overwrite") != 0;
    if (o.resume && o.overwrite)
        throw UsageError("--resume and --overwrite contradict each other: choose one");
    o.command_line = commandLineText(cl);
    const bool quiet = vm.count("quiet") != 0;

    ProgressPrinter printer(quiet);
    AnalysisHooks hooks;
    hooks.progress = [&](const AnalysisProgress& p) { printer.update(p); };
    hooks.warning = [&](const std::string& s) {
        printer.end();
        std::cerr << "voirie analyze: " << s << "\n";
    };
    auto summary = [&] {
        const InterruptFlag interrupt;
        hooks.cancel = interrupt.flag();
        return runAnalysis(o, hooks);
    }();
    printer.end();
    if (!summary)
        throw RuntimeError(summary.error());

    if (vm.count("json"))
        std::cout << summary->toJson().dump() << "\n";
    if (!quiet) {
        std::cerr << summaryText(summary->ingest) << summary->toText();
        if (summary->interrupted)
            std::cerr << "voirie analyze: interrupted; the work so far is in " << summary->project.string()
                      << " — run the same command with --resume to continue\n";
        else
            std::cerr << "wrote " << summary->project.string() << (summary->partial() ? " (status partial)" : "") << "\n";
    }
    if (summary->interrupted)
        return 130;
    if (summary->partial() && vm.count("allow-partial") == 0) {
        // Said even with --quiet: a partial survey must never pass for a complete one.
        std::cerr << "voirie analyze: the survey is PARTIAL: " << summary->ingest.incompleteness().front()
                  << "; the project records it as partial (pass --allow-partial to accept it with exit 0)\n";
        return kExitFailure;
    }
    return kExitOk;
}

} // namespace voirie::cli
