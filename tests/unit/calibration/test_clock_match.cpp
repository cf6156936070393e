// The footage's path laid over the GPS fixes, on drives built here: the clock alignment's matcher
// (a path with turns and a speed change, its GPS fixes taken an hour and a fraction later with a
// consumer receiver's noise; a straight road at constant speed, which every offset fits) and the
// turn gain the field of view from the turns rests on.
#include "clock_match.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <random>

namespace {

using namespace voirie;

struct Drive {
    std::vector<MotionStep> steps;      // as the image sees it (distances for a camera assumed 30% too high)
    std::vector<TrackPosition> fixes;   // as the GPS logged it
};

// yaw_rate(t) in degrees per second and speed(t) in m/s, for `seconds` of footage; the GPS clock
// reads `offset` more than the video's, the track starts 7 s early and ends 5 s late.
template <class Yaw, class Speed>
Drive drive(double seconds, double offset, Yaw yaw_rate, Speed speed, double noise_m, unsigned seed)
{
    Drive d;
    const double dt = 0.02, image_scale = 1.0 / 1.3;
    double x = 0, y = 0, heading = 0.4, step_forward = 0, step_yaw = 0, next_step = 0.1, next_fix = -7;
    std::mt19937 rng(seed);
    std::normal_distribution<double> n01(0, 1);
    double ex = noise_m * n01(rng), ey = noise_m * n01(rng);
    for (double t = -7; t <= seconds + 5; t += dt) {
        const double turn = yaw_rate(t) * M_PI / 180 * dt, ahead = speed(t) * dt;
        if (t >= next_fix - 1e-9) { // AR(1) per axis, 0.4 from fix to fix, as the sample generator's
            ex = 0.4 * ex + std::sqrt(1 - 0.16) * noise_m * n01(rng);
            ey = 0.4 * ey + std::sqrt(1 - 0.16) * noise_m * n01(rng);
            d.fixes.push_back({t + offset, x + ex, y + ey});
            next_fix += 1.0;
        }
        x += ahead * std::sin(heading + turn / 2);
        y += ahead * std::cos(heading + turn / 2);
        heading += turn;
        if (t >= 0 && t <= seconds) {
            step_forward += ahead * image_scale;
            step_yaw += turn;
            if (t + dt >= next_step) {
                d.steps.push_back({next_step, step_forward, step_yaw, true});
                step_forward = step_yaw = 0;
                next_step += 0.1;
            }
        }
    }
    return d;
}

TEST(ClockMatch, FindsTheOffsetFromTurnsAndAStop)
{
    auto yaw = [](double t) { return t > 12 && t < 22 ? 3.0 : t > 35 && t < 41 ? -4.5 : 0.0; };
    auto speed = [](double t) { return t > 26 && t < 30 ? 3.0 : 8.5; };
    const Drive d = drive(55, 3600.4, yaw, speed, 1.7, 7);
    auto match = matchClock(d.steps, d.fixes);
    ASSERT_TRUE(match) << match.error();
    EXPECT_NEAR(match->offset_s, 3600.4, 0.3);
    EXPECT_LT(match->uncertainty_s, 0.3);
    EXPECT_GT(match->uncertainty_s, 0.0);
    EXPECT_NEAR(match->scale, 1.3, 0.1) << "track distance / image distance: the true height / the assumed";
    EXPECT_LT(match->rms_m, 3.0) << "the noise alone: 1.7 m per axis, 2.4 m in all";
    std::cout << "offset " << match->offset_s << " +- " << match->uncertainty_s << " s\n";
}

TEST(ClockMatch, ExactWithoutNoise)
{
    auto yaw = [](double t) { return t > 10 && t < 18 ? -3.5 : 0.0; };
    auto speed = [](double) { return 9.0; };
    const Drive d = drive(40, -37.0, yaw, speed, 0.0, 1);
    auto match = matchClock(d.steps, d.fixes);
    ASSERT_TRUE(match) << match.error();
    EXPECT_NEAR(match->offset_s, -37.0, 0.05);
    EXPECT_NEAR(match->yaw_gain, 1.0, 0.05);
}

TEST(ClockMatch, RefusesAStraightRoadAtConstantSpeed)
{
    auto yaw = [](double) { return 0.0; };
    auto speed = [](double) { return 8.0; };
    const Drive d = drive(50, 5.5, yaw, speed, 1.7, 3);
    auto match = matchClock(d.steps, d.fixes);
    ASSERT_FALSE(match) << "found " << match->offset_s << " s";
    EXPECT_NE(match.error().find("nothing to match"), std::string::npos) << match.error();
    EXPECT_NE(match.error().find("--time-offset"), std::string::npos) << match.error();
}

TEST(ClockMatch, RefusesTheTrackOfAnotherDrive)
{
    auto speed = [](double) { return 8.0; };
    const Drive footage = drive(50, 0, [](double t) { return t > 10 && t < 18 ? 3.0 : t > 30 && t < 36 ? -4.0 : 0.0; }, speed, 0.3, 5);
    const Drive other = drive(50, 0, [](double t) { return t > 5 && t < 25 ? -2.5 : 0.0; }, speed, 0.3, 6);
    auto match = matchClock(footage.steps, other.fixes);
    ASSERT_FALSE(match) << "found " << match->offset_s << " s";
    EXPECT_NE(match.error().find("--time-offset"), std::string::npos) << match.error();
}

TEST(ClockMatch, RefusesATrackThatDoesNotCoverTheFootage)
{
    auto yaw = [](double t) { return t > 10 && t < 18 ? 3.0 : 0.0; };
    auto speed = [](double) { return 8.0; };
    Drive d = drive(50, 0, yaw, speed, 0.5, 4);
    d.fixes.resize(15); // 15 s of a 62 s track
    auto match = matchClock(d.steps, d.fixes);
    ASSERT_FALSE(match);
}

// The image sees 80 % of each turn (a focal length assumed 25 % too long): the gain that bends the
// dead-reckoned path as the fixes bend is 1.25, found within 2 % through the receiver's 1.7 m noise
// (regressing the heading between consecutive fixes on the turns missed mounting E's field of
// view by 5 % on a generated minute: a second's chord carries two fixes' noise over 11 m).
TEST(TurnGain, TheGainThatBendsThePathAsTheFixesBend)
{
    auto yaw = [](double t) { return t > 8 && t < 20 ? 4.0 : t > 32 && t < 41 ? -5.0 : 0.0; };
    auto speed = [](double) { return 11.0; };
    Drive d = drive(55, 0, yaw, speed, 1.7, 11);
    for (auto& step : d.steps)
        step.yaw_rad *= 0.8;
    auto fit = fitTurnGain(d.steps, d.fixes, 1 / 2.95, 1 / 0.305);
    ASSERT_TRUE(fit);
    EXPECT_NEAR(fit->gain, 1.25, 0.025);
    EXPECT_GT(fit->error, 0.0);
    EXPECT_LT(fit->error, 0.03);
    EXPECT_LT(std::abs(fit->gain - 1.25), 3 * fit->error) << "the error covers the truth";
    EXPECT_LT(fit->rms_m, 3.0);
    EXPECT_GE(fit->fixes, 50);
}

TEST(TurnGain, AStraightRoadSaysNothingOfTheGain)
{
    auto speed = [](double) { return 11.0; };
    const Drive d = drive(50, 0, [](double) { return 0.0; }, speed, 1.7, 12);
    auto fit = fitTurnGain(d.steps, d.fixes, 1 / 2.95, 1 / 0.305);
    EXPECT_TRUE(!fit || fit->error > 0.5 * fit->gain) << "gain " << fit->gain << " +- " << fit->error;
}

TEST(TurnGain, TooFewFixesWithinTheFootage)
{
    Drive d = drive(50, 0, [](double t) { return t > 10 && t < 18 ? 3.0 : 0.0; }, [](double) { return 8.0; }, 0.5, 4);
    d.fixes.resize(12); // 7 s before the footage, 5 within it
    EXPECT_FALSE(fitTurnGain(d.steps, d.fixes, 1 / 2.95, 1 / 0.305));
}

} // namespace
