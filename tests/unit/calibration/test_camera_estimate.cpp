// The camera worked out from footage: the vanishing point and horizon on a drawn image, the road's
// image motion on generated frames, and the whole estimate on a generated survey with a mounting
// unlike the default.
#include "test_support.hpp"

#include "ground_motion.hpp"
#include "horizon_tilt.hpp"
#include "vanishing_point.hpp"

#include "voirie/core/calibration/camera_estimate.hpp"
#include "voirie/core/geo/camera_geometry.hpp"
#include "voirie/sample/mp4_gps_embedding.hpp"
#include "voirie/sample/survey_generator.hpp"

#include <opencv2/imgproc.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace {

using namespace voirie;
using voirie::test::TempDir;

TEST(VanishingPoint, WhereLaneLinesMeet)
{
    cv::Mat grey(360, 640, CV_8U, cv::Scalar(90));
    const cv::Point2d vp(350, 140);
    cv::rectangle(grey, {0, 0}, {639, int(vp.y)}, cv::Scalar(200), cv::FILLED); // sky
    for (double bottom_x : {-300.0, 60.0, 330.0, 620.0, 950.0}) {
        const cv::Point2d bottom(bottom_x, 359);
        const cv::Point2d start = vp + 0.25 * (bottom - vp); // lines stop short of the point, as real ones do
        cv::line(grey, start, bottom, cv::Scalar(235), 3, cv::LINE_AA);
    }
    auto found = findVanishingPoint(grey);
    ASSERT_TRUE(found);
    EXPECT_NEAR(found->x, vp.x, 3.0);
    EXPECT_NEAR(found->y, vp.y, 3.0);
    EXPECT_GE(found->lines, 4);
    EXPECT_FALSE(findVanishingPoint(cv::Mat(360, 640, CV_8U, cv::Scalar(90)))) << "a blank frame has none";
}

// Frames of a leaning horizon: a far edge of the road at the given angle, rows of windows parallel
// to it, and slanted kerbs and building edges that are not level in the world.
std::vector<cv::Mat> leaningFrames(double angle_deg, int count)
{
    std::vector<cv::Mat> frames;
    const double slope = std::tan(angle_deg * M_PI / 180), horizon = 150;
    cv::RNG rng(5);
    for (int i = 0; i < count; ++i) {
        cv::Mat grey(360, 640, CV_8U, cv::Scalar(200));
        const double wobble = rng.uniform(-3.0, 3.0); // the vehicle pitching: the horizon moves, its lean stays
        std::vector<cv::Point> ground{{0, int(horizon + wobble - 320 * slope)}, {639, int(horizon + wobble + 319 * slope)}, {639, 359}, {0, 359}};
        cv::fillPoly(grey, std::vector<std::vector<cv::Point>>{ground}, cv::Scalar(110), cv::LINE_AA);
        for (int row = 1; row <= 3; ++row) { // windows in a facade across the view, parallel to the horizon
            const double y = horizon + wobble - 6.0 * row;
            cv::line(grey, {200, int(std::lround(y - 120 * slope))}, {440, int(std::lround(y + 120 * slope))}, cv::Scalar(80), 1, cv::LINE_AA);
        }
        for (int k = 0; k < 4; ++k) { // kerbs and outlines at other angles
            const double x = rng.uniform(0.0, 640.0);
            cv::line(grey, {int(x), 120}, {int(x + rng.uniform(-80.0, 80.0)), 180}, cv::Scalar(30), 2, cv::LINE_AA);
        }
        frames.push_back(grey);
    }
    return frames;
}

TEST(HorizonTilt, ReadsTheLeanOfLevelEdgesAboutTheHorizon)
{
    for (double angle : {-3.0, 0.0, 2.0}) {
        auto tilt = measureHorizonTilt(leaningFrames(angle, 240), 150);
        ASSERT_TRUE(tilt) << angle;
        EXPECT_NEAR(tilt->angle_deg, angle, 0.15) << angle;
        EXPECT_EQ(tilt->stretches, 4);
        EXPECT_LT(tilt->error_deg, 0.2);
    }
    // Nothing level to read: a blank band, or too short a drive to compare stretches.
    EXPECT_FALSE(measureHorizonTilt(std::vector<cv::Mat>(240, cv::Mat(360, 640, CV_8U, cv::Scalar(90))), 150));
    EXPECT_FALSE(measureHorizonTilt(leaningFrames(1.0, 100), 150));
}

