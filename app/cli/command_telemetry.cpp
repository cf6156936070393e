// `voirie telemetry`: the GPS recorded inside videos (GoPro GPMF, Novatek and 70mai boxes, NMEA
// text tracks), written out as a track file with what was read and dropped.
#include "cli_support.hpp"

#include "voirie/core/base/time_format.hpp"
#include "voirie/core/export/track_export.hpp"
#include "voirie/core/ingest/camera_metadata.hpp"
#include "voirie/core/ingest/video_gps_source.hpp"

#include <iostream>

namespace voirie::cli {

int runTelemetry(const CommandLine& cl)
{
    po::options_description options("options");
    options.add_options()
        ("video", po::value<std::vector<std::string>>()->composing(), "a video; several in order for the chapters of one recording")
        ("out", po::value<std::string>(), "track file to write: .gpx, .gpkg, .geojson or .csv")
        ("max-dop", po::value<double>()->default_value(5.0), "fixes with a dilution of precision above this are dropped (GoPro GPSP 500)")
        ("overwrite", "replace --out if it exists")
        ("json", "print the summary as JSON");
    po::positional_options_description positional;
    positional.add("video", -1);
    po::variables_map vm;
    if (!parseOptions(cl, "telemetry VIDEO [VIDEO ...] [--out track.gpx|.gpkg|.geojson|.csv] [--max-dop D] [--json]",
                      options, positional, vm))
        return kExitOk;
    if (!vm.count("video"))
        throw UsageError("give the video(s) whose GPS to read");
    std::vector<std::filesystem::path> videos;
    for (const auto& v : vm["video"].as<std::vector<std::string>>()) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(v, ec))
            throw RuntimeError("video " + v + " does not exist or is not a file");
        videos.emplace_back(v);
    }
    TelemetryOptions telemetry;
    telemetry.max_dop = vm["max-dop"].as<double>();
    if (!(telemetry.max_dop > 0))
        throw UsageError("--max-dop must be above 0");
    auto gps = readVideoGps(videos, telemetry);
    if (!gps)
        throw RuntimeError(gps.error());
    if (!*gps)
        throw RuntimeError("video " + videos.front().string() +
                           " holds no GPS telemetry Voirie reads (GoPro GPMF track, Novatek or 70mai GPS boxes, NMEA in a "
                           "text track)");
    const VideoGps& track = **gps;
    if (vm.count("out"))
        if (auto written = writeTrackFile(vm["out"].as<std::string>(), track.fixes, vm.count("overwrite") != 0); !written)
            throw RuntimeError(written.error());

    const auto& c = track.counts;
    const CameraMetadata camera = readCameraMetadata(videos.front()); // what the video says of its camera
    if (vm.count("json")) {
        nlohmann::ordered_json j;
        j["format"] = track.format;
        j["videos"] = nlohmann::ordered_json::array();
        for (size_t i = 0; i < track.videos.size(); ++i)
            j["videos"].push_back({{"file", track.videos[i].string()}, {"start", formatIso8601(track.file_starts[i])}});
        j["clock"] = track.utc ? "UTC" : "camera";
        j["positions_read"] = c.positions_read;
        j["fixes"] = track.fixes.size();
        j["dropped"] = {{"no_fix", c.dropped_no_fix}, {"precision", c.dropped_precision}, {"invalid", c.dropped_invalid}};
        j["start"] = formatIso8601(track.fixes.front().time);
        j["end"] = formatIso8601(track.fixes.back().time);
        j["notes"] = track.notes;
        if (!camera.empty()) {
            j["camera"] = {{"make", camera.make}, {"model", camera.gopro.model}, {"firmware", camera.gopro.firmware},
                           {"lens_mode", camera.gopro.lens_mode}};
            if (camera.gopro.diagonal_fov_deg)
                j["camera"]["diagonal_fov_deg"] = *camera.gopro.diagonal_fov_deg;
        }
        if (vm.count("out"))
            j["out"] = vm["out"].as<std::string>();
        std::cout << j.dump() << "\n";
    } else {
        std::cout << track.describe() << ": " << track.fixes.size() << " fixes from " << formatIso8601(track.fixes.front().time)
                  << " to " << formatIso8601(track.fixes.back().time) << (track.utc ? " (GPS time, UTC)" : " (the camera's clock)")
                  << "\n"
                  << c.positions_read << " positions read; dropped " << c.dropped_no_fix << " without a fix, "
                  << c.dropped_precision << " with a dilution of precision over " << telemetry.max_dop << ", "
                  << c.dropped_invalid << " untimed or outside the world\n";
        for (const auto& note : track.notes)
            std::cout << "  " << note << "\n";
        if (!camera.empty()) {
            std::cout << "camera: " << camera.cameraName();
            if (!camera.gopro.lens_mode.empty())
                std::cout << ", lens mode " << camera.gopro.lens_mode;
            if (camera.gopro.diagonal_fov_deg)
                std::cout << ", " << *camera.gopro.diagonal_fov_deg << " degrees diagonal";
            std::cout << "\n";
        }
        if (vm.count("out"))
            std::cout << "wrote " << vm["out"].as<std::string>() << "\n";
    }
    return kExitOk;
}

} // namespace voirie::cli
