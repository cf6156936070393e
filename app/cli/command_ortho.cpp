// `voirie ortho`: the road surface of an analysed project as one georeferenced image (COG).
#include "cli_support.hpp"

#include "voirie/core/plugin_host/anonymizer_set.hpp"
#include "voirie/core/surface/project_surface.hpp"

#include <cstdio>
#include <iostream>

namespace voirie::cli {
namespace {

std::string surfaceText(const SurfaceSummary& s)
{
    char line[512];
    std::snprintf(line, sizeof line,
                  "%s: %d x %d px at %.3g m per pixel in %s, %d overviews, %lld tiles of pavement, %.1f MB\n"
                  "frames: %lld warped, %lld registered to the frame before; positions moved by %.2f m on average "
                  "(at most %.2f m) from the GPS\n"
                  "seams between consecutive frames: median %.3f m (95%%: %.3f m) with the GPS positions, "
                  "%.3f m (95%%: %.3f m) after registration\n",
                  s.path.string().c_str(), s.width, s.height, s.resolution_m, s.crs.size() < 40 ? s.crs.c_str() : "its CRS",
                  s.overviews, (long long)s.tiles_written, double(s.bytes) / 1e6, (long long)s.frames,
                  (long long)s.frames_registered, s.mean_correction_m, s.max_correction_m, s.seams_before.median_m,
                  s.seams_before.p95_m, s.seams_after.median_m, s.seams_after.p95_m);
    std::string text = line;
    std::snprintf(line, sizeof line,
                  "privacy: %.1f%% of the frames' road pixels left out, as no neighbouring frame saw them alike (what "
                  "stands above the road or moved: vehicles, people; and the drive's ends)",
                  100 * s.left_out_share);
    text += line;
    if (!s.anonymized_by.empty()) {
        std::snprintf(line, sizeof line, "; %lld faces and plates blurred in the road bands before warping", (long long)s.regions_blurred);
        text += line;
        if (s.bands_blurred_whole > 0)
            text += "; " + std::to_string(s.bands_blurred_whole) + " bands blurred whole (an anonymizer failed on them)";
    }
    text += "\n";
    if (s.left_out_share > 0.15) {
        std::snprintf(line, sizeof line,
                      "note: the frames are %.1f m apart (median), and the road mask keeps only ground that two frames "
                      "saw alike: analyse with --every-m %.0f or less, or widen --range-m, for a whole surface\n",
                      s.median_step_m, std::max(1.0, std::floor(0.45 * (s.far_m - s.near_m))));
        text += line;
    }
    return text;
}

void addSurfaceOptions(po::options_description& options)
{
    options.add_options()
        ("resolution-m", po::value<double>()->default_value(0.02), "ground size of a pixel of the surface")
        ("range-m", po::value<std::string>()->default_value("3..15"), "the part of each frame warped: NEAR..FAR metres ahead")
        ("half-width-m", po::value<double>()->default_value(4.0), "and this far either side of the camera's line (the road "
                                                                  "it drives on; beyond is left transparent)")
        ("crs", po::value<std::string>(), "the surface's projected CRS, e.g. EPSG:2154 (default: the survey's UTM zone)")
        ("no-register", "place frames by their GPS positions only (no frame-to-frame registration)")
        ("gps-sigma-m", po::value<double>()->default_value(2.0), "how far the track's positions may be off: registered "
                                                                 "motions win over stretches the longer the larger it is "
                                                                 "(a consumer receiver: 2; RTK: 0.05)")
        ("motion-sigma-m", po::value<double>()->default_value(0.1, "0.1"), "the error of one registered frame-to-frame motion")
        ("quality", po::value<int>()->default_value(85), "JPEG quality of the tiles (1-100)");
}

SurfaceOptions surfaceOptionsFrom(const po::variables_map& vm)
{
    SurfaceOptions o;
    o.resolution_m = vm["resolution-m"].as<double>();
    if (auto s = parseSurfaceRange(vm["range-m"].as<std::string>(), o); !s)
        throw UsageError(s.error());
    o.half_width_m = vm["half-width-m"].as<double>();
    if (vm.count("crs"))
        o.crs = vm["crs"].as<std::string>();
    o.register_frames = !vm.count("no-register");
    o.quality = vm["quality"].as<int>();
    o.gps_sigma_m = vm["gps-sigma-m"].as<double>();
    o.motion_sigma_m = vm["motion-sigma-m"].as<double>();
    if (!(o.gps_sigma_m > 0 && o.gps_sigma_m <= 100) || !(o.motion_sigma_m > 0 && o.motion_sigma_m <= 10))
        throw UsageError("--gps-sigma-m and --motion-sigma-m must be positive (metres)");
    if (!(o.resolution_m >= 0.005 && o.resolution_m <= 1))
        throw UsageError("--resolution-m must be between 0.005 and 1 metre per pixel");
    if (!(o.half_width_m > 0.5 && o.half_width_m <= 30))
        throw UsageError("--half-width-m must be between 0.5 and 30 metres");
    if (o.quality < 1 || o.quality > 100)
        throw UsageError("--quality must be between 1 and 100");
    return o;
}

} // namespace

int runOrtho(const CommandLine& cl)
{
    po::options_description options("options");
    options.add_options()
        ("project", po::value<std::string>(), "the analysed project (voirie analyze)")
        ("out", po::value<std::string>(), "SURFACE.tif to write: a Cloud Optimized GeoTIFF")
        ("overwrite", "replace an existing --out")
        ("json", "print the summary as JSON")
        ("quiet", "print nothing on success")
        ("align-damages", "also move the project's damages by the registration's correction of the frames that saw "
                          "them, so that they lie on the surface where the footage shows them (recorded in the run; "
                          "aligning again replaces the earlier shift)")
        ("anonymize", "also blur the faces and plates the anonymizers find in each frame's road band before it is warped "
                      "(what stands above the road is left out anyway; costs about 0.4 CPU-s a frame)")
        ("anonymizers", po::value<std::string>(), "with --anonymize: comma-separated anonymizer ids (default: every usable one)")
        ("param", po::value<std::vector<std::string>>()->composing(), "anonymizer parameter PLUGIN_ID.NAME=VALUE (repeatable)");
    addPluginDirOption(options);
    addSurfaceOptions(options);
    po::positional_options_description positional;
    positional.add("project", 1);
    po::variables_map vm;
    if (!parseOptions(cl, "ortho PROJECT.gpkg --out SURFACE.tif [--resolution-m 0.02] [--range-m 3..15] [--crs EPSG:XXXX] "
                          "[--overwrite] [--json]",
                      options, positional, vm))
        return kExitOk;
    if (!vm.count("project"))
        throw UsageError("which project? voirie ortho PROJECT.gpkg --out SURFACE.tif");
    if (!vm.count("out"))
        throw UsageError("--out SURFACE.tif is required");
    SurfaceOptions o = surfaceOptionsFrom(vm);
    if (vm.count("align-damages") && !o.register_frames)
        throw UsageError("--align-damages moves the damages by the registration, which --no-register turns off: choose one");
    o.overwrite = vm.count("overwrite") != 0;
    std::optional<AnonymizerSet> anonymizer;
    if (vm.count("anonymize")) {
        auto opened = openAnonymizers(vm);
        if (!opened)
            throw RuntimeError(opened.error() + " (install opencv-data for the built-in cascade-anonymizer, or leave out "
                                                "--anonymize: the road mask alone leaves out what stands above the road)");
        anonymizer = std::move(*opened);
    } else if (vm.count("anonymizers") || vm.count("param")) {
        throw UsageError("--anonymizers and --param choose the anonymizers of --anonymize: add it");
    }
    const bool quiet = vm.count("quiet") || vm.count("json");
    ProjectSurfaceHooks hooks;
    const InterruptFlag interrupt;
    hooks.cancel = interrupt.flag();
    if (!quiet)
        hooks.progress = [](int64_t done, int64_t total) {
            if (done % 50 == 0 || done == total)
                std::cerr << "\rframes " << done << " / " << total << std::flush;
        };
    auto summary = buildProjectSurface(vm["project"].as<std::string>(), vm["out"].as<std::string>(), o,
                                       anonymizer ? &*anonymizer : nullptr, hooks);
    if (!quiet)
        std::cerr << "\n";
    if (!summary)
        throw RuntimeError(summary.error());
    std::optional<DamageAlignment> aligned;
    if (vm.count("align-damages")) {
        auto done = alignDamagesToSurface(vm["project"].as<std::string>(), summary->frame_shifts);
        if (!done)
            throw RuntimeError("the surface " + summary->path.string() + " was written, but " + done.error());
        aligned = *done;
    }
    if (vm.count("json")) {
        auto json = summary->toJson();
        if (aligned)
            json["damages_aligned"] = aligned->toJson();
        std::cout << json.dump(2) << "\n";
    } else if (!vm.count("quiet")) {
        std::cout << surfaceText(*summary);
        if (aligned)
            std::printf("damages: %lld moved onto the registered surface, by %.2f m on average (at most %.2f m)\n",
                        (long long)aligned->damages_moved, aligned->mean_shift_m, aligned->max_shift_m);
    }
    return kExitOk;
}

} // namespace voirie::cli
