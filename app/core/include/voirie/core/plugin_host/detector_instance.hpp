// One created instance of a detector plugin: parameters in, validated detections out.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/plugin_host/plugin_library.hpp"
#include "voirie/core/plugin_host/plugin_manifest.hpp"
#include "voirie/core/vocabulary/detection.hpp"
#include "voirie/core/vocabulary/frame_context.hpp"

#include <opencv2/core.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace voirie {

struct DetectOutput {
    std::vector<Detection> detections;
    int dropped = 0;                      // invalid detections the plugin emitted
    std::vector<std::string> drop_reasons; // the first few, as sentences
};

class DetectorInstance {
public:
    // Creates an instance with every declared parameter (defaults + values, already resolved).
    static Result<std::unique_ptr<DetectorInstance>>
    create(std::shared_ptr<const PluginLibrary> library,
           const std::map<std::string, ParameterValue>& parameters);
    ~DetectorInstance();
    DetectorInstance(const DetectorInstance&) = delete;
    DetectorInstance& operator=(const DetectorInstance&) = delete;

    // Runs the plugin on an 8-bit BGR, gray or BGRA image. Invalid detections are dropped and
    // counted, never returned. Calls are serialised as the plugin's thread safety requires.
    Result<DetectOutput> detect(const cv::Mat& image, const FrameContext& context);

    const PluginManifest& manifest() const { return library_->manifest(); }

private:
    DetectorInstance(std::shared_ptr<const PluginLibrary> library, voirie_instance handle);

    std::shared_ptr<const PluginLibrary> library_; // keeps the library alive
    voirie_instance handle_;
    std::mutex instance_mutex_;
};

} // namespace voirie
