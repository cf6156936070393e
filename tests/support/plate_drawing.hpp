// A licence plate to find: an EU-style plate on a car's rear, rendered by the tests themselves so
// that nothing identifies a real vehicle.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace voirie::test {

// A plate `width` px wide on a dark car's rear, its top left corner at (x, y); the plate's box.
inline cv::Rect drawPlate(cv::Mat& image, int x, int y, int width)
{
    const int h = int(width / 4.7);
    cv::rectangle(image, {x - 60, y - 50}, {x + width + 60, y + h + 40}, cv::Scalar(50, 40, 40), cv::FILLED); // car
    cv::rectangle(image, {x, y}, {x + width, y + h}, cv::Scalar::all(235), cv::FILLED);
    cv::rectangle(image, {x, y}, {x + std::max(3, width / 12), y + h}, cv::Scalar(20, 60, 160), cv::FILLED);
    cv::rectangle(image, {x, y}, {x + width, y + h}, cv::Scalar::all(20), 1);
    cv::putText(image, "AB-123-CD", {x + width / 10, y + int(h * 0.8)}, cv::FONT_HERSHEY_SIMPLEX, width / 190.0,
                cv::Scalar::all(10), std::max(1, width / 60));
    return {x, y, width, h};
}

} // namespace voirie::test
