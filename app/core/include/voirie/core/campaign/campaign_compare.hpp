// `voirie compare OLD.gpkg NEW.gpkg --out CHANGES.gpkg`: what changed on the road between two
// campaigns, per defect and per segment.
//
// The GPS offset between the campaigns is estimated from the defects both surveys found and
// removed (defect_matching.hpp); then every defect gets one label:
//   new          found now, not before, where the old survey did look
//   unchanged    found both times, no more than `grown_share` longer or larger, severity not up
//   grown        found both times, length (cracks) or area (alligator, potholes) up by more than
//                `grown_share`, or severity up
//   repaired     found before, not now, where the new survey did look (the frame that saw the
//                place is kept) or found a patch (class "repair") there
//   not covered  the other survey did not look there: never called repaired or new
// "Looked there": a sampled frame of that survey saw the place 2 to 20 m ahead, within the width
// of the road it sees. Segments: the old survey's segments (rated with the old project's
// recorded options) are the common reference; both campaigns are rated on them, on copies, with
// the same scheme, and each segment gets its grade then and now.
//
// CHANGES.gpkg holds `changes` (one row per defect: its shape now, the old shape as WKT, both
// measures and severities, both evidence chips), `segment_changes` (the old segment's line,
// grades and indices then and now) and `comparison` (the two projects, the offset, the counts,
// what differs between the runs), styled for QGIS. Written through AtomicOutput.
#pragma once

#include "voirie/core/base/result.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace voirie {

struct CompareOptions {
    std::filesystem::path old_project, new_project, out;
    double match_m = 2.0;      // defects this close (after the offset) are the same defect
    double grown_share = 0.25; // length or area up by more than this share: grown
    bool overwrite = false;
    std::string command_line;
};

inline constexpr const char* kChangeLabels[] = {"new", "unchanged", "grown", "repaired", "not covered"};

struct SegmentChange {
    std::string label, grade_then, grade_now, change; // change: worse, better, same, not covered
    double index_then = 0, index_now = 0, surveyed_then_m = 0, surveyed_now_m = 0;
    int damages_then = 0, damages_now = 0;
};

struct CompareSummary {
    std::filesystem::path out;
    double offset_east_m = 0, offset_north_m = 0, offset_residual_m = 0;
    int offset_pairs = 0;
    bool offset_estimated = false;
    int old_defects = 0, new_defects = 0;
    std::map<std::string, int> labels; // every label of kChangeLabels, 0 when none
    std::string scheme;
    std::vector<SegmentChange> segments;
    std::vector<std::string> differences; // camera, plugins or versions that differ between the runs
    std::vector<std::string> warnings;

    nlohmann::ordered_json toJson() const;
    std::string toText() const;
};

Result<CompareSummary> compareCampaigns(const CompareOptions& options);

} // namespace voirie
