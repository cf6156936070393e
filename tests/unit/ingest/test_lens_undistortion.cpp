// A lens's distortion in camera.json and its removal: the coefficients read, refused when
// malformed, written back; and a picture of straight lines, bent by a known lens (OpenCV's own
// forward model), comes back straight from LensUndistortion for both models.
#include "test_support.hpp"

#include "voirie/core/geo/camera_file.hpp"
#include "voirie/core/ingest/lens_undistortion.hpp"

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include <gtest/gtest.h>

#include <fstream>

namespace {

using namespace voirie;
using voirie::test::TempDir;

const std::string kBase = R"("width":640,"height":360,"hfov_deg":100,"height_m":1.3,"pitch_deg":12)";

TEST(LensDistortion, ReadFromTheCameraFileAndWrittenBack)
{
    auto radial = parseCamera("{" + kBase + R"(,"k1":-0.28,"k2":0.07,"p1":0.001,"p2":-0.002})", "test");
    ASSERT_TRUE(radial) << radial.error();
    EXPECT_EQ(radial->lens.model, LensDistortion::Model::radial_tangential);
    EXPECT_DOUBLE_EQ(radial->lens.k[0], -0.28);
    EXPECT_DOUBLE_EQ(radial->lens.k[3], -0.002);
    EXPECT_DOUBLE_EQ(radial->lens.k[4], 0.0) << "k3 not given: 0";
    auto fisheye = parseCamera("{" + kBase + R"(,"fisheye":[0.05,-0.01,0.002,0]})", "test");
    ASSERT_TRUE(fisheye) << fisheye.error();
    EXPECT_EQ(fisheye->lens.model, LensDistortion::Model::fisheye);
    EXPECT_DOUBLE_EQ(fisheye->lens.k[1], -0.01);
    auto plain = parseCamera("{" + kBase + "}", "test");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->lens.model, LensDistortion::Model::none);
    EXPECT_FALSE(LensUndistortion::forCamera(*plain)) << "no distortion, nothing to undo";

    for (const std::string bad : {R"(,"k1":-0.3,"fisheye":[0,0,0,0])", R"(,"fisheye":[0.1,0.2])", R"(,"fisheye":"wide")",
                                  R"(,"k1":"barrel")", R"(,"k2":4000)"}) {
        auto c = parseCamera("{" + kBase + bad + "}", "camera file x.json");
        EXPECT_FALSE(c) << bad;
        if (!c)
            EXPECT_EQ(c.error().rfind("camera file x.json", 0), 0u) << c.error();
    }

    TempDir dir;
    for (const auto& camera : {*radial, *fisheye}) {
        ASSERT_TRUE(writeCameraFile(camera, dir / "lens.json"));
        auto back = readCameraFile(dir / "lens.json");
        ASSERT_TRUE(back) << back.error();
        EXPECT_EQ(back->lens.model, camera.lens.model);
        for (size_t i = 0; i < 5; ++i)
            EXPECT_DOUBLE_EQ(back->lens.k[i], camera.lens.k[i]);
    }
}

// Straight lines as the undistorted (pinhole) camera sees them.
cv::Mat straightLines(cv::Size size)
{
    cv::Mat image(size, CV_8UC3, cv::Scalar(60, 60, 60));
    for (int x = 20; x < size.width; x += 60)
        cv::line(image, {x, 0}, {x + 40, size.height - 1}, cv::Scalar(240, 240, 240), 3, cv::LINE_AA);
    for (int y = 15; y < size.height; y += 50)
        cv::line(image, {0, y}, {size.width - 1, y + 20}, cv::Scalar(200, 200, 200), 3, cv::LINE_AA);
    return image;
}

