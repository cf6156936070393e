// The project GeoPackage that `voirie analyze` writes (docs/ARCHITECTURE.md: ProjectStore): layers track,
// frames, detections, damages; tables run, run_inputs, run_plugins; QGIS styles in layer_styles.
// Coordinates in EPSG:4326, lon/lat order. Work is committed in transactions as it goes, so the
// file opens with GDAL after a kill at any moment; `run.last_frame_index` says how far it got.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/damage/damage_tracker.hpp"
#include "voirie/core/ingest/survey_reader.hpp"
#include "voirie/core/ingest/track.hpp"
#include "voirie/core/vocabulary/detection.hpp"

#include <gdal_priv.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

// The run's cost and footprint, columns of the `run` layer as well as keys of its summary.
inline constexpr const char* kRunCostFields[] = {"cpu_s", "wall_s", "energy_wh", "co2e_g"};

struct RunInput {
    std::string role; // "video", "photo", "track", "camera"
    std::filesystem::path path;
    uintmax_t size = 0;
    std::string sha256;
};

struct RunPlugin {
    std::string id, version;
    std::filesystem::path binary;
    std::string sha256;
    nlohmann::ordered_json parameters;
    std::string kind = "detector"; // or "anonymizer"
};

// What a run was made of: written once when the project is created.
struct RunProvenance {
    std::string voirie_version;
    std::string command_line;
    double started = 0; // UTC Unix seconds
    std::vector<RunInput> inputs;
    std::vector<RunPlugin> plugins;
    nlohmann::ordered_json camera;
    nlohmann::ordered_json options;
    std::vector<std::string> anonymized_by; // "id version" of each anonymizer; empty: none ran
    // What must not change for --resume to continue this run: inputs, plugins, options.
    std::string fingerprint() const;
};

// A detection as stored: what the plugin said plus its footprint on the road, if any.
struct StoredDetection {
    int64_t frame_index = 0;
    double time = 0, frame_chainage_m = 0;
    Detection detection;
    std::optional<Observation> observation; // set when it projects onto the road
};

// What an interrupted run left: its committed frames and the detections to replay.
struct ResumeState {
    int64_t last_frame_index = -1;
    int64_t frames_committed = 0;
    std::map<int64_t, std::vector<Observation>> observations_by_frame; // footprints in the local frame
    std::map<int64_t, Detection> detections_by_id; // the pixel side, for evidence chips
    int64_t detections = 0;
};

class ProjectStore {
public:
    // Creates the project at `path` (schema, track, run provenance) through a temporary file, so
    // `path` either does not exist or is a valid project.
    static Result<std::unique_ptr<ProjectStore>> create(const std::filesystem::path& path, const Track& track,
                                                        const RunProvenance& run);
    // Opens an interrupted project to continue it.
    static Result<std::unique_ptr<ProjectStore>> open(const std::filesystem::path& path);
    ~ProjectStore();

    // The stored provenance fingerprint, run status ("running", "interrupted", "complete").
    std::string fingerprint() const;
    std::string status() const;
    // Committed frames and detections, footprints in `frame`'s metric coordinates.
    Result<ResumeState> readResumeState(const LocalMetricFrame& frame);
    // Forgets the damages (they are rebuilt from the detections when a run resumes).
    Status clearDamages();

    Status begin();
    Status commit();
    Status addFrame(const GeoFrame& frame);
    // Returns the detection's id (its fid).
    Result<int64_t> addDetection(const StoredDetection& detection, const LocalMetricFrame& frame);
    Status addDamage(const Damage& damage, const LocalMetricFrame& frame, const std::string& chip_path);
    Status setProgress(int64_t last_frame_index, int64_t frames_committed, const std::string& status);
    Status finishRun(double finished, const nlohmann::ordered_json& summary, const std::string& status);
    // QGIS styles for every layer into layer_styles.
    Status writeStyles();

    const std::filesystem::path& path() const { return path_; }

private:
    ProjectStore(std::filesystem::path path, GDALDatasetUniquePtr ds);
    OGRLayer* layer(const char* name);
    Status failed(const std::string& what);

    std::filesystem::path path_;
    GDALDatasetUniquePtr ds_;
};

} // namespace voirie
