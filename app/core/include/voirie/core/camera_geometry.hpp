// Pinhole camera on a vehicle looking at a flat road: pixel <-> point on the road plane in the
// vehicle frame (metres forward and right of the camera's foot point).
//
// Conventions: image x right, y down; the camera is height_m above the road, pitched pitch_deg
// down (positive looks at the road) and rolled roll_deg clockwise seen from behind.
#pragma once

#include "voirie/core/camera_model.hpp"

#include <optional>
#include <utility>

namespace voirie {

struct GroundPoint {
    double forward = 0; // metres ahead of the camera
    double right = 0;   // metres to the right
};

class CameraGeometry {
public:
    explicit CameraGeometry(const CameraModel& camera);

    // Where the pixel's ray meets the road, or nothing when it points at or above the horizon.
    std::optional<GroundPoint> pixelToGround(double x, double y) const;
    // The pixel that sees a road point, or nothing when the point is behind the camera.
    std::optional<std::pair<double, double>> groundToPixel(const GroundPoint& p) const;
    // Image row of the horizon at column x (rows above it see no road).
    double horizonRow(double x) const;

    const CameraModel& camera() const { return camera_; }

private:
    CameraModel camera_;
    // Camera axes expressed in the vehicle frame (forward, right, up).
    double xa_[3], ya_[3], za_[3];
};

} // namespace voirie
