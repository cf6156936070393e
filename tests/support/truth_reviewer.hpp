// A reviewer played from a generated survey's ground truth (scripts/measure-review-loop.sh, and
// the end-to-end test of it): the damages that match the truth are accepted, the others rejected,
// and each true defect the detectors missed is drawn on the project frame that sees it nearest -
// a box for potholes and alligator areas, a line for cracks, where the generator says it appears -
// and added through placeDrawnDamage, the code the app's "Add a missed damage" runs.
#pragma once

#include "voirie/core/base/result.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <vector>

namespace voirie::test {

struct TruthReviewSummary {
    int accepted = 0, rejected = 0, added = 0;
    int missed_unseen = 0; // missed true defects no project frame shows clearly: not drawn
    nlohmann::ordered_json toJson() const;
};

// Reviews `project` (written in place) against the survey folder `sample` that `voirie sample`
// wrote (its survey.json regenerates the drive, its ground_truth.geojson is the truth). Chips of
// added damages are cut from frames anonymized by the anonymizers found in `plugin_dirs`.
Result<TruthReviewSummary> reviewFromTruth(const std::filesystem::path& project, const std::filesystem::path& sample,
                                           const std::vector<std::filesystem::path>& plugin_dirs, double match_m = 2.0);

} // namespace voirie::test
