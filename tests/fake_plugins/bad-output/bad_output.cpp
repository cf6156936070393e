// Emits one valid detection and one of each kind of invalid output.
#include <voirie/plugin.hpp>
#include <limits>

struct BadOutput : voirie::sdk::Detector {
    explicit BadOutput(const voirie::sdk::Parameters&) {}
    std::vector<voirie::sdk::Detection> detect(const voirie::sdk::Frame& f) override
    {
        auto make = [&](const char* cls, double conf, double x, double y, double w, double h) {
            voirie::sdk::Detection d;
            d.class_code = cls;
            d.confidence = conf;
            d.x = x; d.y = y; d.width = w; d.height = h;
            return d;
        };
        const double W = f.width(), H = f.height();
        std::vector<voirie::sdk::Detection> out;
        out.push_back(make("D40", 0.8, 1, 1, W / 4, H / 4));                                         // valid
        out.push_back(make("D40", 0.8, std::numeric_limits<double>::quiet_NaN(), 1, 10, 10));        // NaN box
        out.push_back(make("D40", 0.8, W - 5, H - 5, 50, 50));                                       // out of frame
        out.push_back(make("D99", 0.8, 1, 1, 10, 10));                                               // unknown class
        out.push_back(make("D20", 0.8, 1, 1, 10, 10));                                               // undeclared class
        out.push_back(make("D00", 1.5, 1, 1, 10, 10));                                               // confidence > 1
        auto poly = make("D40", 0.5, 1, 1, 10, 10);
        poly.shape = voirie::sdk::Shape::Polygon;
        poly.points = {{1, 1}, {2, 2}};                                                              // 2-point polygon
        out.push_back(poly);
        return out;
    }
};
VOIRIE_DETECTOR_PLUGIN(BadOutput, "bad-output", "1.0.0", VOIRIE_THREAD_UNSAFE, "D40", "D00")
