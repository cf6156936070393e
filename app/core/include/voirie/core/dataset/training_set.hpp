// `voirie dataset`: reviewed projects become training data for the department's own model. Each
// accepted or added damage's evidence frame and up to N neighbouring frames that saw it, and as
// negative examples the frames whose detections were all rejected; every frame anonymized before
// it is written. The layout tools/train reads (images/<name>.jpg, masks/<name>_pothole.png and
// _crack.png, 255 = the class) and Pascal VOC boxes of the RDD2022 classes (annotations/<name>.xml).
#pragma once

#include "voirie/core/base/result.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace voirie {

class AnonymizerSet;

struct TrainingSetOptions {
    std::vector<std::filesystem::path> projects;
    std::filesystem::path out;
    bool accepted_only = true; // --review accepted: accepted and added damages; all: every one not rejected
    int neighbours = 2;        // frames besides the evidence frame, the nearest to it first
    bool overwrite = false;
};

struct TrainingSetSummary {
    int frames = 0;    // with at least one damage
    int negatives = 0; // every detection in them rejected
    int left_out = 0;  // frames an anonymizer failed on: not written
    std::map<std::string, int> damages_by_class;
    std::vector<std::string> projects;
    std::vector<std::string> anonymized_by;
    nlohmann::ordered_json toJson() const;
};

// Writes the set into `options.out` (made in a folder beside it and renamed when complete).
// Fails with one sentence, writing nothing, when a project cannot be read, has nothing reviewed
// to give, or its footage cannot be read again.
Result<TrainingSetSummary> writeTrainingSet(const TrainingSetOptions& options, AnonymizerSet& anonymizers);

} // namespace voirie
