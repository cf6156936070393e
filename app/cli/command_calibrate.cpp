// `voirie calibrate`: the camera's mounting worked out from the footage and its GPS, written as a
// camera.json a person can check, edit and pass back with --camera.
#include "cli_support.hpp"
#include "survey_options.hpp"

#include "voirie/core/calibration/camera_estimate.hpp"
#include "voirie/core/calibration/clock_alignment.hpp"
#include "voirie/core/geo/camera_file.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>

namespace voirie::cli {
namespace {

nlohmann::ordered_json valueJson(const CameraValue& v)
{
    return {{"value", v.value}, {"source", v.source}, {"uncertainty", v.uncertainty}, {"how", v.how}};
}

} // namespace

int runCalibrate(const CommandLine& cl)
{
    po::options_description options("options");
    addSurveyOptions(options);
    options.add_options()
        ("out", po::value<std::string>(), "write the camera file (camera.json) here")
        ("overwrite", "replace --out if it exists")
        ("hfov-deg", po::value<double>(), "the lens's horizontal field of view, when known (else read from the camera's metadata - a GoPro's lens mode and diagonal field of view -, worked out from the turns, or 90 assumed)")
        ("height-m", po::value<double>(), "the camera's height above the road, when known")
        ("seconds", po::value<double>(), "how much footage to read, from the start (default 300, at most 600): the first "
                                         "minute whole for the pitch, roll and height, all of it for the field of view from the "
                                         "turns (more turns tighten it; about 0.5 MB a second kept beyond the first minute)")
        ("json", "print {\"height_m\",\"pitch_deg\",\"roll_deg\",\"hfov_deg\",\"sources\":{...},...}");
    po::variables_map vm;
    if (!parseOptions(cl, "calibrate --video V [--video V2 ...] [--track T] [--out camera.json] [--hfov-deg F] [--seconds S] [--json]",
                      options, {}, vm))
        return kExitOk;
    IngestOptions given = ingestOptionsFrom(vm);
    if (given.videos.empty())
        throw UsageError("give the survey's --video (a camera is worked out from driving footage)");
    CalibrationOptions calibration;
    if (vm.count("hfov-deg")) {
        calibration.hfov_deg = vm["hfov-deg"].as<double>();
        if (!(*calibration.hfov_deg > 20 && *calibration.hfov_deg < 170))
            throw UsageError("--hfov-deg must be between 20 and 170");
    }
    if (vm.count("height-m")) {
        calibration.height_m = vm["height-m"].as<double>();
        if (!(*calibration.height_m > 0.2 && *calibration.height_m < 5))
            throw UsageError("--height-m must be between 0.2 and 5");
    }
    if (vm.count("seconds")) {
        const double seconds = vm["seconds"].as<double>();
        if (!(seconds >= 10 && seconds <= 600))
            throw UsageError("--seconds must be between 10 and 600");
        calibration.turn_frames = int(std::lround(seconds * 10));
        calibration.max_frames = std::min(calibration.max_frames, calibration.turn_frames);
    }
    std::error_code ec;
    if (vm.count("out") && std::filesystem::exists(vm["out"].as<std::string>(), ec) && !vm.count("overwrite"))
        throw RuntimeError(vm["out"].as<std::string>() + " already exists; pass --overwrite to replace it");
    auto ingest = resolveTimeOffset(given);
    if (!ingest)
        throw RuntimeError(ingest.error());
    auto estimate = estimateCamera(*ingest, calibration);
    if (!estimate)
        throw RuntimeError(estimate.error());
    const CameraEstimate& e = *estimate;
    if (vm.count("out"))
        if (auto s = writeCameraFile(e.camera, vm["out"].as<std::string>()); !s)
            throw RuntimeError(s.error());
    if (vm.count("json")) {
        nlohmann::ordered_json j;
        j["height_m"] = e.height_m.value;
        j["pitch_deg"] = e.pitch_deg.value;
        j["roll_deg"] = e.roll_deg.value;
        j["hfov_deg"] = e.hfov_deg.value;
        j["sources"] = {{"height_m", e.height_m.source}, {"pitch_deg", e.pitch_deg.source},
                        {"roll_deg", e.roll_deg.source}, {"hfov_deg", e.hfov_deg.source}};
        j["details"] = {{"height_m", valueJson(e.height_m)}, {"pitch_deg", valueJson(e.pitch_deg)},
                        {"roll_deg", valueJson(e.roll_deg)}, {"hfov_deg", valueJson(e.hfov_deg)}};
        j["width"] = e.camera.width;
        j["height"] = e.camera.height;
        j["frames_examined"] = e.frames_examined;
        j["straight_frames"] = e.straight_frames;
        j["motion_pairs"] = e.motion_pairs;
        j["notes"] = e.notes;
        std::cout << j.dump() << "\n";
    } else {
        auto line = [](const char* name, const CameraValue& v, const char* unit) {
            std::cout << name << " " << v.value << unit;
            if (v.uncertainty > 0)
                std::cout << " +- " << v.uncertainty << unit;
            std::cout << " (" << v.source << ": " << v.how << ")\n";
        };
        std::cout.precision(3);
        line("height", e.height_m, " m");
        line("pitch ", e.pitch_deg, " deg");
        line("roll  ", e.roll_deg, " deg");
        line("hfov  ", e.hfov_deg, " deg");
        for (const auto& n : e.notes)
            std::cout << "note: " << n << "\n";
        if (vm.count("out"))
            std::cout << "wrote " << vm["out"].as<std::string>() << " (edit it and pass it back with --camera)\n";
    }
    return kExitOk;
}

} // namespace voirie::cli
