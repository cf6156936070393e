// `voirie eval-boxes`: image-level scoring the way the public road-damage challenges (CRDDC)
// score: per class, detections by descending confidence each take the unmatched true box of the
// same class with the highest IoU, a hit when IoU >= the threshold.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/evaluation/score_table.hpp"

#include <filesystem>

namespace voirie {

struct BoxEvaluation {
    ScoreTable scores;       // D00, D10, D20, D40: the classes CRDDC scores, and the overall figure
    ScoreTable apart;        // every other class (repair, D43, ...), scored alike, reported apart
    int images = 0;
    int images_missing = 0; // in the truth but not in the detections (all their boxes missed)
};

// The detections have the shape of `voirie detect --json`; the truth too, or it is a folder of
// Pascal VOC annotations (.xml, RDD2022's form: <filename>, <object><name>, <bndbox>). Images are
// paired by file name.
Result<BoxEvaluation> evaluateBoxes(const std::filesystem::path& detections, const std::filesystem::path& truth,
                                    double iou_threshold);

double boxIou(const double a[4], const double b[4]);

} // namespace voirie
