// Registration of consecutive ground patches: a known error in the second frame's position is
// measured and its correction puts the frame back where it was (sign and size), on a textured
// ground drawn into both patches through their true poses.
#include "frame_registration.hpp"

#include "voirie/core/geo/camera_file.hpp"

#include <opencv2/imgproc.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace {

using namespace voirie;
using namespace voirie::surface;

// A ground texture in world metres: blurred noise (asphalt grain) with a few lines, 1 cm per pixel.
struct World {
    cv::Mat texture;
    double origin_x = -10, origin_y = 40, metres_per_pixel = 0.01; // top-left corner, y north
    World()
    {
        cv::RNG rng(7);
        texture.create(5000, 2000, CV_8UC3);
        rng.fill(texture, cv::RNG::UNIFORM, 60, 200);
        cv::GaussianBlur(texture, texture, {0, 0}, 1.5);
        cv::line(texture, {400, 0}, {700, 4999}, cv::Scalar(30, 30, 30), 4);
        cv::line(texture, {1300, 0}, {1500, 4999}, cv::Scalar(240, 240, 240), 12);
    }
    // The patch a frame at `pose` sees (the camera is perfect here: the patch is the ground).
    cv::Mat patchAt(const GroundPatchGrid& grid, const GridPose& pose) const
    {
        const cv::Matx33d to_texture(1 / metres_per_pixel, 0, -origin_x / metres_per_pixel - 0.5, 0, -1 / metres_per_pixel,
                                     origin_y / metres_per_pixel - 0.5, 0, 0, 1);
        const cv::Matx33d map = to_texture * GroundPatchGrid::vehicleToGrid(pose) * grid.patchToVehicle();
        cv::Mat patch;
        cv::warpAffine(texture, patch, cv::Mat(map).rowRange(0, 2), {grid.cols(), grid.rows()}, cv::INTER_LINEAR | cv::WARP_INVERSE_MAP);
        return patch;
    }
};

TEST(FrameRegistration, MeasuresAPositionErrorAndCorrectsItWithTheRightSign)
{
    const World world;
    SurfaceOptions options;
    const GroundPatchGrid grid(defaultDashcamCamera(1280, 720), options);
    const GridPose first{0, 0, 0.1, 1}, second_true{0.3, 3.0, 0.1, 1};
    const cv::Mat a = world.patchAt(grid, first), b = world.patchAt(grid, second_true);
    for (const cv::Vec2d error : {cv::Vec2d(0.25, -0.1), cv::Vec2d(-0.4, 0.3), cv::Vec2d(0, 0)}) {
        GridPose believed = second_true; // where the GPS puts the second frame
        believed.x += error[0];
        believed.y += error[1];
        const auto shift = measurePatchShift(grid, a, first, b, believed);
        ASSERT_TRUE(shift) << error;
        const cv::Vec2d correction = correctionOnGrid(*shift, believed);
        EXPECT_NEAR(correction[0], -error[0], 0.03) << error;
        EXPECT_NEAR(correction[1], -error[1], 0.03) << error;
        EXPECT_GT(shift->response, 0.1);
    }
}

TEST(FrameRegistration, ASecondLookReadsWhatTheFirstLeftOfALargeError)
{
    // At decimetres of misalignment the first reading falls a few millimetres short (on real and
    // generated footage, with the vehicle's pitch, centimetres); measured again from where it puts
    // the frame, the residual is read and added.
    const World world;
    SurfaceOptions options;
    const GroundPatchGrid grid(defaultDashcamCamera(1280, 720), options);
    const GridPose first{0, 0, 0.1, 1}, second_true{0.3, 3.0, 0.1, 1};
    const cv::Mat a = world.patchAt(grid, first), b = world.patchAt(grid, second_true);
    for (const cv::Vec2d error : {cv::Vec2d(0.45, -0.3), cv::Vec2d(-0.6, 0.5), cv::Vec2d(0.05, 0.8)}) {
        GridPose believed = second_true;
        believed.x += error[0];
        believed.y += error[1];
        const auto shift = measurePatchShift(grid, a, first, b, believed);
        const auto measured = measureCorrection(grid, a, first, b, believed);
        ASSERT_TRUE(shift && measured) << error;
        EXPECT_NEAR(measured->first_look.length(), shift->length(), 1e-12) << "the seam before registration";
        const double once = cv::norm(correctionOnGrid(*shift, believed) + error);
        const double twice = cv::norm(measured->correction + error);
        EXPECT_LT(twice, 0.5 * once) << error;
        EXPECT_LT(twice, 0.004) << error;
    }
}

TEST(FrameRegistration, NoMatchWithoutOverlapOrTexture)
{
    const World world;
    const GroundPatchGrid grid(defaultDashcamCamera(1280, 720), SurfaceOptions{});
    const GridPose first{0, 0, 0, 1}, far_ahead{0, 14, 0, 1};
    EXPECT_FALSE(measurePatchShift(grid, world.patchAt(grid, first), first, world.patchAt(grid, far_ahead), far_ahead));
    const cv::Mat flat(grid.rows(), grid.cols(), CV_8UC3, cv::Scalar(90, 90, 90));
    const GridPose next{0, 3, 0, 1};
    EXPECT_FALSE(measurePatchShift(grid, flat, first, flat, next));
}

} // namespace
