// `voirie eval`: a project's damages against surveyed ground truth, damage by damage.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/evaluation/score_table.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

struct DamageMatch {
    int truth_index, detected_index;
    double distance_m;       // between the geometries (0 when they touch)
    double position_error_m; // between their centroids
    std::optional<double> size_error_rel; // |measured - true| / true, length for cracks, area otherwise
    std::string truth_severity, detected_severity; // "L", "M", "H", or empty where a side has none
    int64_t detected_damage_id = -1;               // the project's damage_id
    int64_t truth_id = -1;                         // the truth feature's "id" field, else its FID
};

// How the severities of matched damages agree: `confusion[class][true][found]` counts the pairs
// where both sides have one.
struct SeverityAgreement {
    using Confusion = std::map<std::string, std::map<std::string, int>>;
    std::map<std::string, Confusion> confusion;
    static int pairs(const Confusion& c);
    static int agreeing(const Confusion& c);
    int pairs() const;
    int agreeing() const;
};

struct DamageEvaluation {
    ScoreTable scores;
    std::vector<DamageMatch> matches;
    std::optional<double> median_position_error_m, p90_position_error_m, median_size_error_rel;
    std::optional<double> survey_km;
    std::optional<double> false_positives_per_km;
    SeverityAgreement severity;

    nlohmann::ordered_json toJson() const;
    std::string toText() const;
};

struct DamageEvaluationOptions {
    double match_m = 2.0;
    std::optional<double> survey_km; // else the span of the project's frames, or its `track`
};

// Reads the `damages` layer of `project` and the features of `truth` (both lon/lat, with a
// `class` attribute, `length_m` / `area_m2` and optionally `severity`), then matches one-to-one:
// same class, geometries within match_m, closest pairs first.
Result<DamageEvaluation> evaluateDamages(const std::filesystem::path& project, const std::filesystem::path& truth,
                                         const DamageEvaluationOptions& options);

} // namespace voirie
