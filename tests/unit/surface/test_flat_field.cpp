// The survey's flat field: patches of random road seen through a vignetting camera average to the
// vignette, and the gain undoes it; too few frames change nothing.
#include "flat_field.hpp"

#include <opencv2/imgproc.hpp>

#include <gtest/gtest.h>

namespace {

using namespace voirie::surface;

TEST(FlatField, UndoesTheCamerasVignettingAveragedOverTheSurvey)
{
    const cv::Size size(400, 600);
    // What the camera sees of the patch (a trapezoid, as a road region), and its vignette: darker
    // towards the near corners, down to 0.65.
    cv::Mat valid = cv::Mat::zeros(size, CV_8U);
    const std::vector<cv::Point> road{{60, 0}, {340, 0}, {399, 599}, {0, 599}};
    cv::fillConvexPoly(valid, road, cv::Scalar(255));
    cv::Mat vignette(size, CV_32F);
    for (int r = 0; r < size.height; ++r)
        for (int c = 0; c < size.width; ++c) {
            const double x = (c - 200) / 200.0, y = r / 600.0;
            vignette.at<float>(r, c) = float(1 - 0.35 * x * x * y);
        }
    FlatField field;
    cv::RNG rng(5);
    for (int frame = 0; frame < 60; ++frame) {
        cv::Mat road_grey(size, CV_32F), patch;
        rng.fill(road_grey, cv::RNG::NORMAL, 120, 25);
        cv::GaussianBlur(road_grey, road_grey, {0, 0}, 2);
        cv::Mat seen = road_grey.mul(vignette);
        seen.setTo(0, valid == 0);
        seen.convertTo(patch, CV_8U);
        cv::cvtColor(patch, patch, cv::COLOR_GRAY2BGR);
        if (frame == 10)
            EXPECT_EQ(cv::countNonZero(field.gain(valid) != 1), 0) << "ten frames are too few to tell the camera from the road";
        field.add(patch);
    }
    const cv::Mat gain = field.gain(valid);
    cv::Mat inner;
    cv::erode(valid, inner, cv::Mat(), {-1, -1}, 20);
    const cv::Mat flattened = gain.mul(vignette);
    cv::Scalar mean, spread, before;
    cv::meanStdDev(flattened, mean, spread, inner);
    cv::meanStdDev(vignette, mean, before, inner);
    EXPECT_LT(spread[0], 0.25 * before[0]) << "the flattened field still varies";
    EXPECT_EQ(cv::countNonZero((gain != 1) & (valid == 0)), 0) << "outside the road the gain is 1";
    // A patch through the gain: its near corners are brightened, its far middle is not.
    const cv::Mat grey(size, CV_8UC3, cv::Scalar::all(100));
    const cv::Mat out = applyGain(grey, gain);
    EXPECT_GT(out.at<cv::Vec3b>(580, 30)[0], out.at<cv::Vec3b>(20, 200)[0] + 15);
}

} // namespace
