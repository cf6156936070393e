// `voirie eval-changes`: how right `voirie compare` was, against the truth of a generated pair
// of campaigns (`voirie sample --evolve-from`): each defect's change label, each segment's grade
// change, and the GPS offset between the campaigns.
//
// "Given the detections": a label is scored only where the detectors found what it is about -
// the defect now (new, unchanged, grown) and before (unchanged, grown, repaired) - so that a
// detector's miss or false alarm is not counted as the change logic's error; those rows are
// counted apart. A row pairing two detections of different true defects is wrong.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/evaluation/score_table.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

struct ChangeEvaluationOptions {
    std::filesystem::path changes;             // CHANGES.gpkg
    std::filesystem::path old_truth, new_truth; // the two survey folders (survey.json, ground_truth.geojson)
    double match_m = 2.0;                       // detection to truth, as voirie eval
};

struct ChangeEvaluation {
    ScoreTable labels;          // per change label, rows given the detections
    int rows = 0, scored_rows = 0, detector_rows = 0; // detector_rows: left out (a detector's miss or false alarm)
    int segments = 0, segments_correct = 0;            // grade change (worse / same / better) as the truth's
    std::optional<double> offset_error_m;              // |estimated - true| GPS offset
    double true_offset_east_m = 0, true_offset_north_m = 0;
    struct Mistake {
        std::string predicted, truth;
        int64_t damage_id_then = -1, damage_id_now = -1;
        int truth_id_then = 0, truth_id_now = 0;
    };
    std::vector<Mistake> mistakes; // the scored rows whose label is wrong
    struct SegmentScore {
        int segment = 0; // its place in segment_changes (0 = first)
        std::string predicted, truth;
        std::string grade_then, grade_now;             // as compare rated the detections
        double index_then = 0, index_now = 0;
        std::string truth_grade_then, truth_grade_now; // the truth's defects rated the same way
        double truth_index_then = 0, truth_index_now = 0;
    };
    std::vector<SegmentScore> segment_scores; // every segment scored (not 'not covered')

    nlohmann::ordered_json toJson() const;
    std::string toText() const;
};

Result<ChangeEvaluation> evaluateChanges(const ChangeEvaluationOptions& options);

} // namespace voirie