TEST(HorizonTilt, TheRollThatLeansTheCamerasHorizon)
{
    CameraModel c;
    c.width = 640, c.height = 360;
    c.fx = c.fy = 320 / std::tan(50 * M_PI / 180); // 100 degrees across
    c.cx = 320, c.cy = 180;
    c.height_m = 1.5, c.pitch_deg = 14;
    for (double roll : {-3.0, 0.0, 2.5}) {
        c.roll_deg = roll;
        const CameraGeometry g(c);
        const double lean = std::atan2(g.horizonRow(480) - g.horizonRow(160), 320) * 180 / M_PI;
        c.roll_deg = 0;
        EXPECT_NEAR(rollForHorizonTilt(c, lean), roll, 1e-6);
        EXPECT_NEAR(std::abs(lean), std::abs(roll), 0.2) << "near the horizon the lean is about the roll";
    }
}

sample::GeneratorSettings mounting()
{
    sample::GeneratorSettings s;
    s.seed = 17;
    s.length_m = 200;
    s.width = 640, s.height = 360;
    s.camera_height_m = 1.8;
    s.camera_pitch_deg = 15;
    s.camera_roll_deg = 2;
    s.camera_hfov_deg = 100;
    s.gps_noise_m = 0;
    return s;
}

TEST(GroundMotion, TheRoadsShiftScalesWithTheCamerasHeight)
{
    const auto s = mounting();
    sample::SurveyGenerator generator(s);
    CameraModel unit = generator.camera();
    unit.height_m = 1.0; // what the estimate assumes
    const GroundMotion motion(unit);
    std::vector<double> heights;
    for (int frame = 30; frame < 200; frame += 20) {
        cv::Mat a, b;
        cv::cvtColor(generator.renderFrame(frame), a, cv::COLOR_BGR2GRAY);
        cv::cvtColor(generator.renderFrame(frame + 3), b, cv::COLOR_BGR2GRAY);
        auto shift = motion.shift(motion.birdsEye(a), motion.birdsEye(b));
        ASSERT_TRUE(shift);
        EXPECT_GT(shift->response, 0.3) << frame;
        const double travelled = 3 / s.fps * s.speed_kmh / 3.6; // about: the speed wavers by 4 %
        heights.push_back(travelled / shift->forward_m);
    }
    std::sort(heights.begin(), heights.end());
    EXPECT_NEAR(heights[heights.size() / 2], s.camera_height_m, 0.1 * s.camera_height_m);
}

TEST(CameraEstimate, FindsAMountingUnlikeTheDefaultFromAGeneratedDrive)
{
    TempDir dir;
    const auto s = mounting();
    sample::SurveyGenerator generator(s);
    ASSERT_TRUE(generator.write(dir.path() / "s", {}));
    IngestOptions ingest;
    ingest.videos = {dir.path() / "s/survey.mp4"};
    ingest.track = dir.path() / "s/survey.gpx";
    CalibrationOptions options;
    options.hfov_deg = s.camera_hfov_deg;
    auto estimate = estimateCamera(ingest, options);
    ASSERT_TRUE(estimate) << estimate.error();
    EXPECT_EQ(estimate->pitch_deg.source, "estimated");
    EXPECT_EQ(estimate->roll_deg.source, "estimated") << estimate->roll_deg.how;
    EXPECT_EQ(estimate->height_m.source, "estimated");
    EXPECT_EQ(estimate->hfov_deg.source, "given");
    EXPECT_NEAR(estimate->pitch_deg.value, s.camera_pitch_deg, 0.5);
    EXPECT_NEAR(estimate->roll_deg.value, s.camera_roll_deg, 0.5);
    EXPECT_GT(estimate->roll_deg.uncertainty, 0.0);
    EXPECT_EQ(estimate->camera.roll_deg, estimate->roll_deg.value);
    EXPECT_NEAR(estimate->height_m.value, s.camera_height_m, 0.1 * s.camera_height_m);
    EXPECT_EQ(estimate->camera.height_m, estimate->height_m.value);

    // Without a field of view and a height it says what it assumed.
    options.hfov_deg.reset();
    options.height_m = 1.8;
    auto assumed = estimateCamera(ingest, options);
    ASSERT_TRUE(assumed);
    EXPECT_EQ(assumed->hfov_deg.source, "default");
    EXPECT_EQ(assumed->height_m.source, "given");
}

