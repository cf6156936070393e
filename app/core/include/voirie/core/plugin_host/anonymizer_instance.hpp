// One created instance of an anonymizer plugin: a frame in, regions of personal data out.
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

struct BlurRegion {
    std::string kind; // face, plate, person, vehicle
    double confidence = 0;
    PixelBox box;     // clipped to the frame
    std::vector<PixelPoint> points; // optional outline
    std::string plugin_id;
};

struct AnonymizeOutput {
    std::vector<BlurRegion> regions;
    int dropped = 0;
    std::vector<std::string> drop_reasons;
};

class AnonymizerInstance {
public:
    static Result<std::unique_ptr<AnonymizerInstance>>
    create(std::shared_ptr<const PluginLibrary> library, const std::map<std::string, ParameterValue>& parameters);
    ~AnonymizerInstance();
    AnonymizerInstance(const AnonymizerInstance&) = delete;
    AnonymizerInstance& operator=(const AnonymizerInstance&) = delete;

    // Regions in an 8-bit BGR, gray or BGRA image. A region reaching past the frame's edge is
    // clipped to it (a face at the edge is still a face); an invalid one is dropped and counted.
    Result<AnonymizeOutput> anonymize(const cv::Mat& image, const FrameContext& context);

    const PluginManifest& manifest() const { return library_->manifest(); }

private:
    AnonymizerInstance(std::shared_ptr<const PluginLibrary> library, voirie_instance handle)
        : library_(std::move(library)), handle_(handle) {}
    std::shared_ptr<const PluginLibrary> library_;
    voirie_instance handle_;
    std::mutex instance_mutex_;
};

} // namespace voirie
