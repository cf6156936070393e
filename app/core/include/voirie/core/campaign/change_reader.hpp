// Reading back what `voirie compare` wrote (CHANGES.gpkg): the comparison's summary, one record
// per defect with its label, both measures and both chips, and the segments' grades then and
// now. The report's "Since the last survey" section and the app's compare view read it here.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/vocabulary/frame_context.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace voirie {

struct DefectChangeRecord {
    std::string change, class_code, class_then, class_now, severity_then, severity_now;
    int64_t damage_id_then = -1, damage_id_now = -1, looked_from_frame = -1;
    bool patch_seen = false; // repaired: the new survey found a patch there
    double length_then_m = 0, length_now_m = 0, area_then_m2 = 0, area_now_m2 = 0, growth = 0;
    GeoPosition at; // where it is now (the old position moved onto the new GPS for repaired ones)
    std::vector<unsigned char> chip_then, chip_now;
};

struct SegmentChangeRecord {
    std::string segment, grade_then, grade_now, change;
    double index_then = 0, index_now = 0;
    std::vector<GeoPosition> path;
};

struct ComparisonRecord {
    std::filesystem::path path, old_project, new_project;
    nlohmann::json summary; // CompareSummary::toJson()
    std::vector<DefectChangeRecord> defects;
    std::vector<SegmentChangeRecord> segments;
};

// One sentence when the file is not a comparison written by voirie compare.
Result<ComparisonRecord> readComparison(const std::filesystem::path& changes);

} // namespace voirie