// `pinhole_image` as the lens would have recorded it: each lens pixel shows the pinhole pixel its
// ray lands on (OpenCV's undistortPoints is the lens model inverted exactly).
cv::Mat throughTheLens(const cv::Mat& pinhole_image, const CameraModel& lens, const CameraModel& pinhole)
{
    std::vector<cv::Point2f> pixels;
    for (int y = 0; y < lens.height; ++y)
        for (int x = 0; x < lens.width; ++x)
            pixels.emplace_back(float(x), float(y));
    const cv::Matx33d k(lens.fx, 0, lens.cx, 0, lens.fy, lens.cy, 0, 0, 1);
    const cv::Matx33d p(pinhole.fx, 0, pinhole.cx, 0, pinhole.fy, pinhole.cy, 0, 0, 1);
    std::vector<cv::Point2f> landed;
    if (lens.lens.model == LensDistortion::Model::fisheye)
        cv::fisheye::undistortPoints(pixels, landed, k, cv::Vec4d(lens.lens.k[0], lens.lens.k[1], lens.lens.k[2], lens.lens.k[3]),
                                     cv::noArray(), p);
    else
        cv::undistortPoints(pixels, landed, k, std::vector<double>(lens.lens.k.begin(), lens.lens.k.end()), cv::noArray(), p);
    cv::Mat map(lens.height, lens.width, CV_32FC2, landed.data());
    cv::Mat out;
    cv::remap(pinhole_image, out, map.clone(), cv::noArray(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(60, 60, 60));
    return out;
}

void expectStraightAgain(const CameraModel& lens)
{
    auto undistortion = LensUndistortion::forCamera(lens);
    ASSERT_TRUE(undistortion);
    const CameraModel& pinhole = undistortion->pinhole();
    EXPECT_EQ(pinhole.lens.model, LensDistortion::Model::none);
    EXPECT_EQ(pinhole.width, lens.width);
    EXPECT_NE(pinhole.fx, lens.fx) << "the pinhole view is fitted to what the lens saw";
    const cv::Mat truth = straightLines({lens.width, lens.height});
    const cv::Mat recorded = throughTheLens(truth, lens, pinhole);
    const double bent = cv::norm(recorded, truth, cv::NORM_L1) / double(truth.total());
    const cv::Mat back = undistortion->apply(recorded);
    ASSERT_EQ(back.size(), truth.size());
    const cv::Rect inner(8, 8, truth.cols - 16, truth.rows - 16); // remapping twice blurs the very edge
    const double left = cv::norm(back(inner), truth(inner), cv::NORM_L1) / double(inner.area());
    EXPECT_LT(left, 0.25 * bent) << "the lines are straight again (mean difference " << left << " against " << bent
                                 << " before)";
    // A frame of another size is brought to the camera's first.
    cv::Mat half;
    cv::resize(recorded, half, {lens.width / 2, lens.height / 2});
    EXPECT_EQ(undistortion->apply(half).size(), truth.size());
}

TEST(LensUndistortion, StraightensWhatARadialTangentialLensBent)
{
    expectStraightAgain(*parseCamera("{" + kBase + R"(,"k1":-0.30,"k2":0.09,"p1":0.002,"p2":-0.001})", "test"));
}

TEST(LensUndistortion, StraightensWhatAFisheyeLensBent)
{
    expectStraightAgain(*parseCamera("{" + kBase + R"(,"fisheye":[0.08,-0.02,0.004,0]})", "test"));
}

TEST(LensUndistortion, TheRunsRecordedLensUndistortsAlike)
{
    const CameraModel lens = *parseCamera("{" + kBase + R"(,"k1":-0.25,"k2":0.05})", "test");
    const auto direct = LensUndistortion::forCamera(lens);
    nlohmann::ordered_json run{{"fx", direct->pinhole().fx}, {"lens", lensJson(lens)}};
    const auto recorded = LensUndistortion::forRecordedCamera(run.dump());
    ASSERT_TRUE(recorded);
    EXPECT_DOUBLE_EQ(recorded->pinhole().fx, direct->pinhole().fx);
    EXPECT_FALSE(LensUndistortion::forRecordedCamera(R"({"fx":500})"));
    EXPECT_FALSE(LensUndistortion::forRecordedCamera("not json"));
}

} // namespace
