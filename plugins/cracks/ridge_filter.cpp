#include "ridge_filter.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <vector>

namespace voirie::plugins::cracks {

// Dark-ridge strength from the Hessian of the smoothed image: large curvature across a line,
// little along it. Isotropic grain and blobs score low, thin dark lines high. The scale
// follows the distance so a crack's profile fits it near the car and far away.
// The response is divided by the band's own background level (its 90th percentile on the
// road: cracks cover far less than a tenth of it), so thresholds hold across lighting,
// exposure and texture.
cv::Mat ridgeResponse(const cv::Mat& gray, int top, const cv::Mat& road, const sdk::GroundPlane& plane,
                      double min_range, double max_range)
{
    cv::Mat response(gray.size(), CV_32F, cv::Scalar(0));
    const double bands[] = {min_range, 3.0, 5.5, 9.0, 13.0, max_range};
    for (int b = 0; b + 1 < int(std::size(bands)); ++b) {
        const double near = std::max(bands[b], min_range), far = std::min(bands[b + 1], max_range);
        if (near >= far)
            continue;
        auto row_of = [&](double d) {
            auto px = plane.groundToPixel({d, 0});
            return px ? int(std::lround(px->second)) : top;
        };
        const int y0 = std::clamp(row_of(far), top, gray.rows), y1 = std::clamp(row_of(near) + 1, top, gray.rows);
        if (y1 <= y0)
            continue;
        // A 3 cm wide dark line, in pixels at the band's middle distance: across the view, and
        // along it, where perspective squeezes the road (a transverse crack five metres ahead
        // is a quarter as thick in the image as a longitudinal one of the same width; blurred
        // at the lateral scale, thin ones faded into the grain).
        const double middle = (near + far) / 2;
        const double sigma_x = std::clamp(0.03 / plane.lateralMetresPerPixel(middle), 0.8, 4.0);
        const double sigma_y = std::clamp(0.03 / plane.forwardMetresPerPixel(middle), 0.8, 4.0);
        // Only the band's road columns are filtered (far away the corridor is a fraction of
        // the width), with the blur's reach around them.
        const cv::Rect on_road = cv::boundingRect(road.rowRange(y0, y1));
        if (on_road.empty())
            continue;
        const int margin = int(std::ceil(4 * std::max(sigma_x, sigma_y))) + 2;
        const int s0 = std::max(0, y0 - margin), s1 = std::min(gray.rows, y1 + margin);
        const int x0 = std::max(0, on_road.x - margin), x1 = std::min(gray.cols, on_road.br().x + margin);
        const cv::Mat strip = ridgeStrength(gray(cv::Rect(x0, s0, x1 - x0, s1 - s0)), sigma_x, sigma_y);
        std::vector<float> background;
        background.reserve(size_t(on_road.area()));
        for (int y = y0; y < y1; ++y) {
            const float* strength = strip.ptr<float>(y - s0);
            const uchar* on = road.ptr<uchar>(y);
            float* r = response.ptr<float>(y);
            for (int x = x0; x < x1; ++x) {
                r[x] = strength[x - x0];
                if (on[x])
                    background.push_back(r[x]);
            }
        }
        if (background.size() < 100)
            continue;
        std::nth_element(background.begin(), background.begin() + long(background.size() * 9 / 10), background.end());
        const float level = std::max(0.5f, background[background.size() * 9 / 10]);
        response(cv::Rect(x0, y0, x1 - x0, y1 - y0)) /= level;
    }
    return response;
}

// Scale-normalised ridge strength of each pixel of `strip` at scales `sigma_x` across the
// image and `sigma_y` down it (pixels).
// (Computed at half resolution for the near bands it was 20% faster, and lost transverse
// cracks: the thresholds are tuned to this full-resolution response.)
cv::Mat ridgeStrength(const cv::Mat& strip, double sigma_x, double sigma_y)
{
    cv::Mat smooth, xx, yy, xy;
    strip.convertTo(smooth, CV_32F);
    cv::GaussianBlur(smooth, smooth, {0, 0}, sigma_x, sigma_y);
    cv::Sobel(smooth, xx, CV_32F, 2, 0, 3);
    cv::Sobel(smooth, yy, CV_32F, 0, 2, 3);
    cv::Sobel(smooth, xy, CV_32F, 1, 1, 3);
    // Each derivative normalised by its own scales, so a line's strength does not depend on
    // its direction in the image.
    xx *= sigma_x * sigma_x;
    yy *= sigma_y * sigma_y;
    xy *= sigma_x * sigma_y;
    cv::Mat strength(smooth.size(), CV_32F);
    for (int y = 0; y < smooth.rows; ++y) {
        const float* a = xx.ptr<float>(y);
        const float* c = yy.ptr<float>(y);
        const float* d = xy.ptr<float>(y);
        float* r = strength.ptr<float>(y);
        for (int x = 0; x < smooth.cols; ++x) {
            const float half_trace = 0.5f * (a[x] + c[x]);
            const float root = std::sqrt(0.25f * (a[x] - c[x]) * (a[x] - c[x]) + d[x] * d[x]);
            const float across = half_trace + root, along = half_trace - root;
            r[x] = std::max(0.f, across - 2.f * std::abs(along));
        }
    }
    return strength;
}

// Hysteresis with a short reach: seeds grow through weaker ridge pixels by at most a few
// pixels, so a crack's fainter parts join it but the grain's faint worms do not percolate.
cv::Mat growFromSeeds(const cv::Mat& seeds, const cv::Mat& grow)
{
    cv::Mat region = seeds.clone(), next;
    const cv::Mat step = cv::getStructuringElement(cv::MORPH_RECT, {3, 3});
    for (int i = 0; i < 6; ++i) {
        cv::dilate(region, next, step);
        next &= grow;
        next |= seeds;
        if (cv::countNonZero(next != region) == 0)
            break;
        region = next;
    }
    return region;
}

} // namespace voirie::plugins::cracks
