// Shared by Voirie's crack detectors: the centre line of a crack's pixels as a polyline.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <vector>

namespace voirie::plugins {

// The pixels binned along their best-fit image line, the median offset across it per bin: a
// polyline that follows a gently curving crack and ignores its ragged edges. Points are clamped
// to the frame. Empty when fewer than two bins hold pixels.
inline std::vector<cv::Point2d> centreLine(const std::vector<cv::Point>& pixels, int bins, cv::Size frame)
{
    std::vector<cv::Point2d> line;
    if (pixels.size() < 2 || bins < 2)
        return line;
    cv::Vec4f fit;
    cv::fitLine(pixels, fit, cv::DIST_L2, 0, 0.01, 0.01);
    const cv::Point2f direction(fit[0], fit[1]), origin(fit[2], fit[3]);
    double lo = 1e18, hi = -1e18;
    for (const auto& p : pixels) {
        const double a = (cv::Point2f(p) - origin).dot(direction);
        lo = std::min(lo, a), hi = std::max(hi, a);
    }
    std::vector<std::vector<float>> offsets(static_cast<size_t>(bins));
    for (const auto& p : pixels) {
        const cv::Point2f d = cv::Point2f(p) - origin;
        const double a = d.dot(direction);
        const int b = std::clamp(int((a - lo) / std::max(1e-6, hi - lo) * bins), 0, bins - 1);
        offsets[size_t(b)].push_back(d.x * -direction.y + d.y * direction.x);
    }
    for (int b = 0; b < bins; ++b) {
        auto& o = offsets[size_t(b)];
        if (o.empty())
            continue;
        std::nth_element(o.begin(), o.begin() + long(o.size() / 2), o.end());
        const double a = lo + (b + 0.5) * (hi - lo) / bins, c = o[o.size() / 2];
        const double x = origin.x + a * direction.x - c * direction.y;
        const double y = origin.y + a * direction.y + c * direction.x;
        line.emplace_back(std::clamp(x, 0.0, double(frame.width)), std::clamp(y, 0.0, double(frame.height)));
    }
    if (line.size() < 2)
        line.clear();
    return line;
}

} // namespace voirie::plugins
