// A frame's road region resampled onto the ground: a grid in the vehicle's frame (rows from the
// far range at the top to the near range at the bottom, columns from left to right of the
// camera's line), filled from the image through the camera's ground-plane homography.
#pragma once

#include "voirie/core/geo/camera_model.hpp"
#include "voirie/core/surface/surface_mosaic.hpp"

#include <opencv2/core.hpp>

namespace voirie::surface {

// A frame's position on the output grid: CRS metres, the vehicle's heading on the grid (radians,
// clockwise from grid north) and the CRS's scale there (grid metres per ground metre).
struct GridPose {
    double x = 0, y = 0, heading = 0, scale = 1;
};

class GroundPatchGrid {
public:
    GroundPatchGrid(const CameraModel& camera, const SurfaceOptions& options);

    int rows() const { return rows_; }
    int cols() const { return cols_; }
    double resolution() const { return resolution_; }
    double forwardOfRow(double row) const { return far_ - (row + 0.5) * resolution_; }
    double rightOfColumn(double col) const { return -half_width_ + (col + 0.5) * resolution_; }
    double rowOfForward(double forward) const { return (far_ - forward) / resolution_ - 0.5; }
    double nearRange() const { return near_; }
    double farRange() const { return far_; }
    double halfWidth() const { return half_width_; }

    // The image's road region on the grid (BGR); pixels the camera does not see are black and
    // zero in validMask().
    cv::Mat warp(const cv::Mat& image) const;
    // The same from a part of the image whose top left corner is `origin` in the image (the band
    // that was anonymized): imageRegion() must lie inside it.
    cv::Mat warp(const cv::Mat& part, cv::Point origin) const;
    // The image pixels the patch is read from: a box around the band of road between the near
    // and the far range inside the corridor (clipped to the image).
    cv::Rect imageRegion() const { return image_region_; }
    const cv::Mat& validMask() const { return valid_; } // CV_8U, 255 where the camera sees the road
    // How much each patch pixel counts in the mosaic (CV_32F): nearer views first, edges feathered.
    const cv::Mat& weights() const { return weights_; }

    // 3x3 affine: patch pixel (col, row, 1) -> vehicle frame (forward, right, 1).
    cv::Matx33d patchToVehicle() const;
    // 3x3 affine: vehicle frame (forward, right, 1) -> CRS (x, y, 1) at `pose`.
    static cv::Matx33d vehicleToGrid(const GridPose& pose);

private:
    int rows_ = 0, cols_ = 0;
    double resolution_, near_, far_, half_width_;
    cv::Size image_size_;
    cv::Matx33d patch_to_image_;
    cv::Rect image_region_;
    cv::Mat valid_, weights_;
};

} // namespace voirie::surface
