// Where a straight road vanishes in one frame: the lane lines, kerbs and road edges found as line
// segments (OpenCV's Hough transform) meet at one point.
#pragma once

#include "voirie/core/geo/camera_model.hpp"

#include <opencv2/core.hpp>

#include <optional>

namespace voirie {

struct VanishingPoint {
    double x = 0, y = 0;       // pixels in the frame
    int lines = 0;             // segments that agree with it
};

// Nothing when fewer than two slanted segments, at least one leaning each way, agree.
std::optional<VanishingPoint> findVanishingPoint(const cv::Mat& grey);

// The pitch (degrees down) that puts `camera`'s horizon through the vanishing point (vx, vy), for
// the camera's roll.
double pitchThroughVanishingPoint(CameraModel camera, double vx, double vy);

} // namespace voirie
