// The segments of two campaigns on one reference: the old survey's segments, both campaigns
// rated on them (copies of both projects in a scratch folder; the new one's positions moved by
// the GPS offset), each segment's grade then and now.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/campaign/campaign_compare.hpp"

#include <ogr_geometry.h>

#include <filesystem>
#include <memory>
#include <vector>

namespace voirie {

struct RatedSegmentChange {
    SegmentChange change;
    std::unique_ptr<OGRLineString> path; // lon/lat, the old segment
};

struct SegmentComparison {
    std::string scheme;
    std::vector<RatedSegmentChange> segments;
};

// A defect the comparison found unchanged: in the new campaign it weighs what it weighed then,
// so that the detectors' measuring it a little differently twice does not move a grade.
struct UnchangedDefect {
    int64_t damage_id_now = 0;
    std::vector<int64_t> parts_now; // the other damages the new campaign saw it as: dropped
    double length_m = 0, area_m2 = 0, width_mm = 0;
    std::string severity;
};

Result<SegmentComparison> compareSegments(const std::filesystem::path& old_project, const std::filesystem::path& new_project,
                                          double offset_east_m, double offset_north_m,
                                          const std::vector<UnchangedDefect>& unchanged,
                                          const std::filesystem::path& scratch);

} // namespace voirie
