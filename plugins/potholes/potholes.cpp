// Classical pothole detector: dark, compact, bounded depressions on the road.
#include "../common/road_view.hpp"

#include <voirie/plugin_opencv.hpp>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <memory>

namespace {

using voirie::plugins::RoadView;
using voirie::sdk::Detection;

class PotholeDetector : public voirie::sdk::Detector {
public:
    explicit PotholeDetector(const voirie::sdk::Parameters& p)
        : min_range_(p.getDouble("min_range_m", 1.8)), max_range_(p.getDouble("max_range_m", 16)),
          left_(p.getDouble("corridor_left_m", 5.0)), right_(p.getDouble("corridor_right_m", 1.65)),
          dark_ratio_(p.getDouble("dark_ratio", 0.5)), min_area_(p.getDouble("min_area_m2", 0.02)),
          max_area_(p.getDouble("max_area_m2", 1.6)), min_compactness_(p.getDouble("min_compactness", 0.3))
    {
        if (min_range_ >= max_range_ || min_area_ >= max_area_)
            throw std::invalid_argument("min_range_m/min_area_m2 must be smaller than max_range_m/max_area_m2");
    }

    std::vector<Detection> detect(const voirie::sdk::Frame& frame) override
    {
        const cv::Mat image = voirie::sdk::toMat(frame.image);
        if (image.cols < 64 || image.rows < 48)
            return {};
        const voirie_camera camera = frame.hasCamera() ? *frame.context.camera
                                                       : voirie::plugins::defaultCamera(image.cols, image.rows);
        if (!view_ || !view_->matches(camera, image.cols, image.rows, min_range_, max_range_)) {
            view_ = std::make_unique<RoadView>(camera, image.cols, image.rows, min_range_, max_range_);
            road_ = view_->corridorMask(left_, right_);
        }
        const int top = view_->topRow();
        if (top >= image.rows - 2)
            return {};
        const cv::Rect roi(0, top, image.cols, image.rows - top);
        cv::Mat full_gray;
        cv::cvtColor(image, full_gray, frame.image.pixel_format == VOIRIE_PIXEL_RGB8 ? cv::COLOR_RGB2GRAY : cv::COLOR_BGR2GRAY);
        const cv::Mat gray = full_gray(roi).clone(); // its own borders for the blur below, as before
        cv::Mat road = road_(roi).clone();
        road.setTo(0, voirie::plugins::brightMarkings(full_gray, road_, top)(roi));

        // Darkness relative to the road around: a wide blur is the local road brightness.
        cv::Mat background, ratio;
        cv::blur(gray, background, cv::Size(121, 15));
        gray.convertTo(ratio, CV_32F);
        cv::Mat bg32;
        background.convertTo(bg32, CV_32F, 1.0, 1.0);
        ratio /= bg32;
        // Far away, blur lifts a pothole's darkness: the threshold rises with distance, up to
        // 0.12 more at 16 m (shadows and stains stay out by size and shape, not darkness alone).
        cv::Mat threshold(ratio.size(), CV_32F);
        for (int y = 0; y < threshold.rows; ++y) {
            const double f = view_->forward(image.cols / 2, y + top);
            threshold.row(y).setTo(dark_ratio_ + 0.12 * std::clamp((f - 6.0) / 10.0, 0.0, 1.0));
        }
        cv::Mat dark = (ratio < threshold) & road;
        // Thin dark lines (cracks, seams) are opened away; holes inside a pothole closed.
        cv::morphologyEx(dark, dark, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {2, 2}));
        cv::morphologyEx(dark, dark, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, {5, 5}));
        // The whole depression: the dark core grows over the lit far wall and the broken rim,
        // through anything darker than the road, a limited number of steps.
        const cv::Mat darker = (ratio < 0.9) & road;
        for (int i = 0; i < 15; ++i) {
            cv::Mat grown;
            cv::dilate(dark, grown, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
            grown = (grown & darker) | dark;
            if (cv::countNonZero(grown != dark) == 0)
                break;
            dark = grown;
        }

        std::vector<std::vector<cv::Point>> contours;
        cv::findContours(dark, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
        std::vector<Detection> out;
        for (const auto& contour : contours) {
            if (cv::contourArea(contour) < 3)
                continue;
            // Area and extent on the road plane (the region drawn in its own box: a frame-sized
            // mask per dark spot cost more than the rest of the detector).
            const cv::Rect box = cv::boundingRect(contour);
            cv::Mat mask = cv::Mat::zeros(box.size(), CV_8U);
            cv::drawContours(mask, std::vector<std::vector<cv::Point>>{contour}, 0, cv::Scalar(255), cv::FILLED,
                             cv::LINE_8, cv::noArray(), INT_MAX, -box.tl());
            double area = 0, ratio_sum = 0;
            int count = 0;
            std::vector<cv::Point2f> ground;
            for (int y = box.y; y < box.y + box.height; ++y)
                for (int x = box.x; x < box.x + box.width; ++x) {
                    if (!mask.at<uchar>(y - box.y, x - box.x))
                        continue;
                    const double f = view_->forward(x, y + top);
                    if (f <= 0)
                        continue;
                    area += view_->plane().lateralMetresPerPixel(f) * view_->plane().forwardMetresPerPixel(f);
                    ratio_sum += ratio.at<float>(y, x);
                    ++count;
                    ground.emplace_back(f * 100.0f, view_->right(x, y + top) * 100.0f);
                }
            if (count == 0 || area < min_area_ || area > max_area_)
                continue;
            double extent = 0;
            std::vector<cv::Point2f> hull;
            cv::convexHull(ground, hull);
            for (size_t i = 0; i < hull.size(); ++i)
                for (size_t j = i + 1; j < hull.size(); ++j)
                    extent = std::max(extent, double(cv::norm(hull[i] - hull[j])) / 100.0);
            const double compactness = area / (M_PI * extent * extent / 4.0);
            const double mean_ratio = ratio_sum / count;
            if (extent > 1.6 || compactness < min_compactness_ || mean_ratio > (dark_ratio_ + 0.12) * 1.3)
                continue;
            Detection d;
            d.class_code = "D40";
            // The far wall of a depression faces the camera and is lit, not dark: the pothole
            // reaches above its dark part by about a third of that part's height.
            const double far_wall = 0.35 * box.height, side = 0.06 * box.width + 1;
            d.x = std::max(0.0, box.x - side);
            d.y = std::max(0.0, box.y + top - far_wall);
            d.width = std::min(double(image.cols) - d.x, box.width + 2 * side);
            d.height = std::min(double(image.rows) - d.y, box.height + far_wall + 1);
            d.confidence = std::clamp(0.4 + (dark_ratio_ - mean_ratio) * 1.5 + std::min(0.2, compactness / 4), 0.05, 0.99);
            std::vector<cv::Point> outline;
            cv::approxPolyDP(contour, outline, 1.0, true);
            if (outline.size() >= 3) {
                d.shape = voirie::sdk::Shape::Polygon;
                for (const auto& p : outline)
                    d.points.push_back({double(p.x), double(std::min(p.y + top, image.rows))});
            }
            d.attributes = {{"area_m2", area}, {"extent_m", extent}, {"darkness", 1 - mean_ratio}};
            out.push_back(std::move(d));
        }
        return out;
    }

private:
    double min_range_, max_range_, left_, right_, dark_ratio_, min_area_, max_area_, min_compactness_;
    std::unique_ptr<RoadView> view_;
    cv::Mat road_;
};

} // namespace

VOIRIE_DETECTOR_PLUGIN(PotholeDetector, "potholes", "1.0.0", VOIRIE_THREAD_INSTANCE_SAFE, "D40")
