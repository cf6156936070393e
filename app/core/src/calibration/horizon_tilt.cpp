#include "horizon_tilt.hpp"

#include "voirie/core/base/monotone_solve.hpp"
#include "voirie/core/base/statistics.hpp"
#include "voirie/core/geo/camera_geometry.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace voirie {
namespace {

constexpr double kRangeDeg = 10;   // edges leaning more than this are not the horizon's
constexpr double kBinDeg = 0.1;
constexpr int kBins = int(2 * kRangeDeg / kBinDeg) + 1;
constexpr int kStretchFrames = 60; // 6 s at 10 frames a second

// Adds each pixel's edge angle in the band, weighted by how strongly one direction dominates there
// (the structure tensor's eigenvalue difference): blur and the tensor's window, a few pixels wide,
// read a jagged rendered or compressed edge at its mean angle, not as level steps.
void addEdgeAngles(const cv::Mat& band, std::vector<double>& histogram)
{
    cv::Mat f, gx, gy;
    band.convertTo(f, CV_32F);
    cv::GaussianBlur(f, f, {0, 0}, 1.5);
    cv::Sobel(f, gx, CV_32F, 1, 0);
    cv::Sobel(f, gy, CV_32F, 0, 1);
    cv::Mat jxx = gx.mul(gx), jyy = gy.mul(gy), jxy = gx.mul(gy);
    for (cv::Mat* m : {&jxx, &jyy, &jxy})
        cv::GaussianBlur(*m, *m, {0, 0}, 3.0);
    for (int y = 0; y < band.rows; ++y) {
        const float *xx = jxx.ptr<float>(y), *yy = jyy.ptr<float>(y), *xy = jxy.ptr<float>(y);
        for (int x = 0; x < band.cols; ++x) {
            const double diff = double(xx[x]) - yy[x], cross = 2.0 * xy[x];
            // The gradient's direction; the edge runs at right angles to it.
            const double gradient = 0.5 * std::atan2(cross, diff) * 180 / M_PI;
            const double edge = std::remainder(gradient - 90.0, 180.0);
            if (std::abs(edge) >= kRangeDeg)
                continue;
            histogram[size_t(std::lround((edge + kRangeDeg) / kBinDeg))] += std::sqrt(diff * diff + cross * cross);
        }
    }
}

// The peak of the histogram smoothed over half a degree, refined by the mean within a degree of it.
std::optional<double> peakAngle(const std::vector<double>& histogram)
{
    int best = -1;
    double best_sum = 0;
    for (int i = 2; i + 2 < kBins; ++i) {
        double sum = 0;
        for (int k = -2; k <= 2; ++k)
            sum += histogram[size_t(i + k)];
        if (sum > best_sum)
            best_sum = sum, best = i;
    }
    if (best < 0)
        return std::nullopt;
    double weight = 0, moment = 0;
    for (int i = std::max(0, best - 10); i <= std::min(kBins - 1, best + 10); ++i) {
        weight += histogram[size_t(i)];
        moment += histogram[size_t(i)] * (i * kBinDeg - kRangeDeg);
    }
    return moment / weight;
}

} // namespace

std::optional<HorizonTilt> measureHorizonTilt(const std::vector<cv::Mat>& greys, double horizon_row)
{
    if (greys.empty())
        return std::nullopt;
    const int rows = greys.front().rows, cols = greys.front().cols;
    // A band a tenth of the frame high about the horizon: the sky and the near road carry no
    // level edges, only clouds, kerbs and lane lines.
    const int top = std::clamp(int(horizon_row - 0.05 * rows), 0, rows - 1);
    const int bottom = std::clamp(int(horizon_row + 0.05 * rows), top + 1, rows);
    if (bottom - top < 8)
        return std::nullopt;
    const cv::Rect band(0, top, cols, bottom - top);
    std::vector<double> total(kBins, 0.0), stretch(kBins, 0.0);
    std::vector<double> angles;
    int in_stretch = 0;
    for (size_t i = 0; i < greys.size(); ++i) {
        addEdgeAngles(greys[i](band), stretch);
        if (++in_stretch == kStretchFrames || i + 1 == greys.size()) {
            if (in_stretch >= kStretchFrames / 2) // a last stretch of under 3 s only counts in the total
                if (auto a = peakAngle(stretch))
                    angles.push_back(*a);
            in_stretch = 0;
            for (int b = 0; b < kBins; ++b)
                total[size_t(b)] += stretch[size_t(b)];
            std::fill(stretch.begin(), stretch.end(), 0.0);
        }
    }
    auto angle = peakAngle(total);
    if (!angle || angles.size() < 3)
        return std::nullopt;
    const double spread = robustSpread(angles); // robust to a stretch under a bridge
    if (spread > 1.5) // the stretches disagree: no one level structure to read
        return std::nullopt;
    return HorizonTilt{*angle, spread / std::sqrt(double(angles.size())), int(angles.size())};
}

double rollForHorizonTilt(CameraModel camera, double angle_deg)
{
    // The horizon's angle over the middle half of the frame grows with the roll.
    const double half = camera.width / 4.0;
    return solveMonotone(
        [&](double roll) {
            camera.roll_deg = roll;
            const CameraGeometry geometry(camera);
            return std::atan2(geometry.horizonRow(camera.cx + half) - geometry.horizonRow(camera.cx - half), 2 * half) * 180 / M_PI;
        },
        angle_deg, -30, 30);
}

} // namespace voirie
