// The camera's intrinsics and mounting on the vehicle.
#pragma once

#include <array>

namespace voirie {

// The lens's distortion in OpenCV's models: radial-tangential (k1, k2, p1, p2, k3) or fisheye
// (k1..k4, equidistant). Frames are undistorted as they are read, so everything after ingest
// (plugins, ground projection, chips, the frame view) sees a pinhole camera.
struct LensDistortion {
    enum class Model { none, radial_tangential, fisheye };
    Model model = Model::none;
    std::array<double, 5> k{}; // radial-tangential: k1 k2 p1 p2 k3; fisheye: k1 k2 k3 k4 (and 0)
};

struct CameraModel {
    int width = 0, height = 0; // image size the intrinsics are for
    double fx = 0, fy = 0, cx = 0, cy = 0;
    double height_m = 1.3;  // lens above the road
    double pitch_deg = 12;  // positive looks down
    double roll_deg = 0;
    LensDistortion lens;    // of the intrinsics above
};

} // namespace voirie
