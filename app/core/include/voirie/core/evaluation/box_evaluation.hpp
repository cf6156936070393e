// `voirie eval-boxes`: image-level scoring the way the public road-damage challenges (CRDDC)
// score: per class, detections by descending confidence each take the unmatched true box of the
// same class with the highest IoU, a hit when IoU >= the threshold.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/evaluation/score_table.hpp"

#include <filesystem>

namespace voirie {

struct BoxEvaluation {
    ScoreTable scores;
    int images = 0;
    int images_missing = 0; // in the truth but not in the detections (all their boxes missed)
};

// Both files have the shape of `voirie detect --json`; images are paired by file name.
Result<BoxEvaluation> evaluateBoxes(const std::filesystem::path& detections, const std::filesystem::path& truth,
                                    double iou_threshold);

double boxIou(const double a[4], const double b[4]);

} // namespace voirie
