// How far a frame's ground patch is off from the frame before it where the two overlap: the
// earlier patch is drawn into the later one's grid through their poses, and phase correlation on
// the overlap measures what is left (metres in the later frame's vehicle frame).
#pragma once

#include "ground_patch.hpp"

#include <opencv2/core.hpp>

#include <optional>

namespace voirie::surface {

struct PatchShift {
    double forward_m = 0, right_m = 0; // the later patch's content lies this far from the earlier's
    double response = 0;              // phase correlation's peak (0..1): how sure
    double length() const;
};

// Nothing when the patches do not overlap enough or the match is not clear (no texture, a jump).
std::optional<PatchShift> measurePatchShift(const GroundPatchGrid& grid, const cv::Mat& earlier, const GridPose& earlier_pose,
                                            const cv::Mat& later, const GridPose& later_pose);

// The correction of the later frame's position (CRS metres) that cancels `shift`.
cv::Vec2d correctionOnGrid(const PatchShift& shift, const GridPose& later_pose);

// The correction of the later frame's position, measured twice: where its pose puts it, then once
// more from where that first correction puts it, the residual added. At decimetres of
// misalignment the overlap compared is cut differently and its far rows bend with the vehicle's
// pitch, and the first reading falls short; from close by the residual reads true.
struct MeasuredCorrection {
    cv::Vec2d correction;  // CRS metres
    PatchShift first_look; // what the first reading measured (the seam before registration)
};
std::optional<MeasuredCorrection> measureCorrection(const GroundPatchGrid& grid, const cv::Mat& earlier,
                                                    const GridPose& earlier_pose, const cv::Mat& later,
                                                    const GridPose& later_pose);

} // namespace voirie::surface
