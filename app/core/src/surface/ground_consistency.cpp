#include "ground_consistency.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace voirie::surface {
namespace {

constexpr double kScale = 0.5;       // compared at twice the patch's pixel size (4 cm by default)
constexpr double kDisagreement = 24; // grey levels: more than lighting, JPEG and blur change
constexpr double kSpeckleM = 0.2;    // disagreements smaller than this are seams and edges, not objects
constexpr double kMarginM = 0.15;    // what is left out is grown by this much

cv::Mat disc(double metres, double pixel_m)
{
    const int radius = std::max(1, int(std::lround(metres / pixel_m / 2)));
    return cv::getStructuringElement(cv::MORPH_ELLIPSE, {2 * radius + 1, 2 * radius + 1});
}

} // namespace

GroundConsistency::GroundConsistency(const GroundPatchGrid& grid) : grid_(grid)
{
    // the size cv::resize gives the grey levels in view()
    const cv::Size small(cv::saturate_cast<int>(grid.cols() * kScale), cv::saturate_cast<int>(grid.rows() * kScale));
    cv::resize(grid.validMask(), small_valid_, small, 0, 0, cv::INTER_NEAREST);
    cv::erode(small_valid_, small_valid_, cv::Mat(), {-1, -1}, 2);
}

ComparedView GroundConsistency::view(const cv::Mat& patch, const cv::Matx33d& patch_to_crs) const
{
    ComparedView v;
    cv::Mat grey, small;
    cv::cvtColor(patch, grey, cv::COLOR_BGR2GRAY);
    cv::resize(grey, small, {}, kScale, kScale, cv::INTER_AREA);
    small.convertTo(v.grey, CV_32F);
    cv::GaussianBlur(v.grey, v.grey, {5, 5}, 1.0);
    v.valid = small_valid_;
    // small pixel -> patch pixel: centres line up
    const double k = 1 / kScale;
    v.small_to_crs = patch_to_crs * cv::Matx33d(k, 0, 0.5 * (k - 1), 0, k, 0.5 * (k - 1), 0, 0, 1);
    return v;
}

cv::Mat GroundConsistency::confirmed(const ComparedView& patch, const std::vector<const ComparedView*>& neighbours) const
{
    const double pixel_m = grid_.resolution() / kScale;
    const cv::Mat speckle = disc(kSpeckleM, pixel_m);
    cv::Mat confirmed = cv::Mat::zeros(patch.grey.size(), CV_8U), seen = confirmed.clone();
    for (const ComparedView* other : neighbours) {
        const cv::Matx33d map = other->small_to_crs.inv() * patch.small_to_crs; // this patch -> the other
        const cv::Mat affine = cv::Mat(map).rowRange(0, 2);
        cv::Mat grey, valid;
        cv::warpAffine(other->grey, grey, affine, patch.grey.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT);
        cv::warpAffine(other->valid, valid, affine, patch.grey.size(), cv::INTER_NEAREST | cv::WARP_INVERSE_MAP,
                       cv::BORDER_CONSTANT);
        cv::Mat both = valid & patch.valid;
        if (cv::countNonZero(both) == 0)
            continue;
        // The two exposures may differ a little: compare after removing the mean difference.
        cv::Mat difference = patch.grey - grey;
        difference -= cv::mean(difference, both)[0];
        cv::Mat disagree = (cv::abs(difference) > kDisagreement) & both;
        cv::morphologyEx(disagree, disagree, cv::MORPH_OPEN, speckle);
        confirmed |= both & ~disagree;
        seen |= both;
    }
    // Left out: what no neighbour confirmed. Where neighbours saw the ground otherwise (an object),
    // with a margin around it; ground that no other frame saw (the drive's ends) without one.
    const cv::Mat refuted = seen & ~confirmed;
    cv::Mat around;
    cv::dilate(refuted, around, disc(2 * kMarginM, pixel_m));
    const cv::Mat kept = confirmed & ~around;
    cv::Mat keep, full;
    kept.convertTo(keep, CV_32F, 1.0 / 255);
    cv::resize(keep, full, {grid_.cols(), grid_.rows()}, 0, 0, cv::INTER_LINEAR);
    return full;
}

} // namespace voirie::surface
