#include <voirie/plugin.hpp>
#include <stdexcept>

struct ThrowsAnonymize : voirie::sdk::Anonymizer {
    explicit ThrowsAnonymize(const voirie::sdk::Parameters&) {}
    std::vector<voirie::sdk::Region> anonymize(const voirie::sdk::Frame&) override
    {
        throw std::runtime_error("face model exploded on purpose");
    }
};
VOIRIE_ANONYMIZER_PLUGIN(ThrowsAnonymize, "throws-anonymize", "1.0.0", VOIRIE_THREAD_INSTANCE_SAFE, "face", "plate")
