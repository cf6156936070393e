// The camera's intrinsics and mounting on the vehicle.
#pragma once

namespace voirie {

struct CameraModel {
    int width = 0, height = 0; // image size the intrinsics are for
    double fx = 0, fy = 0, cx = 0, cy = 0;
    double height_m = 1.3;  // lens above the road
    double pitch_deg = 12;  // positive looks down
    double roll_deg = 0;
};

} // namespace voirie