// A 300 m drive at 640x360 that turns by some 40 degrees, seen by the mounting given.
sample::GeneratorSettings turningDrive(uint64_t seed, double height_m, double pitch_deg, double roll_deg, double hfov_deg)
{
    sample::GeneratorSettings s;
    s.seed = seed;
    s.length_m = 300;
    s.width = 640, s.height = 360;
    s.camera_height_m = height_m;
    s.camera_pitch_deg = pitch_deg;
    s.camera_roll_deg = roll_deg;
    s.camera_hfov_deg = hfov_deg;
    return s;
}

// The drive written under `dir`, read with its GPS smoothed as analyses do.
Result<IngestOptions> writeDrive(const TempDir& dir, const sample::GeneratorSettings& s)
{
    sample::SurveyGenerator generator(s);
    if (!generator.write(dir.path() / "s", {}))
        return fail("the drive could not be written");
    IngestOptions ingest;
    ingest.videos = {dir.path() / "s/survey.mp4"};
    ingest.track = dir.path() / "s/survey.gpx";
    ingest.cleaning.smoothing_s = kRecommendedSmoothingSeconds;
    return ingest;
}

// The camera worked out from the drive written under `dir`.
Result<CameraEstimate> estimateOnDrive(const TempDir& dir, const sample::GeneratorSettings& s)
{
    auto ingest = writeDrive(dir, s);
    if (!ingest)
        return fail(ingest.error());
    return estimateCamera(*ingest);
}

TEST(CameraEstimate, TheFieldOfViewFromTheTurns)
{
    // A wide lens, GPS with the generator's 1.7 m of noise, 27 s of driving: the field of view
    // within 5 % and within twice the uncertainty stated. A 120-degree lens pitched 18 degrees
    // down turns that into the pitch: the pitch found must be the one that puts the true horizon
    // through the vanishing point for the focal length found (4 % of field of view there is 10 %
    // of focal length and 1.5 degrees of pitch).
    TempDir dir;
    const auto s = turningDrive(44, 2.2, 18, 3, 120);
    auto estimate = estimateOnDrive(dir, s);
    ASSERT_TRUE(estimate) << estimate.error();
    ASSERT_EQ(estimate->hfov_deg.source, "estimated") << estimate->hfov_deg.how;
    EXPECT_NEAR(estimate->hfov_deg.value, s.camera_hfov_deg, 0.05 * s.camera_hfov_deg);
    EXPECT_GT(estimate->hfov_deg.uncertainty, 0.0);
    EXPECT_NEAR(estimate->hfov_deg.value, s.camera_hfov_deg, 2 * estimate->hfov_deg.uncertainty);
    EXPECT_NE(estimate->hfov_deg.how.find("laid over the GPS fixes"), std::string::npos) << estimate->hfov_deg.how;
    auto halfTan = [](double hfov_deg) { return std::tan(hfov_deg / 2 * M_PI / 180); };
    const double horizon_below_centre = std::tan(s.camera_pitch_deg * M_PI / 180) / halfTan(s.camera_hfov_deg);
    const double pitch_for_focal_found =
        std::atan(horizon_below_centre * halfTan(estimate->hfov_deg.value)) * 180 / M_PI;
    EXPECT_NEAR(estimate->pitch_deg.value, pitch_for_focal_found, 0.5);
    // The pitch's stated uncertainty carries the focal length's: the true pitch within twice it.
    EXPECT_NEAR(estimate->pitch_deg.value, s.camera_pitch_deg, 2 * estimate->pitch_deg.uncertainty);
    EXPECT_NE(estimate->pitch_deg.how.find("for the field of view from the turns"), std::string::npos)
        << estimate->pitch_deg.how;
    EXPECT_NEAR(estimate->height_m.value, s.camera_height_m, 0.1 * s.camera_height_m);
}

