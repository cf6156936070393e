// Positions refined from frame-to-frame motions and the GPS: the motions win locally, the GPS
// over long distances, a cut chain falls back to the GPS.
#include "pose_refinement.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace {

using namespace voirie::surface;

TEST(PoseRefinement, ExactMotionsRemoveMostOfTheGpsNoise)
{
    std::mt19937 rng(3);
    std::normal_distribution<double> noise(0, 1.5);
    std::vector<cv::Vec2d> truth, gps;
    std::vector<std::optional<cv::Vec2d>> motion;
    for (int i = 0; i < 200; ++i) {
        truth.emplace_back(3.0 * i, 0.02 * i * i);
        gps.push_back(truth.back() + cv::Vec2d(noise(rng), noise(rng)));
        motion.push_back(i ? std::optional<cv::Vec2d>(truth[i] - truth[i - 1]) : std::nullopt);
    }
    const auto refined = refinePositions(gps, motion, std::vector<bool>(200, true), {1.5, 0.01, 0.5});
    double gps_rms = 0, refined_rms = 0, worst_step = 0;
    for (int i = 0; i < 200; ++i) {
        gps_rms += std::pow(cv::norm(gps[i] - truth[i]), 2) / 200;
        refined_rms += std::pow(cv::norm(refined[i] - truth[i]), 2) / 200;
        if (i)
            worst_step = std::max(worst_step, cv::norm((refined[i] - refined[i - 1]) - (truth[i] - truth[i - 1])));
    }
    EXPECT_LT(std::sqrt(refined_rms), 0.25 * std::sqrt(gps_rms));
    EXPECT_LT(worst_step, 0.02); // neighbours join to the centimetre
}

TEST(PoseRefinement, WithoutMotionsOrLinksThePositionsStayTheGps)
{
    const std::vector<cv::Vec2d> gps = {{0, 0}, {3, 1}, {7, -1}, {9, 4}};
    const auto unlinked = refinePositions(gps, {std::nullopt, cv::Vec2d(100, 100), cv::Vec2d(100, 100), cv::Vec2d(100, 100)},
                                          {true, false, false, false});
    const auto unmeasured = refinePositions(gps, std::vector<std::optional<cv::Vec2d>>(4), std::vector<bool>(4, true));
    for (size_t i = 0; i < gps.size(); ++i) {
        EXPECT_LT(cv::norm(unlinked[i] - gps[i]), 1e-9) << i; // a cut chain: each frame on its own
        EXPECT_LT(cv::norm(unmeasured[i] - gps[i]), 1e-9) << i; // GPS steps agree with the GPS
    }
}

TEST(PoseRefinement, AConstantMotionBiasIsHeldBackByTheGps)
{
    // Motions 2 cm too long each: over 300 frames that would be 6 m; the GPS keeps it bounded.
    std::vector<cv::Vec2d> gps;
    std::vector<std::optional<cv::Vec2d>> motion;
    for (int i = 0; i < 300; ++i) {
        gps.emplace_back(3.0 * i, 0);
        motion.push_back(i ? std::optional<cv::Vec2d>(cv::Vec2d(3.02, 0)) : std::nullopt);
    }
    const auto refined = refinePositions(gps, motion, std::vector<bool>(300, true), {2.0, 0.1, 0.5});
    for (int i = 0; i < 300; ++i)
        EXPECT_LT(std::abs(refined[i][0] - gps[i][0]), 1.5) << i;
}

} // namespace
