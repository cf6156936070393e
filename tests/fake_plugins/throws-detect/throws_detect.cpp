#include <voirie/plugin.hpp>
#include <stdexcept>

struct ThrowsDetect : voirie::sdk::Detector {
    explicit ThrowsDetect(const voirie::sdk::Parameters&) {}
    std::vector<voirie::sdk::Detection> detect(const voirie::sdk::Frame&) override
    {
        throw std::runtime_error("model exploded on purpose");
    }
};
VOIRIE_DETECTOR_PLUGIN(ThrowsDetect, "throws-detect", "1.0.0", VOIRIE_THREAD_INSTANCE_SAFE, "D40")
