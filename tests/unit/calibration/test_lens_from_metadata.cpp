// The lens a camera's metadata describes: the lens-mode table and the field of view of the pinhole
// view the analysis works in, for a rectilinear (GoPro Linear) and a fisheye (GoPro Wide) mode,
// and a sentence for what it cannot describe.
#include "voirie/core/calibration/lens_from_metadata.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace {

voirie::CameraMetadata gopro(const std::string& mode, std::optional<double> diagonal_deg)
{
    voirie::CameraMetadata m;
    m.make = "GoPro";
    m.gopro.model = "HERO9 Black";
    m.gopro.lens_mode = mode;
    m.gopro.diagonal_fov_deg = diagonal_deg;
    return m;
}

double degrees(double radians) { return radians * 180 / M_PI; }

TEST(LensFromMetadata, ALinearModesDiagonalGivesTheHorizontalFieldOfViewOfAPinhole)
{
    // 100 degrees across a 16:9 frame is tan(50 deg) x (diagonal / width) on the diagonal.
    const double diagonal = 2 * degrees(std::atan(std::tan(50 * M_PI / 180) * std::hypot(1920, 1080) / 1920));
    std::string why;
    const auto lens = voirie::lensFromMetadata(gopro("L", diagonal), 1920, 1080, &why);
    ASSERT_TRUE(lens) << why;
    EXPECT_NEAR(lens->hfov_deg, 100.0, 1e-6);
    EXPECT_EQ(lens->camera.lens.model, voirie::LensDistortion::Model::none);
    EXPECT_NEAR(lens->camera.fx, 960 / std::tan(50 * M_PI / 180), 1e-6);
    EXPECT_DOUBLE_EQ(lens->camera.cx, 960);
    EXPECT_NE(lens->how.find("GoPro HERO9 Black, Linear lens mode"), std::string::npos) << lens->how;
}

TEST(LensFromMetadata, AWideModeIsAFisheyeWhosePinholeViewIsNarrowerThanItsDiagonal)
{
    std::string why;
    const auto lens = voirie::lensFromMetadata(gopro("W", 148.3), 1920, 1080, &why);
    ASSERT_TRUE(lens) << why;
    EXPECT_EQ(lens->camera.lens.model, voirie::LensDistortion::Model::fisheye);
    for (int i = 0; i < 4; ++i)
        EXPECT_EQ(lens->camera.lens.k[size_t(i)], 0.0); // equidistant
    // r = f theta: the frame's corner is half the diagonal away at half the diagonal angle.
    EXPECT_NEAR(lens->camera.fx * (148.3 / 2 * M_PI / 180), std::hypot(960, 540), 1e-6);
    // The undistorted view keeps only what the lens saw everywhere: less than the fisheye's
    // horizontal angle (2 x 960 / f radians), more than a Linear crop would.
    const double fisheye_across = degrees(2 * 960 / lens->camera.fx);
    EXPECT_LT(lens->hfov_deg, fisheye_across);
    EXPECT_GT(lens->hfov_deg, 80.0);
    EXPECT_NE(lens->how.find("equidistant"), std::string::npos) << lens->how;
}

TEST(LensFromMetadata, WhatTheTableCannotDescribeIsASentence)
{
    std::string why;
    EXPECT_FALSE(voirie::lensFromMetadata(gopro("S", 150.0), 1920, 1080, &why));
    EXPECT_NE(why.find("SuperView"), std::string::npos) << why;
    EXPECT_FALSE(voirie::lensFromMetadata(gopro("L", std::nullopt), 1920, 1080, &why));
    EXPECT_NE(why.find("ZFOV"), std::string::npos) << why;
    EXPECT_FALSE(voirie::lensFromMetadata(gopro("Q", 100.0), 1920, 1080, &why));
    EXPECT_NE(why.find("\"Q\""), std::string::npos) << why;
    EXPECT_FALSE(voirie::lensFromMetadata(gopro("L", 175.0), 1920, 1080, &why)); // no rectilinear lens sees that
    EXPECT_NE(why.find("impossible"), std::string::npos) << why;
    // Nothing about the lens at all: no sentence, nothing to say.
    EXPECT_FALSE(voirie::lensFromMetadata(gopro("", std::nullopt), 1920, 1080, &why));
    EXPECT_TRUE(why.empty()) << why;
    EXPECT_FALSE(voirie::lensFromMetadata(voirie::CameraMetadata{}, 1920, 1080, &why));
    EXPECT_TRUE(why.empty()) << why;
    EXPECT_TRUE(voirie::lensMode("GoPro", "L"));
    EXPECT_FALSE(voirie::lensMode("Viofo", "L"));
}

} // namespace
