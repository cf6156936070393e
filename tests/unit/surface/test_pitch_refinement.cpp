// The vehicle's rocking: a frame's pitch error is found from how its registration against the
// frame before differs between the near and the far half of their overlap, and the correction
// puts a generated frame's road where the camera with its true pitch puts it.
#include "ground_patch.hpp"
#include "pitch_refinement.hpp"

#include "voirie/sample/survey_generator.hpp"

#include <opencv2/imgproc.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace {

using namespace voirie;
using namespace voirie::surface;

double rms(const std::vector<double>& v)
{
    double sum = 0;
    for (double x : v)
        sum += x * x;
    return std::sqrt(sum / double(v.size()));
}

// Shifts as two frames with these pitch errors and this offset would give them (the model).
PatchShift modelShift(double earlier, double later, double offset, double step, double h)
{
    PatchShift s;
    s.halves = true;
    s.step_m = step;
    s.near_at_m = 4.2;
    s.far_at_m = 6.2;
    s.at_m = 5.2;
    auto at = [&](double d) { return offset + pitchStretch(d, h) * later - pitchStretch(d + step, h) * earlier; };
    s.near_forward_m = at(s.near_at_m);
    s.far_forward_m = at(s.far_at_m);
    s.forward_m = at(s.at_m);
    return s;
}

TEST(PitchRefinement, RecoversTheRockingFromTheHalvesAndTakesItOutOfTheOffsets)
{
    const double h = 1.3;
    std::vector<double> truth;
    std::vector<std::optional<PatchShift>> shifts(1);
    cv::RNG rng(3);
    for (int i = 0; i < 60; ++i)
        truth.push_back(0.0014 * std::sin(0.9 * i + 0.3)); // 0.08 degrees
    for (int i = 1; i < 60; ++i) {
        PatchShift s = modelShift(truth[i - 1], truth[i], 0.2, 3.0, h);
        s.near_forward_m += rng.gaussian(0.002);
        s.far_forward_m += rng.gaussian(0.002);
        shifts.push_back(s);
    }
    const auto found = estimatePitchErrors(shifts, h);
    ASSERT_EQ(found.size(), truth.size());
    std::vector<double> error;
    for (size_t i = 0; i < truth.size(); ++i)
        error.push_back(found[i] - truth[i]);
    EXPECT_LT(rms(error), 0.3 * rms(truth));
    // The offset once both pitch errors are taken out.
    for (size_t i = 1; i < truth.size(); ++i)
        EXPECT_NEAR(withoutPitch(*shifts[i], found[i - 1], found[i], h).forward_m, 0.2, 0.02) << i;
    // Nothing measured: no pitch error is made up.
    const auto none = estimatePitchErrors(std::vector<std::optional<PatchShift>>(10), h);
    for (double e : none)
        EXPECT_EQ(e, 0.0);
}

// How far apart two ground patches are along the road, between 6 and 12 m ahead (metres).
double forwardOffset(const GroundPatchGrid& grid, const cv::Mat& a, const cv::Mat& b)
{
    const int top = int(grid.rowOfForward(12)), bottom = int(grid.rowOfForward(6));
    const cv::Rect band(40, top, grid.cols() - 80, bottom - top);
    cv::Mat ga, gb, fa, fb, window;
    cv::cvtColor(a(band), ga, cv::COLOR_BGR2GRAY);
    cv::cvtColor(b(band), gb, cv::COLOR_BGR2GRAY);
    ga.convertTo(fa, CV_32F);
    gb.convertTo(fb, CV_32F);
    cv::createHanningWindow(window, fa.size(), CV_32F);
    return -cv::phaseCorrelate(fa, fb, window).y * grid.resolution();
}

TEST(PitchCorrection, PutsARockedFramesRoadWhereItsTruePitchDoes)
{
    sample::GeneratorSettings settings;
    settings.seed = 2;
    settings.length_m = 60;
    settings.gps_noise_m = 0;
    sample::SurveyGenerator generator(settings);
    const CameraModel camera = generator.camera();
    // The frame where the vehicle rocked most in the first seconds.
    int worst = 0;
    double worst_error = 0;
    for (int k = 0; k < 60; ++k) {
        const double e = generator.truePitchDeg(k / settings.fps) - camera.pitch_deg;
        if (std::abs(e) > std::abs(worst_error))
            worst = k, worst_error = e;
    }
    ASSERT_GT(std::abs(worst_error), 0.06);
    const cv::Mat frame = generator.renderFrame(worst);
    const SurfaceOptions options;
    CameraModel rocked = camera;
    rocked.pitch_deg += worst_error;
    const GroundPatchGrid nominal(camera, options), exact(rocked, options);
    const cv::Mat as_warped = nominal.warp(frame), truth = exact.warp(frame);
    cv::Mat corrected;
    cv::warpPerspective(as_warped, corrected, cv::Mat(nominal.pitchCorrection(worst_error * M_PI / 180)), as_warped.size(),
                        cv::INTER_LINEAR | cv::WARP_INVERSE_MAP);
    const double before = forwardOffset(nominal, truth, as_warped), after = forwardOffset(nominal, truth, corrected);
    EXPECT_GT(std::abs(before), 0.02) << "the rocking moves the road 6-12 m ahead by centimetres";
    EXPECT_LT(std::abs(after), 0.25 * std::abs(before));
    std::printf("pitch off by %.3f degrees: the road 6-12 m ahead %.3f m off, %.3f m once corrected\n", worst_error, before, after);
}

} // namespace
