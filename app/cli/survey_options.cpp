#include "survey_options.hpp"

#include "voirie/core/base/time_format.hpp"
#include "voirie/core/ingest/track.hpp"

#include <cmath>
#include <sstream>

namespace voirie::cli {

void addSurveyOptions(po::options_description& options)
{
    options.add_options()
        ("video", po::value<std::vector<std::string>>()->composing(), "a video file; repeat for a recording split in several files, in order")
        ("photos", po::value<std::string>(), "a folder of geotagged JPEG photos (instead of --video)")
        ("track", po::value<std::string>(), "GPS track: GPX, NMEA 0183, DJI SRT, CSV, GeoJSON or KML; without it the video's own GPS "
                                            "(GoPro GPMF, Novatek, 70mai, NMEA text track) is read, else a sidecar with the video's name "
                                            "(.gpx, .nmea, .srt, .csv, ...); photos use their EXIF positions")
        ("max-dop", po::value<double>()->default_value(5.0), "embedded GPS: fixes with a dilution of precision above this are dropped (GoPro GPSP 500)")
        ("track-columns", po::value<std::string>(), "CSV columns, e.g. lat=Latitude,lon=Longitude,time=UTC")
        ("camera", po::value<std::string>(), "camera.json (image size, field of view or fx/fy/cx/cy, height_m, pitch_deg, roll_deg; "
                                             "k1, k2, p1, p2, k3 or fisheye for the lens); without it a video's camera is worked out from the footage")
        ("video-start", po::value<std::string>(), "UTC time of the first video frame (ISO 8601) when the container has none, or to override it")
        ("time-offset", po::value<std::string>()->default_value("0"), "seconds added to video/photo times (camera clock drift, local time), "
                                                                     "or auto: worked out from the footage's motion against the track")
        ("every-m", po::value<double>(), "keep one frame every M metres travelled (default 3)")
        ("every-s", po::value<double>(), "keep one frame every S seconds instead")
        ("every-frame", "keep every frame")
        ("gap-s", po::value<double>()->default_value(5.0), "a longer time between GPS fixes splits the track")
        ("gap-m", po::value<double>()->default_value(50.0), "a longer jump between GPS fixes splits the track")
        ("smooth-s", po::value<double>()->default_value(kRecommendedSmoothingSeconds), "smooth GPS noise with a local fit over this many seconds of fixes (0: off)");
}

IngestOptions ingestOptionsFrom(const po::variables_map& vm)
{
    IngestOptions o;
    if (vm.count("video"))
        for (const auto& v : vm["video"].as<std::vector<std::string>>())
            o.videos.emplace_back(v);
    if (vm.count("photos"))
        o.photos_dir = vm["photos"].as<std::string>();
    if (o.videos.empty() == !o.photos_dir)
        throw UsageError("give either --video (one or more) or --photos DIR");
    if (vm.count("track"))
        o.track = vm["track"].as<std::string>();
    o.telemetry.max_dop = vm["max-dop"].as<double>();
    if (!(o.telemetry.max_dop > 0))
        throw UsageError("--max-dop must be above 0");
    if (vm.count("track-columns")) {
        auto columns = parseTrackColumns(vm["track-columns"].as<std::string>());
        if (!columns)
            throw UsageError(columns.error());
        o.track_columns = *columns;
    }
    if (vm.count("camera"))
        o.camera_file = vm["camera"].as<std::string>();
    if (vm.count("video-start")) {
        auto t = parseIso8601(vm["video-start"].as<std::string>());
        if (!t)
            throw UsageError("--video-start \"" + vm["video-start"].as<std::string>() +
                             "\" is not an ISO 8601 time such as 2026-05-04T10:20:30Z");
        o.video_start = *t;
    }
    const std::string offset = vm["time-offset"].as<std::string>();
    if (offset == "auto") {
        o.time_offset_auto = true;
    } else {
        size_t used = 0;
        try {
            o.time_offset_s = std::stod(offset, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != offset.size() || !std::isfinite(o.time_offset_s))
            throw UsageError("--time-offset takes seconds (e.g. -37 or 5.5) or auto, not \"" + offset + "\"");
    }
    const int modes = int(vm.count("every-m")) + int(vm.count("every-s")) + int(vm.count("every-frame"));
    if (modes > 1)
        throw UsageError("choose one of --every-m, --every-s and --every-frame");
    if (vm.count("every-s")) {
        o.sampling = {SamplingPolicy::Mode::Seconds, vm["every-s"].as<double>()};
    } else if (vm.count("every-frame")) {
        o.sampling = {SamplingPolicy::Mode::EveryFrame, 0};
    } else if (vm.count("every-m")) {
        o.sampling = {SamplingPolicy::Mode::Metres, vm["every-m"].as<double>()};
    }
    if (o.sampling.mode != SamplingPolicy::Mode::EveryFrame && !(o.sampling.step > 0))
        throw UsageError("the sampling step must be a positive number");
    o.cleaning.gap_seconds = vm["gap-s"].as<double>();
    o.cleaning.gap_metres = vm["gap-m"].as<double>();
    o.cleaning.smoothing_s = vm["smooth-s"].as<double>();
    if (!(o.cleaning.smoothing_s >= 0))
        throw UsageError("--smooth-s must be 0 or more seconds");
    if (!(o.cleaning.gap_seconds > 0) || !(o.cleaning.gap_metres > 0))
        throw UsageError("--gap-s and --gap-m must be positive");
    return o;
}

nlohmann::ordered_json summaryJson(const IngestSummary& s)
{
    nlohmann::ordered_json j;
    j["source"] = s.source_kind;
    j["frames_decoded"] = s.frames_decoded;
    j["frames_sampled"] = s.frames_sampled;
    j["frames_skipped_in_gaps"] = s.frames_skipped_in_gaps;
    j["frames_outside_track"] = s.frames_outside_track;
    j["partial"] = !s.incompleteness().empty();
    j["partial_reasons"] = s.incompleteness();
    j["sampling"] = s.sampling;
    j["time_offset_s"] = s.time_offset_s;
    j["time_offset_source"] = s.time_offset_how.empty() ? "given" : "auto";
    if (!s.time_offset_how.empty())
        j["time_offset_how"] = s.time_offset_how;
    if (s.source_kind == "photos") {
        j["photos_unreadable"] = s.photos_unreadable;
        j["photos_without_time"] = s.photos_without_time;
    }
    auto& videos = j["videos"] = nlohmann::ordered_json::array();
    for (const auto& v : s.videos) {
        nlohmann::ordered_json vj;
        vj["file"] = v.path.string();
        vj["width"] = v.width;
        vj["height"] = v.height;
        vj["fps"] = v.fps;
        vj["start"] = formatIso8601(v.start_time);
        vj["start_source"] = v.start_source;
        vj["frames_declared"] = v.frames_declared;
        vj["frames_decoded"] = v.frames_decoded;
        vj["partial"] = v.partial;
        vj["frames_lost"] = v.frames_lost;
        vj["decoder_errors"] = v.decoder_errors;
        vj["frames_with_errors"] = v.frames_with_errors;
        vj["timestamps_estimated"] = v.timestamps_estimated;
        videos.push_back(vj);
    }
    nlohmann::ordered_json t;
    t["file"] = s.track_path;
    t["format"] = s.track_format;
    t["source"] = s.track_source;
    t["clock"] = s.track_clock_utc ? "UTC" : "camera";
    if (s.telemetry)
        t["telemetry"] = {{"positions_read", s.telemetry->positions_read},
                          {"dropped", {{"no_fix", s.telemetry->dropped_no_fix},
                                       {"precision", s.telemetry->dropped_precision},
                                       {"invalid", s.telemetry->dropped_invalid}}},
                          {"notes", s.telemetry_notes}};
    t["start"] = formatIso8601(s.track_start);
    t["end"] = formatIso8601(s.track_end);
    t["length_m"] = s.track_length_m;
    t["fixes_read"] = s.track_counts.fixes_read;
    t["fixes_used"] = s.track_counts.fixes_used;
    t["fixes_dropped"] = {{"zero_position", s.track_counts.zero_position},
                          {"duplicate_time", s.track_counts.duplicate_time},
                          {"backwards_time", s.track_counts.backwards_time},
                          {"speed_outlier", s.track_counts.speed_outlier},
                          {"swerve_outlier", s.track_counts.swerve_outlier},
                          {"time_outlier", s.track_counts.time_outlier}};
    t["dropped_examples"] = s.track_counts.dropped_examples;
    t["rows_without_time"] = s.track_rows_without_time;
    t["segments"] = s.track_counts.segments;
    t["gaps"] = s.track_counts.gaps;
    if (s.nmea)
        t["nmea"] = {{"sentences", s.nmea->sentences},       {"bad_checksum", s.nmea->bad_checksum},
                     {"void_rmc", s.nmea->void_rmc},         {"no_fix_gga", s.nmea->no_fix_gga},
                     {"unparseable", s.nmea->unparseable},   {"without_date", s.nmea->without_date}};
    j["track"] = t;
    j["camera"] = {{"source", s.camera_source}, {"width", s.camera.width}, {"height", s.camera.height},
                   {"fx", s.camera.fx}, {"fy", s.camera.fy}, {"cx", s.camera.cx}, {"cy", s.camera.cy},
                   {"height_m", s.camera.height_m}, {"pitch_deg", s.camera.pitch_deg}, {"roll_deg", s.camera.roll_deg}};
    for (const auto& [name, how] : s.camera_value_sources)
        j["camera"]["sources"][name] = how;
    if (s.lens_camera)
        j["camera"]["lens"] = lensJson(*s.lens_camera);
    j["warnings"] = s.warnings;
    return j;
}

std::string summaryText(const IngestSummary& s)
{
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(1);
    out << "frames: " << s.frames_decoded << " decoded, " << s.frames_sampled << " sampled (" << s.sampling << "), "
        << s.frames_skipped_in_gaps << " skipped in track gaps, " << s.frames_outside_track << " outside the track\n";
    for (const auto& v : s.videos)
        out << "video " << v.path.string() << ": " << v.frames_decoded << " of " << v.frames_declared
            << " frames, starts " << formatIso8601(v.start_time) << " (" << v.start_source << ")"
            << (v.frames_lost ? ", " + std::to_string(v.frames_lost) + " lost to damage" : std::string())
            << (v.partial ? ", PARTIAL: decoding stopped early (truncated or damaged file)"
                          : v.frames_lost ? ", PARTIAL: damaged stretches skipped" : "")
            << "\n";
    if (!s.time_offset_how.empty())
        out << "time offset " << s.time_offset_s << " s, " << s.time_offset_how << "\n";
    const auto& c = s.track_counts;
    if (s.telemetry)
        out << "GPS from the video's telemetry: " << s.telemetry->positions_read << " positions read, "
            << s.telemetry->dropped_no_fix << " dropped without a fix, " << s.telemetry->dropped_precision
            << " for poor precision, " << s.telemetry->dropped_invalid << " untimed or outside the world\n";
    for (const auto& note : s.telemetry_notes)
        out << "  " << note << "\n";
    out << "track " << s.track_path << " (" << s.track_format << (s.track_source == "sidecar" ? ", sidecar" : "")
        << "): " << c.fixes_read << " fixes read, " << c.fixes_used
        << " used; dropped " << c.zero_position << " at 0,0, " << c.duplicate_time << " duplicate times, "
        << c.backwards_time << " going backwards, " << c.time_outlier << " dated out of order, " << c.speed_outlier
        << " above the speed limit, " << c.swerve_outlier << " swerving off course; " << c.segments
        << " segment(s), " << c.gaps << " gap(s), " << s.track_length_m << " m\n";
    for (const auto& e : c.dropped_examples)
        out << "  dropped " << e << "\n";
    if (s.nmea)
        out << "NMEA: " << s.nmea->sentences << " sentences, " << s.nmea->bad_checksum << " bad checksums, "
            << s.nmea->void_rmc << " void RMC, " << s.nmea->no_fix_gga << " GGA without fix\n";
    out << "camera: " << s.camera_source << "\n";
    if (s.lens_camera)
        out << "  lens distortion removed from every frame ("
            << (s.lens_camera->lens.model == LensDistortion::Model::fisheye ? "fisheye" : "radial-tangential")
            << " model); the frames' camera is a pinhole with fx " << s.camera.fx << "\n";
    for (const auto& [name, how] : s.camera_value_sources) {
        const double value = name == "height_m"    ? s.camera.height_m
                             : name == "pitch_deg" ? s.camera.pitch_deg
                             : name == "roll_deg"  ? s.camera.roll_deg
                                                   : 2 * std::atan(s.camera.width / 2.0 / s.camera.fx) * 180 / M_PI;
        out << "  " << name << " " << value << ", " << how << "\n";
    }
    for (const auto& w : s.warnings)
        out << "warning: " << w << "\n";
    return out.str();
}

} // namespace voirie::cli
