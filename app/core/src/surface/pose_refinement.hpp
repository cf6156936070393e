// Frame positions that follow the measured frame-to-frame motions closely and the GPS loosely:
// least squares of both, solved per axis (a tridiagonal system: memory and time linear in the
// number of frames). Over a few frames the motions win (centimetres), over hundreds of metres the
// GPS does (it has no drift).
#pragma once

#include <opencv2/core.hpp>

#include <optional>
#include <vector>

namespace voirie::surface {

struct PoseRefinementWeights {
    double gps_sigma_m = 2.0;        // how far a GPS position may be off
    double motion_sigma_m = 0.03;    // a registered motion's error
    double unregistered_sigma_m = 0.5; // a GPS step between frames that could not be registered
};

// gps[i]: the GPS position of frame i; motion[i] (i >= 1): the measured displacement from frame
// i-1 to frame i, or nothing (then the GPS step is used, loosely); `linked[i]` false cuts the
// chain before frame i (a gap in the footage).
std::vector<cv::Vec2d> refinePositions(const std::vector<cv::Vec2d>& gps, const std::vector<std::optional<cv::Vec2d>>& motion,
                                       const std::vector<bool>& linked, const PoseRefinementWeights& weights = {});

} // namespace voirie::surface
