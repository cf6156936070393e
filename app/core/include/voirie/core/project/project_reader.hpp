// Reading a project back: the `damages` layer and the run's provenance (`run`, `run_inputs`,
// `run_plugins`) as plain records, the one reader the app, the report, evaluation and rating use
// instead of each reading the layers field by field. Projects written by older versions have
// fewer fields: what is missing reads as empty, 0 or -1.
#pragma once

#include "voirie/core/base/result.hpp"

#include <gdal_priv.h>
#include <ogr_geometry.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

// One row of the `damages` layer.
struct ProjectDamage {
    int64_t damage_id = 0;
    std::string class_code, class_name;
    std::string severity;     // "L", "M", "H", or empty when not judged
    std::string review_state; // "unreviewed", "accepted", "rejected", ...; empty in old projects
    std::string review_note;
    std::string plugins;
    double confidence = 0;
    double length_m = 0, area_m2 = 0, width_mm = 0; // 0 when unset
    double chainage_m = 0;
    int n_frames = 0;
    int drive = 0; // a merged project's drive (voirie merge); 0 in a single survey
    int64_t evidence_frame = -1, evidence_detection = -1;
    double first_seen = 0, last_seen = 0;       // UTC Unix seconds; 0 when unset
    std::shared_ptr<const OGRGeometry> geometry; // WGS 84 lon/lat; null when the row has none
    std::vector<unsigned char> chip;            // the evidence JPEG, when read (DamageReading)
};

struct DamageReading {
    bool chips = false;           // the chips are the bulk of a project: read them only when needed
    bool skip_rejected = false;   // leave out what a reviewer rejected
};

// Every damage of an open project, in the layer's order; an error when there is no damages layer.
Result<std::vector<ProjectDamage>> readProjectDamages(GDALDataset& project, const DamageReading& how = {});

struct ProjectRunInput {
    std::string role, path, sha256;
    int64_t size_bytes = 0;
};

struct ProjectRunPlugin {
    std::string id, kind, version;
};

// The run that made the project.
struct ProjectRun {
    std::string voirie_version, command_line, status, camera_json, anonymized_by;
    std::string summary_json; // the run's summary (AnalysisSummary::toJson, or merge's sums)
    std::vector<std::string> partial_reasons; // why a "partial" run did not analyse all the footage
    double started = 0, finished = 0; // UTC Unix seconds; 0 when unset
    std::vector<ProjectRunInput> inputs;
    std::vector<ProjectRunPlugin> plugins;
};

// The run's provenance; empty fields for the tables a project lacks.
ProjectRun readProjectRun(GDALDataset& project);

// The road-surface mosaic the run records (its summary's "surface", written by voirie ortho or
// analyze --ortho): the path recorded, or nothing when it records none.
std::optional<std::filesystem::path> recordedSurfacePath(const ProjectRun& run);
// That mosaic where it is now: the recorded path, else the same file beside `project` (a survey
// folder moved as a whole); nothing when neither exists.
std::optional<std::filesystem::path> findRecordedSurface(const ProjectRun& run, const std::filesystem::path& project);

} // namespace voirie
