// The one way a command or the app opens a project: checked before anything is read, so that a
// damaged or incomplete project is refused with one sentence naming the file, the layer and the
// field, instead of being read as an empty or smaller one (a grade "Good" because `class` is
// missing, 11 of 13 damages because pages are corrupt).
#pragma once

#include "voirie/core/base/result.hpp"

#include <gdal_priv.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace voirie {

// The schema this Voirie writes and reads; recorded in run.schema_version (absent: 1).
inline constexpr int kProjectSchemaVersion = 1;

// A layer and the fields no command can do without (a missing optional field reads as empty).
struct ProjectLayerSchema {
    const char* layer;
    std::vector<const char*> fields;
};
// Every layer of a project as `voirie analyze` writes it.
const std::vector<ProjectLayerSchema>& projectSchema();

enum class ProjectAccess { read, update };
// `none` only for a project this process is writing itself (the app's view of its running
// analysis, reloaded every 2 s): scanning it each time would cost more than the reload.
enum class IntegrityCheck { quick, full, none };

// A layer the caller reads, and the fields it cannot do without.
struct ProjectLayerNeed {
    ProjectLayerNeed(const char* name) : layer(name) {}
    ProjectLayerNeed(std::string name, std::vector<std::string> needed = {})
        : layer(std::move(name)), fields(std::move(needed)) {}
    std::string layer;
    std::vector<std::string> fields; // empty: the layer's essential fields in projectSchema()
};

struct ProjectOpening {
    ProjectAccess access = ProjectAccess::read;
    std::vector<ProjectLayerNeed> layers;          // what the caller reads
    IntegrityCheck integrity = IntegrityCheck::quick; // SQLite's quick_check, or the full integrity_check
};

// Opens `path` as a Voirie project after checking: a file, SQLite, a GeoPackage GDAL opens,
// SQLite's integrity check, a schema this version reads, and each of `how.layers` with its
// essential fields. The error is one sentence.
Result<GDALDatasetUniquePtr> openProject(const std::filesystem::path& path, const ProjectOpening& how);

// `voirie check`: every check, every layer, what is wrong and what can still be trusted.
struct ProjectCheck {
    bool ok = false;
    std::vector<std::string> problems;       // sentences
    std::string integrity;                   // "ok", or SQLite's first complaint
    int schema_version = 0;
    std::string run_status;                  // "complete", "partial", "interrupted", ...
    struct Layer {
        std::string name;
        bool present = false;
        std::vector<std::string> missing_fields;
        int64_t features = -1;               // rows read back; -1 when it could not be read
    };
    std::vector<Layer> layers;
    nlohmann::ordered_json toJson() const;
    std::string toText() const;
};
ProjectCheck checkProject(const std::filesystem::path& path);

} // namespace voirie
