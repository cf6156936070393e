// The cracks plugin's ridge filter and road corridor on their own, on drawn images whose answer
// is known: a dark line is a ridge and grain is not; the lane line and the edge line are found
// where they were painted.
#include "ridge_filter.hpp"
#include "road_corridor.hpp"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

namespace {

using namespace voirie::plugins;
using namespace voirie::plugins::cracks;

constexpr int kWidth = 1280, kHeight = 720;
constexpr double kMinRange = 1.8, kMaxRange = 16, kLeft = 5.0, kRight = 1.45;

RoadView view() { return RoadView(defaultCamera(kWidth, kHeight), kWidth, kHeight, kMinRange, kMaxRange); }

// Paints `value` at every pixel whose road point lies in the box of forward and right metres.
void paintOnRoad(cv::Mat& image, const RoadView& v, double f0, double f1, double r0, double r1, uchar value)
{
    for (int y = v.topRow(); y < image.rows; ++y)
        for (int x = 0; x < image.cols; ++x) {
            const float f = v.forward(x, y), r = v.right(x, y);
            if (f >= f0 && f <= f1 && r >= r0 && r <= r1)
                image.at<uchar>(y, x) = value;
        }
}

TEST(CracksRidgeFilter, ADarkLineIsARidgeAndFlatGreyOrABrightLineIsNot)
{
    cv::Mat strip(60, 80, CV_8U, cv::Scalar(120));
    cv::line(strip, {40, 0}, {40, 59}, cv::Scalar(60), 2);
    cv::line(strip, {15, 0}, {15, 59}, cv::Scalar(200), 2);
    const cv::Mat s = ridgeStrength(strip, 1.2, 1.2);
    ASSERT_EQ(s.type(), CV_32F);
    EXPECT_GT(s.at<float>(30, 40), 10.f);
    EXPECT_LT(s.at<float>(30, 15), 0.5f);  // bright paint is no crack
    EXPECT_LT(s.at<float>(30, 65), 0.01f); // plain road
    // Along the line the curvature is flat: the response does not depend on the row.
    EXPECT_NEAR(s.at<float>(20, 40), s.at<float>(40, 40), 0.05f * s.at<float>(30, 40));
}

TEST(CracksRidgeFilter, ABlobScoresBelowALineOfTheSameDarkness)
{
    cv::Mat strip(80, 80, CV_8U, cv::Scalar(120));
    cv::line(strip, {20, 5}, {20, 75}, cv::Scalar(60), 2);
    cv::circle(strip, {60, 40}, 6, cv::Scalar(60), cv::FILLED);
    const cv::Mat s = ridgeStrength(strip, 1.2, 1.2);
    double blob_max = 0;
    cv::minMaxLoc(s(cv::Rect(50, 30, 21, 21)), nullptr, &blob_max);
    EXPECT_LT(blob_max, 0.5 * s.at<float>(40, 20));
}

TEST(CracksRidgeFilter, SeedsGrowOnlyAFewPixelsThroughWeakRidges)
{
    cv::Mat seeds(20, 40, CV_8U, cv::Scalar(0)), grow(20, 40, CV_8U, cv::Scalar(0));
    seeds.at<uchar>(10, 2) = 255;
    grow.row(10).setTo(255);     // a faint line along the whole row
    grow.at<uchar>(3, 30) = 255; // a faint pixel touching nothing
    const cv::Mat region = growFromSeeds(seeds, grow);
    // Two pixels of reach as the loop stands (it stops once `region` and `next` share their
    // pixels, after the second step; the thresholds are tuned to that): the grain's worms do not
    // percolate along a faint line.
    EXPECT_EQ(region.at<uchar>(10, 2), 255);
    EXPECT_EQ(region.at<uchar>(10, 4), 255);
    EXPECT_EQ(region.at<uchar>(10, 0), 255);
    EXPECT_EQ(region.at<uchar>(10, 6), 0);
    EXPECT_EQ(region.at<uchar>(3, 30), 0);
    EXPECT_EQ(region.at<uchar>(9, 2), 0); // only where the weak ridge is
    EXPECT_EQ(cv::countNonZero(region), 5);
}

TEST(CracksRidgeFilter, ResponseIsMeasuredAgainstTheRoadsOwnGrain)
{
    const RoadView v = view();
    cv::Mat gray(kHeight, kWidth, CV_8U);
    cv::randn(gray, 110, 6); // asphalt grain
    paintOnRoad(gray, v, 6.0, 6.03, -1.2, 1.0, 40); // a 3 cm transverse crack 6 m ahead
    const cv::Mat road = v.corridorMask(kLeft, kRight);
    const cv::Mat response = ridgeResponse(gray, v.topRow(), road, v.plane(), kMinRange, kMaxRange);
    auto crack_px = v.plane().groundToPixel({6.015, 0.0});
    ASSERT_TRUE(crack_px);
    double on_crack = 0;
    cv::minMaxLoc(response(cv::Rect(int(crack_px->first) - 2, int(crack_px->second) - 3, 5, 7)), nullptr, &on_crack);
    EXPECT_GT(on_crack, 6.5) << "the plugin's default seed threshold";
    auto plain_px = v.plane().groundToPixel({9.0, 0.3});
    ASSERT_TRUE(plain_px);
    const double plain = cv::mean(response(cv::Rect(int(plain_px->first) - 20, int(plain_px->second) - 2, 40, 5)))[0];
    EXPECT_LT(plain, 1.0) << "grain stays at the level the response is divided by";
}

TEST(CracksRoadCorridor, TheLaneLineIsFittedWherePaintLies)
{
    const RoadView v = view();
    const cv::Mat search = v.corridorMask(kLeft + 0.8, kRight + 0.8);
    const cv::Mat bins = distanceBins(v, search, kMinRange, kMaxRange);
    cv::Mat markings(kHeight, kWidth, CV_8U, cv::Scalar(0));
    paintOnRoad(markings, v, 3.0, 14.0, -1.58, -1.42, 255); // the centre line, 1.5 m left
    const auto lane = laneLine(v, bins, markings, v.topRow());
    ASSERT_TRUE(lane);
    EXPECT_NEAR(lane->rightAt(4.0), -1.5, 0.05);
    EXPECT_NEAR(lane->rightAt(12.0), -1.5, 0.05);

    std::vector<cv::Point> beside_line, in_lane;
    for (double f = 5; f < 8; f += 0.1) {
        auto a = v.plane().groundToPixel({f, -1.4}), b = v.plane().groundToPixel({f, 0.2});
        beside_line.emplace_back(int(a->first), int(a->second));
        in_lane.emplace_back(int(b->first), int(b->second));
    }
    EXPECT_TRUE(alongTheLaneLine(beside_line, v, lane));
    EXPECT_FALSE(alongTheLaneLine(in_lane, v, lane));
    EXPECT_FALSE(alongTheLaneLine(beside_line, v, std::nullopt));

    cv::Mat few(kHeight, kWidth, CV_8U, cv::Scalar(0));
    paintOnRoad(few, v, 14.0, 14.05, -1.52, -1.48, 255); // a sliver: too little paint to fit
    EXPECT_FALSE(laneLine(v, bins, few, v.topRow()));
}

TEST(CracksRoadCorridor, TheCorridorStopsShortOfTheEdgeLine)
{
    const RoadView v = view();
    const cv::Mat corridor = v.corridorMask(kLeft, kRight);
    const cv::Mat search = v.corridorMask(kLeft + 0.8, kRight + 0.8);
    const cv::Mat bins = distanceBins(v, search, kMinRange, kMaxRange);
    auto inside = [&](const cv::Mat& mask, double f, double r) {
        auto px = v.plane().groundToPixel({f, r});
        return px && mask.at<uchar>(int(px->second), int(px->first)) != 0;
    };
    // No paint seen: the parameters hold.
    const cv::Mat plain = roadCorridor(v, corridor, bins, cv::Mat(kHeight, kWidth, CV_8U, cv::Scalar(0)), v.topRow(),
                                       kLeft, kRight);
    EXPECT_TRUE(inside(plain, 6.0, 1.3));
    EXPECT_FALSE(inside(plain, 6.0, 1.6));
    // An edge line 1.1 m right: the road stops 12 cm short of it, at every distance it is seen.
    cv::Mat markings(kHeight, kWidth, CV_8U, cv::Scalar(0));
    paintOnRoad(markings, v, 2.0, 15.0, 1.1, 1.25, 255);
    const cv::Mat road = roadCorridor(v, corridor, bins, markings, v.topRow(), kLeft, kRight);
    EXPECT_TRUE(inside(road, 6.0, 0.9));
    EXPECT_FALSE(inside(road, 6.0, 1.0));
    EXPECT_FALSE(inside(road, 6.0, 1.3));
    EXPECT_TRUE(inside(road, 6.0, -2.0)); // the other side is untouched
}

} // namespace
