// Its binary claims another id and version than its plugin.json.
#include <voirie/plugin.hpp>
struct Mismatch : voirie::sdk::Detector {
    explicit Mismatch(const voirie::sdk::Parameters&) {}
    std::vector<voirie::sdk::Detection> detect(const voirie::sdk::Frame&) override { return {}; }
};
VOIRIE_DETECTOR_PLUGIN(Mismatch, "something-else", "2.3.4", VOIRIE_THREAD_INSTANCE_SAFE, "D40")
