// A detection as the host keeps it, copied out of the plugin's C structs and validated.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace voirie {

enum class ShapeKind { None = 0, Polyline = 1, Polygon = 2 };
enum class Severity { Unknown = 0, Low = 1, Medium = 2, High = 3 };

struct PixelPoint {
    double x = 0, y = 0;
};

struct PixelBox {
    double x = 0, y = 0, width = 0, height = 0;
};

struct Detection {
    std::string plugin_id;
    std::string plugin_version;
    std::string class_code;
    double confidence = 0;
    PixelBox box;
    ShapeKind shape = ShapeKind::None;
    std::vector<PixelPoint> points;
    Severity severity_hint = Severity::Unknown;
    std::vector<std::pair<std::string, double>> attributes;
};

} // namespace voirie
