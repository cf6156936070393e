// How far the road moved between two frames, as the images say: each frame's road ahead (4-10 m unless told)
// seen from above (a bird's-eye patch for an assumed camera), the shift between two patches by
// normalised correlation of their texture. For a camera higher than assumed, every distance on the road is larger by
// the same factor: the shift against the distance the GPS travelled gives the camera's height.
#pragma once

#include "voirie/core/geo/camera_model.hpp"

#include <opencv2/core.hpp>

#include <optional>

namespace voirie {

struct GroundShift {
    double forward_m = 0;  // along the direction of travel, for the assumed camera
    double right_m = 0;    // across it: how far the road's texture moved to the right
    double pattern_forward_m = 0; // how far ahead the matched texture lay in the first frame (its middle)
    double response = 0;   // the correlation at the match (up to 1): how clearly the patches matched
};

class GroundMotion {
public:
    // The patch covers the road from `near` to `far` metres ahead and from `right_min` to
    // `right_max` metres right of the camera.
    explicit GroundMotion(const CameraModel& assumed, double right_min = -1.5, double right_max = 1.5,
                          double near = 4.0, double far = 10.0);
    // The frame's road seen from above (CV_32F), or empty when the camera sees no road there.
    cv::Mat birdsEye(const cv::Mat& grey) const;
    std::optional<GroundShift> shift(const cv::Mat& before, const cv::Mat& after) const;

private:
    cv::Mat to_image_; // bird's-eye pixel -> frame pixel
    cv::Size size_;
    double far_ = 10.0;
    bool valid_ = false;
};

} // namespace voirie
