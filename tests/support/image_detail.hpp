// How much fine detail a region of an image holds: the spread of its Laplacian. Blurring a face
// or a plate (anonymizers) takes most of it away.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace voirie::test {

// Standard deviation of the Laplacian of the region, in grey levels.
inline double laplacianDeviation(const cv::Mat& image, const cv::Rect& region)
{
    cv::Mat grey, edges;
    cv::cvtColor(image(region), grey, cv::COLOR_BGR2GRAY);
    cv::Laplacian(grey, edges, CV_64F);
    cv::Scalar mean, deviation;
    cv::meanStdDev(edges, mean, deviation);
    return deviation[0];
}

} // namespace voirie::test
