#include "voirie/core/analysis/evidence_chip.hpp"

#include "voirie/core/vocabulary/damage_classes.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <string>

namespace voirie {
namespace {

cv::Rect clampedRect(const cv::Mat& image, double x0, double y0, double x1, double y1)
{
    const int l = std::clamp(int(std::floor(x0)), 0, image.cols), t = std::clamp(int(std::floor(y0)), 0, image.rows);
    const int r = std::clamp(int(std::ceil(x1)), 0, image.cols), b = std::clamp(int(std::ceil(y1)), 0, image.rows);
    return {l, t, std::max(0, r - l), std::max(0, b - t)};
}

cv::Scalar classColour(const std::string& code)
{
    for (const auto& c : kDamageClasses)
        if (c.code == code) {
            unsigned r = 0, g = 0, b = 0;
            std::sscanf(std::string(c.colour).c_str(), "#%02x%02x%02x", &r, &g, &b);
            return cv::Scalar(b, g, r);
        }
    return cv::Scalar(0, 255, 255);
}

} // namespace

double boxSharpness(const cv::Mat& image, const PixelBox& box)
{
    const cv::Rect r = clampedRect(image, box.x, box.y, box.x + box.width, box.y + box.height);
    if (r.width < 3 || r.height < 3)
        return 0;
    cv::Mat gray, laplacian;
    if (image.channels() == 1)
        gray = image(r);
    else
        cv::cvtColor(image(r), gray, cv::COLOR_BGR2GRAY);
    cv::Laplacian(gray, laplacian, CV_32F);
    cv::Scalar mean, stddev;
    cv::meanStdDev(laplacian, mean, stddev);
    return stddev[0] * stddev[0];
}

cv::Rect evidenceWindow(const cv::Mat& image, const Detection& d)
{
    const double cx = d.box.x + d.box.width / 2, cy = d.box.y + d.box.height / 2;
    const double w = std::max(d.box.width * 2.2, 192.0), h = std::max(d.box.height * 2.2, 144.0);
    constexpr double grow = 96; // a face or plate larger than this is nearer than 1.5 m to the camera
    return clampedRect(image, cx - w / 2 - grow, cy - h / 2 - grow, cx + w / 2 + grow, cy + h / 2 + grow);
}

Detection shiftedInto(const Detection& detection, const cv::Rect& window)
{
    Detection d = detection;
    d.box.x -= window.x;
    d.box.y -= window.y;
    for (auto& p : d.points) {
        p.x -= window.x;
        p.y -= window.y;
    }
    return d;
}

std::vector<unsigned char> cutEvidenceChip(const cv::Mat& image, const Detection& d, int jpeg_quality)
{
    const double cx = d.box.x + d.box.width / 2, cy = d.box.y + d.box.height / 2;
    const double w = std::max(d.box.width * 2.2, 192.0), h = std::max(d.box.height * 2.2, 144.0);
    const cv::Rect r = clampedRect(image, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
    if (r.width < 2 || r.height < 2)
        return {};
    cv::Mat chip = image(r).clone();
    if (chip.channels() == 1)
        cv::cvtColor(chip, chip, cv::COLOR_GRAY2BGR);
    const cv::Scalar colour = classColour(d.class_code);
    const int thickness = std::max(1, int(std::lround(std::max(chip.cols, chip.rows) / 300.0)));
    std::vector<cv::Point> points;
    for (const auto& p : d.points)
        points.emplace_back(int(std::lround(p.x)) - r.x, int(std::lround(p.y)) - r.y);
    if (d.shape != ShapeKind::None && points.size() >= 2)
        cv::polylines(chip, points, d.shape == ShapeKind::Polygon, colour, thickness, cv::LINE_AA);
    else
        cv::rectangle(chip, cv::Rect(int(d.box.x) - r.x, int(d.box.y) - r.y, int(d.box.width), int(d.box.height)), colour,
                      thickness, cv::LINE_AA);
    std::vector<unsigned char> jpeg;
    cv::imencode(".jpg", chip, jpeg, {cv::IMWRITE_JPEG_QUALITY, jpeg_quality});
    return jpeg;
}

} // namespace voirie
