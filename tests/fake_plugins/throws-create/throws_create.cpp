#include <voirie/plugin.hpp>
#include <stdexcept>

struct ThrowsCreate : voirie::sdk::Detector {
    explicit ThrowsCreate(const voirie::sdk::Parameters&) { throw std::runtime_error("weights file missing on purpose"); }
    std::vector<voirie::sdk::Detection> detect(const voirie::sdk::Frame&) override { return {}; }
};
VOIRIE_DETECTOR_PLUGIN(ThrowsCreate, "throws-create", "1.0.0", VOIRIE_THREAD_INSTANCE_SAFE, "D40")