TEST(CameraEstimate, TheTurnsReadOnBeyondTheFramesReadWhole)
{
    // The first 8 s read whole (pitch, roll, height), the rest of the drive for the turns alone:
    // every second frame, only its rows above the horizon. With a perfect receiver the field of
    // view comes out as from the whole drive read whole (within 2 %), and every frame was read.
    TempDir dir;
    auto s = turningDrive(43, 1.8, 14, 0, 110);
    s.gps_noise_m = 0;
    auto ingest = writeDrive(dir, s);
    ASSERT_TRUE(ingest) << ingest.error();
    CalibrationOptions options;
    options.max_frames = 80;
    options.turn_frames = 3000;
    auto estimate = estimateCamera(*ingest, options);
    ASSERT_TRUE(estimate) << estimate.error();
    ASSERT_EQ(estimate->hfov_deg.source, "estimated") << estimate->hfov_deg.how;
    EXPECT_NEAR(estimate->hfov_deg.value, s.camera_hfov_deg, 0.02 * s.camera_hfov_deg);
    const int frames = int(std::floor(s.length_m / s.speed_kmh * 3.6 * 10));
    EXPECT_NEAR(estimate->frames_examined, frames, 12);
    // Read no further than told.
    options.turn_frames = 80;
    auto first_frames = estimateCamera(*ingest, options);
    ASSERT_TRUE(first_frames) << first_frames.error();
    EXPECT_EQ(first_frames->frames_examined, 80);
}

TEST(CameraEstimate, APerfectReceiverGivesTheFieldOfViewWithinTwoPerCent)
{
    // With no GPS noise what is left is the estimate's own bias: the sweep's reading (key frames,
    // a second look), the band above the horizon (the road near it moves by parallax), the path
    // dead-reckoned from it (0.1 % here: 109.9 for 110). Each of the first two was worth 1-5 %.
    TempDir dir;
    auto s = turningDrive(43, 1.8, 14, 0, 110);
    s.gps_noise_m = 0;
    auto estimate = estimateOnDrive(dir, s);
    ASSERT_TRUE(estimate) << estimate.error();
    ASSERT_EQ(estimate->hfov_deg.source, "estimated") << estimate->hfov_deg.how;
    EXPECT_NEAR(estimate->hfov_deg.value, s.camera_hfov_deg, 0.02 * s.camera_hfov_deg);
    EXPECT_NEAR(estimate->pitch_deg.value, s.camera_pitch_deg, 0.5);
    EXPECT_NEAR(estimate->roll_deg.value, s.camera_roll_deg, 0.2);
    EXPECT_NEAR(estimate->height_m.value, s.camera_height_m, 0.1 * s.camera_height_m);
}

} // namespace

namespace {

// A GoPro in a Wide lens mode records a fisheye: the estimate reads it from the metadata, works in
// the undistorted view, and hands on the lens itself so that analyses undistort alike. (The
// generator draws a pinhole camera: this checks the plumbing, not the mounting found.)
TEST(CameraEstimate, AFisheyeLensModeFromTheMetadataIsKeptWithTheCamera)
{
    TempDir dir;
    auto s = mounting();
    s.length_m = 60;
    sample::SurveyGenerator generator(s);
    ASSERT_TRUE(generator.write(dir.path() / "s", {}));
    const auto video = dir.path() / "s/survey.mp4";
    ASSERT_TRUE(sample::embedGoProSettings(video, "HERO9 Black", "W", 140.0));
    IngestOptions ingest;
    ingest.videos = {video};
    ingest.track = dir.path() / "s/survey.gpx";
    auto estimate = estimateCamera(ingest);
    ASSERT_TRUE(estimate) << estimate.error();
    EXPECT_EQ(estimate->hfov_deg.source, "metadata");
    EXPECT_NE(estimate->hfov_deg.how.find("Wide lens mode"), std::string::npos) << estimate->hfov_deg.how;
    EXPECT_EQ(estimate->camera.lens.model, LensDistortion::Model::fisheye);
    EXPECT_EQ(estimate->camera.width, s.width);
    EXPECT_EQ(estimate->camera.pitch_deg, estimate->pitch_deg.value);

    auto resolved = resolveCamera(ingest);
    ASSERT_TRUE(resolved.camera);
    auto reader = SurveyReader::open(resolved);
    ASSERT_TRUE(reader) << reader.error();
    EXPECT_TRUE((*reader)->summary().lens_camera) << "the analysis reads the frames undistorted";
}

} // namespace
