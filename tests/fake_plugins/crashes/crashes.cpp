// Dereferences a null pointer in detect: the host must name it, not just die.
#include <voirie/plugin.hpp>
#include <csignal>
struct Crashes : voirie::sdk::Detector {
    explicit Crashes(const voirie::sdk::Parameters&) {}
    std::vector<voirie::sdk::Detection> detect(const voirie::sdk::Frame&) override
    {
        std::raise(SIGSEGV); // a real null dereference would be optimised or caught by sanitizers
        return {};
    }
};
VOIRIE_DETECTOR_PLUGIN(Crashes, "crashes", "1.0.0", VOIRIE_THREAD_UNSAFE, "D40")
