#include "vanishing_point.hpp"

#include "voirie/core/base/monotone_solve.hpp"
#include "voirie/core/geo/camera_geometry.hpp"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <vector>

namespace voirie {
namespace {

struct Line {
    double a, b, c; // a x + b y = c, (a, b) unit
    double length;
    double slope;   // dy/dx
};

// The point nearest (least squares, weighted by length) to the lines kept.
std::optional<cv::Point2d> meet(const std::vector<Line>& lines, const std::vector<bool>& keep)
{
    double saa = 0, sab = 0, sbb = 0, sac = 0, sbc = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (!keep[i])
            continue;
        const auto& l = lines[i];
        const double w = l.length;
        saa += w * l.a * l.a, sab += w * l.a * l.b, sbb += w * l.b * l.b, sac += w * l.a * l.c, sbc += w * l.b * l.c;
    }
    const double det = saa * sbb - sab * sab;
    if (std::abs(det) < 1e-9)
        return std::nullopt;
    return cv::Point2d((sac * sbb - sab * sbc) / det, (saa * sbc - sab * sac) / det);
}

} // namespace

std::optional<VanishingPoint> findVanishingPoint(const cv::Mat& grey)
{
    cv::Mat edges;
    cv::Canny(grey, edges, 60, 150);
    std::vector<cv::Vec4i> segments;
    const double min_length = grey.cols / 16.0;
    cv::HoughLinesP(edges, segments, 1, CV_PI / 360, 40, min_length, 4);
    std::vector<Line> slanted;
    for (const auto& s : segments) {
        const double dx = s[2] - s[0], dy = s[3] - s[1], length = std::hypot(dx, dy);
        const double angle = std::abs(std::atan2(dy, dx)) * 180 / CV_PI; // 0..180
        const double from_level = std::min(angle, 180 - angle);
        Line l{-dy / length, dx / length, 0, length, dx != 0 ? dy / dx : 1e9};
        l.c = l.a * s[0] + l.b * s[1];
        if (from_level >= 15 && from_level <= 80)
            slanted.push_back(l);
    }
    if (slanted.size() < 2)
        return std::nullopt;
    std::vector<bool> keep(slanted.size(), true);
    auto point = meet(slanted, keep);
    // Twice: drop the segments that pass far from the point (texture, other objects) and meet again.
    for (int round = 0; round < 2 && point; ++round) {
        const double tolerance = round == 0 ? grey.cols / 20.0 : grey.cols / 80.0;
        for (size_t i = 0; i < slanted.size(); ++i)
            keep[i] = std::abs(slanted[i].a * point->x + slanted[i].b * point->y - slanted[i].c) < tolerance;
        point = meet(slanted, keep);
    }
    if (!point)
        return std::nullopt;
    int left = 0, right = 0;
    for (size_t i = 0; i < slanted.size(); ++i)
        if (keep[i])
            (slanted[i].slope > 0 ? right : left)++;
    if (left == 0 || right == 0 || point->x < 0 || point->x >= grey.cols || point->y < 0 || point->y >= grey.rows)
        return std::nullopt;
    VanishingPoint vp{point->x, point->y, left + right};
    return vp;
}

double pitchThroughVanishingPoint(CameraModel camera, double vx, double vy)
{
    // The horizon row at vx falls as the pitch rises.
    return solveMonotone(
        [&](double pitch) {
            camera.pitch_deg = pitch;
            return CameraGeometry(camera).horizonRow(vx);
        },
        vy, -5, 60);
}

} // namespace voirie
