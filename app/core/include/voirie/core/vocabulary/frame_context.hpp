// What is known about a frame beyond its pixels, as the host keeps it.
#pragma once

#include "voirie/core/geo/camera_model.hpp"

#include <cstdint>
#include <optional>

namespace voirie {

struct GeoPosition {
    double lon = 0, lat = 0;
};

struct FrameContext {
    int64_t frame_index = -1; // -1 for a still image
    std::optional<double> time_unix_s;
    std::optional<GeoPosition> position;
    std::optional<double> heading_deg;
    std::optional<double> speed_mps;
    std::optional<double> chainage_m;
    std::optional<CameraModel> camera;
};

} // namespace voirie
