#include "ground_motion.hpp"

#include "voirie/core/geo/camera_geometry.hpp"

#include <opencv2/imgproc.hpp>

#include <cmath>

namespace voirie {
namespace {

constexpr double kCell = 0.03; // metres; columns: right, rows: far to near

} // namespace

GroundMotion::GroundMotion(const CameraModel& assumed, double right_min, double right_max, double near, double far)
    : size_(int(std::lround((right_max - right_min) / kCell)), int(std::lround((far - near) / kCell))), far_(far)
{
    const CameraGeometry geometry(assumed);
    std::vector<cv::Point2f> patch, image;
    for (auto [forward, right] : {std::pair{far, right_min}, {far, right_max}, {near, right_max}, {near, right_min}}) {
        auto pixel = geometry.groundToPixel({forward, right});
        if (!pixel)
            return;
        patch.emplace_back(float((right - right_min) / kCell), float((far - forward) / kCell));
        image.emplace_back(float(pixel->first), float(pixel->second));
    }
    to_image_ = cv::getPerspectiveTransform(patch, image);
    valid_ = true;
}

cv::Mat GroundMotion::birdsEye(const cv::Mat& grey) const
{
    if (!valid_)
        return {};
    cv::Mat patch, out;
    cv::warpPerspective(grey, patch, to_image_, size_, cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
    patch.convertTo(out, CV_32F);
    // The road's texture only: what stays put in the image (vignetting, light falling across the
    // road, the bonnet's shade) would otherwise pull the match towards no motion at all.
    cv::Mat smooth;
    cv::GaussianBlur(out, smooth, {0, 0}, 4.0);
    return out - smooth;
}

std::optional<GroundShift> GroundMotion::shift(const cv::Mat& before, const cv::Mat& after) const
{
    if (before.empty() || after.empty() || before.size() != after.size())
        return std::nullopt;
    // A road point at `forward` in `before` is at forward - d in `after`: d / cell rows lower. The
    // far half of `before` (less a margin each side for drifting across the lane) is searched for
    // in `after`, up to half the patch down. Normalised correlation, not phase correlation: a lane
    // line running the whole patch matches at every forward shift, and phase correlation's
    // whitening gives that line's edges as much weight as the asphalt's grain.
    const int margin = before.cols / 8, max_shift = before.rows / 2;
    const cv::Mat pattern = before(cv::Rect(margin, 0, before.cols - 2 * margin, before.rows - max_shift));
    cv::Mat scores;
    cv::matchTemplate(after, pattern, scores, cv::TM_CCOEFF_NORMED);
    double best = 0;
    cv::Point at;
    cv::minMaxLoc(scores, nullptr, &best, nullptr, &at);
    // Sub-pixel: the parabola through the peak and its neighbours, in each direction.
    auto refine = [&](cv::Point before, cv::Point after) {
        if (before.x < 0 || before.y < 0 || after.x >= scores.cols || after.y >= scores.rows)
            return 0.0;
        const double a = scores.at<float>(before), b = scores.at<float>(at), c = scores.at<float>(after);
        const double curvature = a - 2 * b + c;
        return curvature < 0 ? 0.5 * (a - c) / curvature : 0.0;
    };
    const double dy = at.y + refine({at.x, at.y - 1}, {at.x, at.y + 1});
    const double dx = at.x - margin + refine({at.x - 1, at.y}, {at.x + 1, at.y});
    return GroundShift{dy * kCell, dx * kCell, far_ - pattern.rows * kCell / 2, best};
}

} // namespace voirie
