// The frame view shows frames anonymized by default, through the same anonymizer plugins as
// every image Voirie writes; unblurred only when a reviewer asks for it.
#include "image_detail.hpp"
#include "test_support.hpp"

#include "frame_source.hpp"

#include "voirie/core/geo/camera_file.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <gtest/gtest.h>

namespace fs = std::filesystem;
using namespace voirie;

namespace {

double detail(const cv::Mat& image, const cv::Rect& region) { return voirie::test::laplacianDeviation(image, region); }

TEST(FramePrivacy, FramesAreBlurredByDefaultAndShownAsTheyAreOnlyOnRequest)
{
    const fs::path photo = fs::path(VOIRIE_SOURCE_DIR) / "tests/data/anonymize/astronaut.jpg";
    const cv::Mat original = cv::imread(photo.string());
    ASSERT_FALSE(original.empty());
    gui::ProjectData project;
    project.path = "/nonexistent/project.gpkg";
    project.sources["astronaut.jpg"] = photo;
    gui::FrameRecord frame;
    frame.file = "astronaut.jpg";
    gui::FrameSource source(&project);

    const cv::Rect face(175, 55, 90, 110), background(0, 400, 120, 100);
    const auto blurred = source.read(frame, true);
    ASSERT_FALSE(blurred.image.empty()) << blurred.problem;
    EXPECT_TRUE(blurred.anonymized);
    EXPECT_GE(blurred.regions_blurred, 1) << source.anonymizerDescription();
    EXPECT_LT(detail(blurred.image, face), 0.25 * detail(original, face)) << "the face is unrecognisable";
    EXPECT_EQ(cv::norm(blurred.image(background), original(background), cv::NORM_INF), 0) << "the rest is untouched";
    EXPECT_NE(source.anonymizerDescription().find("cascade-anonymizer"), std::string::npos);

    const auto plain = source.read(frame, false);
    EXPECT_FALSE(plain.anonymized);
    EXPECT_EQ(cv::norm(plain.image, original, cv::NORM_INF), 0);

    // A frame whose file is gone says so.
    frame.file = "missing.mp4";
    const auto missing = source.read(frame, true);
    EXPECT_TRUE(missing.image.empty());
    EXPECT_NE(missing.problem.find("missing.mp4"), std::string::npos) << missing.problem;
}

TEST(FrameSource, FramesOfARunThatRemovedALensDistortionAreShownUndistortedAlike)
{
    const fs::path photo = fs::path(VOIRIE_SOURCE_DIR) / "tests/data/anonymize/astronaut.jpg";
    const cv::Mat original = cv::imread(photo.string());
    ASSERT_FALSE(original.empty());
    CameraModel lens = defaultDashcamCamera(original.cols, original.rows);
    lens.lens.model = LensDistortion::Model::radial_tangential;
    lens.lens.k = {-0.25, 0.05, 0, 0, 0};
    const auto undistortion = LensUndistortion::forCamera(lens);
    gui::ProjectData project;
    project.path = "/nonexistent/project.gpkg";
    project.sources["astronaut.jpg"] = photo;
    project.camera_json = nlohmann::ordered_json{{"fx", undistortion->pinhole().fx}, {"lens", lensJson(lens)}}.dump();
    gui::FrameRecord frame;
    frame.file = "astronaut.jpg";
    gui::FrameSource source(&project);
    const auto shown = source.read(frame, false);
    ASSERT_FALSE(shown.image.empty()) << shown.problem;
    EXPECT_EQ(cv::norm(shown.image, undistortion->apply(original), cv::NORM_INF), 0) << "as the analysis saw the frame";
    EXPECT_GT(cv::norm(shown.image, original, cv::NORM_L1) / double(original.total()), 1.0) << "not the frame as recorded";
}

} // namespace
