// A well-behaved anonymizer: one "face" at a fixed place given as fractions of the frame.
#include <voirie/plugin.hpp>

class BlurBox : public voirie::sdk::Anonymizer {
public:
    explicit BlurBox(const voirie::sdk::Parameters& p)
        : x_(p.getDouble("x", 0.4)), y_(p.getDouble("y", 0.1)), w_(p.getDouble("w", 0.2)), h_(p.getDouble("h", 0.2))
    {
    }
    std::vector<voirie::sdk::Region> anonymize(const voirie::sdk::Frame& frame) override
    {
        voirie::sdk::Region r;
        r.kind = "face";
        r.confidence = 0.9;
        r.x = x_ * frame.width();
        r.y = y_ * frame.height();
        r.width = w_ * frame.width();
        r.height = h_ * frame.height();
        return {r};
    }

private:
    double x_, y_, w_, h_;
};

VOIRIE_ANONYMIZER_PLUGIN(BlurBox, "blur-box", "1.0.0", VOIRIE_THREAD_FULLY_SAFE, "face")
