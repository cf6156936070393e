#include "ground_patch.hpp"

#include "voirie/core/geo/camera_geometry.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace voirie::surface {
namespace {

// 0 at the edge, 1 from `width` inside it, smooth between: pieces fade into each other.
double feather(double inside, double width)
{
    const double u = std::clamp(inside / width, 0.0, 1.0);
    return u * u * (3 - 2 * u);
}

} // namespace

GroundPatchGrid::GroundPatchGrid(const CameraModel& camera, const SurfaceOptions& options)
    : resolution_(options.resolution_m), near_(options.near_m), far_(options.far_m),
      half_width_(options.half_width_m), image_size_(camera.width, camera.height)
{
    rows_ = std::max(1, int(std::lround((far_ - near_) / resolution_)));
    cols_ = std::max(1, int(std::lround(2 * half_width_ / resolution_)));

    // The ground plane maps to the image by a homography: four corners of the patch fix it.
    const CameraGeometry geometry(camera);
    std::vector<cv::Point2f> patch_points, image_points;
    for (const auto& [col, row] : {std::pair{0.0, 0.0}, {cols_ - 1.0, 0.0}, {cols_ - 1.0, rows_ - 1.0}, {0.0, rows_ - 1.0}}) {
        const auto pixel = geometry.groundToPixel({forwardOfRow(row), rightOfColumn(col)});
        patch_points.emplace_back(float(col), float(row));
        image_points.emplace_back(pixel ? cv::Point2f(float(pixel->first), float(pixel->second)) : cv::Point2f(-1e6f, -1e6f));
    }
    patch_to_image_ = cv::Matx33d(cv::getPerspectiveTransform(patch_points, image_points));
    // The patch's edges are straight in the image too: its corners bound what it reads (two
    // pixels more for the bilinear interpolation).
    const cv::Rect corners = cv::boundingRect(image_points);
    image_region_ = cv::Rect(corners.tl() - cv::Point(2, 2), corners.br() + cv::Point(3, 3)) & cv::Rect({0, 0}, image_size_);

    // Where the image has pixels: warp a white image; two pixels of margin against edge blur.
    const cv::Mat white(image_size_, CV_8U, cv::Scalar(255));
    cv::warpPerspective(white, valid_, cv::Mat(patch_to_image_), {cols_, rows_}, cv::INTER_NEAREST | cv::WARP_INVERSE_MAP,
                        cv::BORDER_CONSTANT, cv::Scalar(0));
    cv::erode(valid_, valid_, cv::Mat(), {-1, -1}, 2);

    weights_.create(rows_, cols_, CV_32F);
    const double fade = std::min(0.3, (far_ - near_) / 4);
    for (int row = 0; row < rows_; ++row) {
        const double forward = forwardOfRow(row);
        // Nearer views are sharper and hide what stands on the road further ahead (vehicles): a
        // piece of road comes from the frame that saw it nearest, the next one counts e^-3 as much
        // at a 3 m step.
        const double along = std::exp(-(forward - near_)) * feather(forward - near_, fade) * feather(far_ - forward, fade);
        float* w = weights_.ptr<float>(row);
        const uint8_t* valid = valid_.ptr<uint8_t>(row);
        for (int col = 0; col < cols_; ++col)
            w[col] = valid[col] ? float(along * feather(half_width_ - std::abs(rightOfColumn(col)), fade)) : 0.0f;
    }
}

cv::Mat GroundPatchGrid::warp(const cv::Mat& image) const
{
    cv::Mat patch;
    cv::warpPerspective(image, patch, cv::Mat(patch_to_image_), {cols_, rows_}, cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                        cv::BORDER_CONSTANT, cv::Scalar::all(0));
    return patch;
}

cv::Mat GroundPatchGrid::warp(const cv::Mat& part, cv::Point origin) const
{
    const cv::Matx33d image_to_part(1, 0, -origin.x, 0, 1, -origin.y, 0, 0, 1);
    cv::Mat patch;
    cv::warpPerspective(part, patch, cv::Mat(image_to_part * patch_to_image_), {cols_, rows_},
                        cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    return patch;
}

cv::Matx33d GroundPatchGrid::patchToVehicle() const
{
    return {0, -resolution_, far_ - 0.5 * resolution_, resolution_, 0, -half_width_ + 0.5 * resolution_, 0, 0, 1};
}

cv::Matx33d GroundPatchGrid::vehicleToGrid(const GridPose& pose)
{
    const double s = std::sin(pose.heading) * pose.scale, c = std::cos(pose.heading) * pose.scale;
    // forward = (sin, cos) on the grid, right = (cos, -sin)
    return {s, c, pose.x, c, -s, pose.y, 0, 0, 1};
}

} // namespace voirie::surface
