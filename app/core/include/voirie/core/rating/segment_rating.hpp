// `voirie rate`: the project's road cut into segments, each with its surveyed length and area,
// its damage quantities by class and severity, and its condition index, grade and treatment
// under a rating scheme, written as the `segments` layer of the project (replacing an older one
// in one transaction), with the scheme recorded in the `rating` table.
//
// Without a road network, segments are fixed lengths of the survey's own chainage, labelled
// km+m. With one (any line layer OGR reads, with a road id field), frames and damages are snapped
// to the nearest road within `snap_m`, referenced by their distance along it, and segments are
// fixed lengths of each road's own chainage; damages farther than `snap_m` from every road are
// counted and listed as unmatched, never forced onto a road. Each part of a multi-part road is
// referenced on its own.
//
// Surveyed length: the stretches between consecutive sampled frames (a gap of more than 30 m, or
// four sample spacings, is not surveyed). Surveyed area = surveyed length x lane width.
// Damages rejected in review are left out; unreviewed and accepted ones count.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/rating/condition_rating.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

struct RateOptions {
    std::filesystem::path project;
    std::optional<std::filesystem::path> network;
    std::string road_id_field; // empty: the network feature's id
    double snap_m = 20;
    double segment_m = 100;
    double lane_width_m = 3.5;
    std::string scheme = "pci-proxy";
    std::string command_line;
};

struct RateSummary {
    std::string scheme;
    int segments = 0;
    double surveyed_m = 0;
    int damages_rated = 0;
    std::vector<int64_t> unmatched_damages; // damage_id of damages no road was near enough to, or
                                            // lying beyond every surveyed stretch
    int frames_unmatched = 0;
    std::vector<std::pair<std::string, int>> grade_counts; // per band, best first
};

// Chainage as road engineers write it: 1234.5 -> "1+234" (km + metres).
std::string chainageLabel(double metres);

Result<RateSummary> rateProject(const RateOptions& options);

// The options the project was last rated with (from its `rating` table), to rate it again the
// same way after a review; the defaults when it was never rated. A scheme file that has moved
// is an error naming it.
Result<RateOptions> recordedRateOptions(const std::filesystem::path& project);

} // namespace voirie
