#include "run_provenance.hpp"

#include "voirie/core/base/file_digest.hpp"
#include "voirie/core/base/version.hpp"

#include <algorithm>
#include <chrono>

namespace voirie {
namespace fs = std::filesystem;
namespace {

Result<RunInput> describeInput(const std::string& role, const fs::path& path)
{
    std::error_code ec;
    RunInput input{role, fs::absolute(path, ec), fs::file_size(path, ec), ""};
    if (ec)
        return fail("cannot read " + path.string() + ": " + ec.message());
    auto digest = sha256OfFile(path);
    if (!digest)
        return fail(digest.error());
    input.sha256 = *digest;
    return input;
}

nlohmann::ordered_json cameraJson(const CameraModel& c)
{
    return {{"width", c.width}, {"height", c.height}, {"fx", c.fx},           {"fy", c.fy},
            {"cx", c.cx},       {"cy", c.cy},         {"height_m", c.height_m}, {"pitch_deg", c.pitch_deg},
            {"roll_deg", c.roll_deg}};
}

// The plugins' libraries with their digests and resolved parameters.
Status addPlugins(RunProvenance& run, const std::vector<std::shared_ptr<const PluginLibrary>>& libraries,
                  const std::vector<std::map<std::string, ParameterValue>>& parameters)
{
    for (size_t i = 0; i < libraries.size(); ++i) {
        const auto& m = libraries[i]->manifest();
        auto digest = sha256OfFile(m.libraryPath());
        if (!digest)
            return fail(digest.error());
        nlohmann::ordered_json params = nlohmann::ordered_json::object();
        for (const auto& [k, v] : parameters[i])
            params[k] = formatParameterValue(v);
        run.plugins.push_back({m.id, m.version, m.libraryPath(), *digest, params, m.kind});
    }
    return Ok{};
}

} // namespace

Result<RunProvenance> buildProvenance(const AnalysisOptions& options, const DetectorSet& detectors,
                                      const AnonymizerSet* anonymizers, SurveyReader& reader)
{
    RunProvenance run;
    run.voirie_version = VOIRIE_VERSION;
    run.command_line = options.command_line;
    run.started = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::vector<std::pair<std::string, fs::path>> files;
    for (const auto& v : options.ingest.videos)
        files.emplace_back("video", v);
    if (options.ingest.photos_dir) {
        std::vector<fs::path> photos;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(*options.ingest.photos_dir, ec))
            if (e.is_regular_file())
                photos.push_back(e.path());
        std::sort(photos.begin(), photos.end());
        for (const auto& p : photos)
            files.emplace_back("photo", p);
    }
    if (options.ingest.track)
        files.emplace_back("track", *options.ingest.track);
    else if (reader.summary().track_source == "sidecar") // found beside the video: an input as much as --track
        files.emplace_back("track", reader.summary().track_path);
    if (options.ingest.camera_file)
        files.emplace_back("camera", *options.ingest.camera_file);
    for (const auto& [role, path] : files) {
        auto input = describeInput(role, path);
        if (!input)
            return fail(input.error());
        run.inputs.push_back(*input);
    }
    if (auto s = addPlugins(run, detectors.libraries(), detectors.parameters()); !s)
        return fail(s.error());
    if (anonymizers)
        if (auto s = addPlugins(run, anonymizers->libraries(), anonymizers->parameters()); !s)
            return fail(s.error());
    run.anonymized_by = anonymizers ? anonymizers->describe() : std::vector<std::string>{};
    run.camera = cameraJson(reader.camera());
    run.camera["source"] = reader.summary().camera_source;
    if (reader.summary().lens_camera) // the frames were undistorted: the lens, to decode them again alike
        run.camera["lens"] = lensJson(*reader.summary().lens_camera);
    if (!reader.summary().camera_value_sources.empty()) { // how each value was found
        nlohmann::ordered_json sources;
        for (const auto& [name, how] : reader.summary().camera_value_sources)
            sources[name] = how;
        run.camera["sources"] = sources;
    }
    run.options = {{"sampling", options.ingest.sampling.describe()},
                   {"time_offset_s", options.ingest.time_offset_s},
                   {"time_offset_source", options.ingest.time_offset_how.empty() ? "given" : "auto"},
                   {"max_range_m", options.max_range_m},
                   {"merge_m", options.tracking.merge_m},
                   {"min_frames", options.tracking.min_frames},
                   // The track every frame is placed on: a resume with other cleaning would mix
                   // frames placed on two different tracks.
                   {"track_gap_s", options.ingest.cleaning.gap_seconds},
                   {"track_gap_m", options.ingest.cleaning.gap_metres},
                   {"track_max_speed_kmh", options.ingest.cleaning.max_speed_kmh},
                   {"track_smoothing_s", options.ingest.cleaning.smoothing_s}};
    // Where the GPS came from (the videos' own telemetry is hashed with the videos).
    run.options["gps_source"] = reader.summary().track_source;
    run.options["gps_format"] = reader.summary().track_format;
    if (reader.summary().track_source == "video telemetry")
        run.options["gps_max_dop"] = options.ingest.telemetry.max_dop;
    if (options.ingest.video_start)
        run.options["video_start"] = *options.ingest.video_start;
    if (!options.ingest.time_offset_how.empty())
        run.options["time_offset_how"] = options.ingest.time_offset_how;
    return run;
}

} // namespace voirie
