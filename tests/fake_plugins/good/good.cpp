// A well-behaved plugin: `count` boxes in the lower half of the frame, deterministic.
#include <voirie/plugin.hpp>

class GoodDetector : public voirie::sdk::Detector {
public:
    explicit GoodDetector(const voirie::sdk::Parameters& p)
        : count_(p.getInt("count", 1)), confidence_(p.getDouble("confidence", 0.9)),
          outline_(p.getBool("outline", true)), label_(p.getString("label", "D40"))
    {
    }

    std::vector<voirie::sdk::Detection> detect(const voirie::sdk::Frame& frame) override
    {
        std::vector<voirie::sdk::Detection> out;
        const double w = frame.width(), h = frame.height();
        for (int64_t i = 0; i < count_; ++i) {
            voirie::sdk::Detection d;
            d.class_code = label_;
            d.confidence = confidence_;
            d.width = w / 8;
            d.height = h / 8;
            d.x = (w - d.width) * double(i + 1) / double(count_ + 1);
            d.y = h * 0.75 - d.height / 2;
            if (outline_) {
                d.shape = voirie::sdk::Shape::Polygon;
                d.points = {{d.x, d.y}, {d.x + d.width, d.y}, {d.x + d.width, d.y + d.height}, {d.x, d.y + d.height}};
            }
            d.severity = voirie::sdk::Severity::Medium;
            d.attributes = {{"has_camera", frame.hasCamera() ? 1.0 : 0.0}};
            out.push_back(d);
        }
        return out;
    }

private:
    int64_t count_;
    double confidence_;
    bool outline_;
    std::string label_;
};

VOIRIE_DETECTOR_PLUGIN(GoodDetector, "good", "1.0.0", VOIRIE_THREAD_INSTANCE_SAFE, "D40", "D00")
