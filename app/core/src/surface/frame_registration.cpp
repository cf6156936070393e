#include "frame_registration.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace voirie::surface {
namespace {

constexpr double kMinOverlapM = 1.5;  // shorter overlaps give no reliable match
constexpr double kMinResponse = 0.08; // below it the peak is noise (measured on asphalt texture)
constexpr double kMaxShiftM = 2.0;
constexpr double kBandM = 4.0;
constexpr double kMinContrast = 2.0;  // grey levels (standard deviation) below which there is nothing to match

} // namespace

double PatchShift::length() const { return std::hypot(forward_m, right_m); }

std::optional<PatchShift> measurePatchShift(const GroundPatchGrid& grid, const cv::Mat& earlier, const GridPose& earlier_pose,
                                            const cv::Mat& later, const GridPose& later_pose)
{
    // later patch pixel -> vehicle -> grid -> earlier vehicle -> earlier patch pixel
    const cv::Matx33d to_vehicle = grid.patchToVehicle();
    const cv::Matx33d map = to_vehicle.inv() * GroundPatchGrid::vehicleToGrid(earlier_pose).inv() *
                            GroundPatchGrid::vehicleToGrid(later_pose) * to_vehicle;

    // The overlap: the later frame's rows that the earlier one also saw, away from the edges.
    const double step = std::hypot(later_pose.x - earlier_pose.x, later_pose.y - earlier_pose.y) / later_pose.scale;
    // Only its nearest metres: where the mosaic joins the two frames, and where the earlier frame's
    // view is least bent by the vehicle pitching (an error that grows with the distance squared).
    const double near = grid.nearRange() + 0.2, far = std::min(grid.farRange() - step - 0.3, near + kBandM);
    if (far - near < kMinOverlapM)
        return std::nullopt;
    const int top = std::max(0, int(std::ceil(grid.rowOfForward(far))));
    const int bottom = std::min(grid.rows(), int(std::floor(grid.rowOfForward(near))) + 1);
    const int margin = int(std::ceil(0.3 / grid.resolution()));
    const cv::Rect band(margin, top, grid.cols() - 2 * margin, bottom - top);
    if (band.width < 16 || band.height < 16)
        return std::nullopt;

    // The earlier patch drawn into the band only (a third of the patch: the rest is never compared).
    const cv::Matx33d band_map = map * cv::Matx33d(1, 0, band.x, 0, 1, band.y, 0, 0, 1);
    const cv::Mat affine = cv::Mat(band_map).rowRange(0, 2);
    cv::Mat earlier_band, earlier_valid;
    cv::warpAffine(earlier, earlier_band, affine, band.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT);
    cv::warpAffine(grid.validMask(), earlier_valid, affine, band.size(), cv::INTER_NEAREST | cv::WARP_INVERSE_MAP,
                   cv::BORDER_CONSTANT);
    const double seen = std::min(cv::countNonZero(earlier_valid), cv::countNonZero(grid.validMask()(band)));
    if (seen < 0.9 * band.area())
        return std::nullopt;

    // At half resolution: enough for the asphalt's grain, and a quarter of the work.
    auto prepared = [&](const cv::Mat& patch) {
        cv::Mat gray, small, f;
        cv::cvtColor(patch, gray, cv::COLOR_BGR2GRAY);
        cv::resize(gray, small, {}, 0.5, 0.5, cv::INTER_AREA);
        small.convertTo(f, CV_32F);
        return f;
    };
    const cv::Mat a = prepared(earlier_band), b = prepared(later(band));
    // Phase correlation on a featureless road (fresh asphalt in the dark) finds a peak in noise.
    cv::Scalar mean_a, spread_a, mean_b, spread_b;
    cv::meanStdDev(a, mean_a, spread_a);
    cv::meanStdDev(b, mean_b, spread_b);
    if (spread_a[0] < kMinContrast || spread_b[0] < kMinContrast)
        return std::nullopt;
    cv::Mat window;
    cv::createHanningWindow(window, a.size(), CV_32F);
    double response = 0;
    const cv::Point2d moved = cv::phaseCorrelate(a, b, window, &response);
    PatchShift shift;
    const double metres_per_pixel = grid.resolution() * double(band.width) / a.cols;
    shift.right_m = moved.x * metres_per_pixel;
    shift.forward_m = -moved.y * metres_per_pixel;
    shift.response = response;
    if (!std::isfinite(response) || !std::isfinite(shift.length()) || response < kMinResponse || shift.length() > kMaxShiftM)
        return std::nullopt;
    return shift;
}

cv::Vec2d correctionOnGrid(const PatchShift& shift, const GridPose& later_pose)
{
    // The later frame saw a ground point `shift` further than the earlier frame's pose puts it: its
    // own position must move back by as much.
    const cv::Matx33d to_grid = GroundPatchGrid::vehicleToGrid(later_pose);
    return {-(to_grid(0, 0) * shift.forward_m + to_grid(0, 1) * shift.right_m),
            -(to_grid(1, 0) * shift.forward_m + to_grid(1, 1) * shift.right_m)};
}

std::optional<MeasuredCorrection> measureCorrection(const GroundPatchGrid& grid, const cv::Mat& earlier,
                                                    const GridPose& earlier_pose, const cv::Mat& later,
                                                    const GridPose& later_pose)
{
    const auto first = measurePatchShift(grid, earlier, earlier_pose, later, later_pose);
    if (!first)
        return std::nullopt;
    MeasuredCorrection measured{correctionOnGrid(*first, later_pose), *first};
    GridPose moved = later_pose;
    moved.x += measured.correction[0];
    moved.y += measured.correction[1];
    if (const auto again = measurePatchShift(grid, earlier, earlier_pose, later, moved))
        measured.correction += correctionOnGrid(*again, moved);
    return measured;
}

} // namespace voirie::surface
