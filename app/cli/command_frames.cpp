// `voirie frames`: the georeferenced, sampled frames of a survey.
#include "cli_support.hpp"
#include "survey_options.hpp"

#include "voirie/core/base/time_format.hpp"
#include "voirie/core/calibration/clock_alignment.hpp"
#include "voirie/core/project/frames_geopackage.hpp"

#include <iomanip>
#include <iostream>

namespace voirie::cli {

int runFrames(const CommandLine& cl)
{
    po::options_description options("options");
    addSurveyOptions(options);
    options.add_options()
        ("json", "print {\"frames\":[...],\"summary\":{...}}")
        ("out", po::value<std::string>(), "write the track (lines) and frames (points) layers to this GeoPackage")
        ("overwrite", "replace --out if it exists");
    po::variables_map vm;
    if (!parseOptions(cl,
                      "frames --video V [--video V2 ...] | --photos DIR  [--track T] [--time-offset S|auto] [--video-start T] "
                      "[--every-m M] [--camera C] [--json | --out frames.gpkg]",
                      options, {}, vm))
        return kExitOk;
    auto ingest = resolveTimeOffset(ingestOptionsFrom(vm));
    if (!ingest)
        throw RuntimeError(ingest.error());
    auto reader = SurveyReader::open(*ingest);
    if (!reader)
        throw RuntimeError(reader.error());

    const bool as_json = vm.count("json") != 0;
    std::vector<GeoFrame> frames;
    if (!as_json && !vm.count("out"))
        std::cout << "index  file  time  pts_ms  lon  lat  heading_deg  speed_mps  chainage_m\n";
    while (auto frame = (*reader)->next()) {
        frame->image.release(); // only positions are needed here
        if (!as_json && !vm.count("out"))
            std::cout << std::fixed << std::setprecision(7) << frame->index << "  " << frame->file.filename().string()
                      << "  " << formatIso8601(frame->time) << "  " << std::setprecision(1) << frame->pts_ms << "  "
                      << std::setprecision(7) << frame->lon << "  " << frame->lat << "  " << std::setprecision(1)
                      << frame->heading_deg << "  " << std::setprecision(2) << frame->speed_mps << "  "
                      << frame->chainage_m << "\n";
        frames.push_back(std::move(*frame));
    }
    const IngestSummary& summary = (*reader)->summary();
    for (const auto& v : summary.videos)
        if (v.frames_decoded == 0)
            throw RuntimeError("video " + v.path.string() + " has no frames that can be decoded");
    if (frames.empty())
        throw RuntimeError("no frame could be positioned on the track; " + summaryText(summary));
    if (vm.count("out")) {
        auto written = writeFramesGeoPackage(vm["out"].as<std::string>(), (*reader)->track(), frames, vm.count("overwrite"));
        if (!written)
            throw RuntimeError(written.error());
    }
    const bool partial = !summary.incompleteness().empty();
    if (as_json) {
        nlohmann::ordered_json out;
        auto& list = out["frames"] = nlohmann::ordered_json::array();
        for (const auto& f : frames)
            list.push_back({{"index", f.index},
                            {"file", f.file.string()},
                            {"time", formatIso8601(f.time)},
                            {"pts_ms", f.pts_ms},
                            {"lon", f.lon},
                            {"lat", f.lat},
                            {"heading_deg", f.heading_deg},
                            {"speed_mps", f.speed_mps},
                            {"chainage_m", f.chainage_m}});
        out["summary"] = summaryJson(summary);
        std::cout << out.dump() << "\n";
    } else {
        std::cerr << summaryText(summary);
        if (vm.count("out"))
            std::cerr << "wrote " << frames.size() << " frames and the track to " << vm["out"].as<std::string>() << "\n";
    }
    if (partial) {
        std::cerr << "voirie frames: the footage could not all be used: " << summary.incompleteness().front()
                  << "; the frames that could be were used\n";
        return kExitFailure;
    }
    return kExitOk;
}

} // namespace voirie::cli
