// Privacy by default: the anonymizer plugins a command runs, together (the union of their
// regions), and the irreversible blur applied before any image is encoded.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/plugin_host/anonymizer_instance.hpp"
#include "voirie/core/plugin_host/plugin_parameters.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

// Pixelates each region grown by a margin (a quarter of its size, at least 4 px) into cells of a
// tenth of its smaller side (at least 6 px), then smooths it: nothing of the original detail
// survives, and the blur covers detection boxes that were slightly too tight.
void blurRegions(cv::Mat& image, const std::vector<BlurRegion>& regions);

// The whole image made unrecognisable: for when an anonymizer failed on it (fail closed).
void blurEverything(cv::Mat& image);

class AnonymizerSet {
public:
    // Every usable anonymizer found (ids empty), or exactly the named ones; parameters from
    // `overrides` (entries for other plugins are ignored). Fails when none can be used.
    static Result<AnonymizerSet> open(const std::vector<std::filesystem::path>& plugin_dirs,
                                      const std::optional<std::vector<std::string>>& ids,
                                      const ParameterOverrides& overrides);

    // The ids open() would try: `ids`, or every usable anonymizer on the search path.
    static std::vector<std::string> chosenIds(const std::vector<std::filesystem::path>& plugin_dirs,
                                              const std::optional<std::vector<std::string>>& ids);

    // The union of every anonymizer's regions; an error when one of them fails.
    Result<std::vector<BlurRegion>> find(const cv::Mat& image, const FrameContext& context);

    // Finds the regions with every anonymizer and blurs them in `image`. On a plugin failure the
    // whole image is blurred and the error returned (nothing personal leaves by accident).
    Result<std::vector<BlurRegion>> apply(cv::Mat& image, const FrameContext& context);

    // "id version" of each anonymizer, for provenance and summaries.
    std::vector<std::string> describe() const;
    std::vector<std::shared_ptr<const PluginLibrary>> libraries() const { return libraries_; }
    const std::vector<std::map<std::string, ParameterValue>>& parameters() const { return parameters_; }

private:
    std::vector<std::shared_ptr<const PluginLibrary>> libraries_;
    std::vector<std::map<std::string, ParameterValue>> parameters_;
    std::vector<std::shared_ptr<AnonymizerInstance>> instances_;
};

} // namespace voirie
