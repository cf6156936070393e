// What a survey report shows, read from a rated project GeoPackage: the run's provenance, the
// damages by class and severity, the rated segments with their damages and evidence chips.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/rating/rated_segments.hpp"
#include "voirie/core/rating/rating_scheme.hpp"

#include <array>
#include <filesystem>
#include <optional>
#include <map>
#include <string>
#include <vector>

namespace voirie::report {

using LonLat = GeoPosition;

struct ReportDamage {
    int64_t id = 0;
    std::string class_code, severity, review_state;
    double confidence = 0, length_m = 0, area_m2 = 0, width_mm = 0, chainage_m = 0;
    std::string chip_jpeg; // the anonymized evidence chip, as stored
    LonLat at;
};

using ReportSegment = RatedSegment;

struct ReportData {
    std::filesystem::path project;
    std::string voirie_version, command_line, run_status, anonymized_by, started_utc, finished_utc;
    std::vector<std::string> partial_reasons; // run_status "partial": what was not analysed
    std::vector<std::array<std::string, 4>> inputs;  // role, path, size in bytes, sha256
    std::vector<std::array<std::string, 3>> plugins; // id, kind, version
    RatingScheme scheme;
    std::string rated_utc;
    std::vector<ReportSegment> segments; // in the layer's order (along each road)
    std::map<int64_t, ReportDamage> damages; // not rejected in review
    std::vector<std::vector<LonLat>> track;
    double surveyed_m = 0, surveyed_area_m2 = 0;
    // What the analysis cost and its estimated footprint (from the run's summary; a project from
    // before Voirie recorded energy gets it estimated from its CPU time with the default factors).
    double cpu_s = 0, wall_s = 0, km = 0, energy_wh = 0, co2e_g = 0;
    bool footprint_recorded = false;
    // The road-surface mosaic the run records (voirie ortho), where it is now; none without one.
    std::optional<std::filesystem::path> surface;
    std::string footprint_method;
};

// Fails with one sentence when the file is not a Voirie project or has not been rated.
Result<ReportData> readReportData(const std::filesystem::path& project);

} // namespace voirie::report
