#include "survey_fixtures.hpp"

#include "voirie/core/ingest/frame_sampler.hpp"
#include "voirie/core/ingest/track.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace {

using namespace voirie::test;

std::vector<voirie::GpsFix> gps(const std::vector<Fix>& fixes)
{
    std::vector<voirie::GpsFix> out;
    for (const auto& f : fixes)
        out.push_back({f.t, f.lon, f.lat, std::nullopt});
    return out;
}

// Between 1 Hz fixes on a 100 m radius bend at 11 m/s, a chord lies 0.15 m inside the curve at
// its middle and holds one heading for a second (up to 3 degrees off at its ends): the track
// follows the curve and turns with it.
TEST(Track, FollowsABendBetweenFixesInPositionAndHeading)
{
    const double radius = 100, speed = 11, lat0 = 45.75, lon0 = 4.85;
    const double metres_lat = 111132.0, metres_lon = 111320.0 * std::cos(lat0 * M_PI / 180);
    auto at = [&](double t, double& east, double& north) {
        const double angle = speed * t / radius; // clockwise from north, centred east of the start
        east = radius - radius * std::cos(angle);
        north = radius * std::sin(angle);
    };
    std::vector<voirie::GpsFix> fixes;
    for (int t = 0; t <= 20; ++t) {
        double e, n;
        at(t, e, n);
        fixes.push_back({kT0 + t, lon0 + e / metres_lon, lat0 + n / metres_lat, std::nullopt});
    }
    voirie::TrackCleaningCounts counts;
    auto track = voirie::Track::build(fixes, {}, "test", counts);
    ASSERT_TRUE(track.ok()) << track.error();
    for (double t = 2.1; t < 18; t += 0.25) {
        auto s = track->at(kT0 + t);
        ASSERT_TRUE(s) << t;
        double e, n;
        at(t, e, n);
        const double east = (s->lon - lon0) * metres_lon, north = (s->lat - lat0) * metres_lat;
        EXPECT_LT(std::hypot(east - e, north - n), 0.03) << "at t=" << t;
        const double tangent = std::fmod(speed * t / radius * 180 / M_PI + 360, 360.0); // heading of the circle there
        EXPECT_LT(std::abs(std::remainder(s->heading_deg - tangent, 360.0)), 0.3) << "at t=" << t;
    }
}

TEST(Track, InterpolatesWithinHalfAMetreOfTheTruePath)
{
    voirie::TrackCleaningCounts counts;
    auto track = voirie::Track::build(gps(pathFixes(0, 40)), {}, "test", counts);
    ASSERT_TRUE(track.ok()) << track.error();
    EXPECT_EQ(counts.fixes_used, 41);
    EXPECT_EQ(counts.segments, 1);
    Utm31 utm;
    for (double t = 0.05; t < 40; t += 0.37) {
        auto s = track->at(kT0 + t);
        ASSERT_TRUE(s) << t;
        double e, n;
        utm.toUtm(s->lon, s->lat, e, n);
        const auto truth = pathAt(t);
        EXPECT_LT(std::hypot(e - truth.e, n - truth.n), 0.5) << "at t=" << t;
        EXPECT_NEAR(s->chainage_m, truth.chainage, 0.005 * truth.chainage + 0.05) << "at t=" << t;
        EXPECT_NEAR(s->speed_mps, 10.0, 0.1);
    }
    // Heading: east on the straight (UTM grid north differs from true north by ~1.2 deg here).
    EXPECT_NEAR(track->at(kT0 + 5)->heading_deg, 90.0, 2.0);
    // After a quarter turn to the left the vehicle heads north.
    const double quarter = (100 + 80 * M_PI / 2) / 10.0;
    const double h = track->at(kT0 + quarter)->heading_deg;
    EXPECT_LT(std::min(h, 360 - h), 5.0) << h;
    EXPECT_FALSE(track->at(kT0 - 1));
    EXPECT_FALSE(track->at(kT0 + 41));
    EXPECT_TRUE(track->at(kT0 + 40));
}

TEST(Track, CleaningCountsEachReason)
{
    auto fixes = gps(pathFixes(0, 20));
    fixes.insert(fixes.begin() + 3, {fixes[2].time, fixes[2].lon, fixes[2].lat, std::nullopt}); // duplicate time
    fixes.insert(fixes.begin() + 6, {fixes[1].time, fixes[1].lon, fixes[1].lat, std::nullopt}); // backwards
    fixes.insert(fixes.begin() + 9, {0, 0, 0, std::nullopt});                                   // 0,0
    auto spike = fixes[10];
    spike.time += 0.5;
    spike.lat += 0.001; // 111 m in half a second: 800 km/h
    fixes.insert(fixes.begin() + 11, spike);
    voirie::TrackCleaningCounts counts;
    auto track = voirie::Track::build(fixes, {}, "test", counts);
    ASSERT_TRUE(track.ok()) << track.error();
    EXPECT_EQ(counts.fixes_read, 25);
    EXPECT_EQ(counts.duplicate_time, 1);
    EXPECT_EQ(counts.backwards_time, 1);
    EXPECT_EQ(counts.zero_position, 1);
    EXPECT_EQ(counts.speed_outlier, 1);
    EXPECT_EQ(counts.fixes_used, 21);
    EXPECT_EQ(counts.segments, 1);
}

TEST(Track, GapsSplitAndAreNeverInterpolated)
{
    auto a = pathFixes(0, 10), b = pathFixes(20, 30); // 10 s without fixes
    a.insert(a.end(), b.begin(), b.end());
    voirie::TrackCleaningCounts counts;
    auto track = voirie::Track::build(gps(a), {}, "test", counts);
    ASSERT_TRUE(track.ok());
    EXPECT_EQ(counts.segments, 2);
    EXPECT_EQ(counts.gaps, 1);
    EXPECT_TRUE(track->at(kT0 + 9.5));
    EXPECT_FALSE(track->at(kT0 + 15));
    EXPECT_TRUE(track->at(kT0 + 20.5));
    // A jump of more than 50 m within the time limit splits too.
    auto c = pathFixes(0, 10);
    for (size_t i = 6; i < c.size(); ++i)
        c[i].lat += 0.0006; // 67 m north from fix 6 on
    auto jumped = voirie::Track::build(gps(c), {}, "test", counts);
    ASSERT_TRUE(jumped.ok());
    EXPECT_EQ(counts.segments, 2);
    EXPECT_FALSE(jumped->at(kT0 + 5.5));
}

TEST(Track, RefusesFewerThanTwoValidFixes)
{
    voirie::TrackCleaningCounts counts;
    auto one = voirie::Track::build({{kT0, 2.3, 48.8, std::nullopt}, {kT0 + 1, 0, 0, std::nullopt}}, {}, "gps.csv", counts);
    ASSERT_FALSE(one.ok());
    EXPECT_NE(one.error().find("gps.csv has 1 valid fix"), std::string::npos) << one.error();
}

TEST(Track, SmoothingRemovesMostGpsNoiseAndKeepsCleanTracksClean)
{
    // The test path: 100 m straight then an 80 m radius curve at 10 m/s; fixes from t = 2 s so
    // the standing start (a kink no real car makes) stays out of it; ten minutes of fixes so that
    // the medians are stable.
    Utm31 utm;
    std::mt19937_64 rng(42);
    std::normal_distribution<double> n01(0, 1);
    double ex = 0, ey = 0;
    std::vector<voirie::GpsFix> noisy, exact;
    for (double t = 2; t <= 600; t += 1) { // the curve goes on in circles
        ex = 0.4 * ex + std::sqrt(1 - 0.16) * 1.7 * n01(rng);
        ey = 0.4 * ey + std::sqrt(1 - 0.16) * 1.7 * n01(rng);
        const auto p = pathAt(t);
        double lon, lat;
        utm.toGeo(p.e + ex, p.n + ey, lon, lat);
        noisy.push_back({kT0 + t, lon, lat, std::nullopt});
        utm.toGeo(p.e, p.n, lon, lat);
        exact.push_back({kT0 + t, lon, lat, std::nullopt});
    }
    voirie::TrackCleaningCounts counts;
    voirie::TrackCleaningOptions smooth;
    smooth.smoothing_s = voirie::kRecommendedSmoothingSeconds;
    auto raw = voirie::Track::build(noisy, {}, "raw", counts);
    auto smoothed = voirie::Track::build(noisy, smooth, "smoothed", counts);
    auto clean = voirie::Track::build(exact, smooth, "clean", counts);
    ASSERT_TRUE(raw.ok() && smoothed.ok() && clean.ok());
    auto error = [&](const voirie::Track& track, double t) {
        double e, n;
        auto s = track.at(kT0 + t);
        utm.toUtm(s->lon, s->lat, e, n);
        return std::hypot(e - pathAt(t).e, n - pathAt(t).n);
    };
    std::vector<double> raw_errors, smoothed_errors;
    for (double t = 7; t <= 595; t += 0.5) {
        raw_errors.push_back(error(*raw, t));
        smoothed_errors.push_back(error(*smoothed, t));
        // Where the straight meets the curve the fit cuts the corner (0.59 m at 15 s, 1.5 s into
        // the curve; under 0.35 m at 10 s): the price of the smoothing, small beside the noise.
        EXPECT_LT(error(*clean, t), 0.65) << "an exact track stays nearly exact, curve included, at t=" << t;
    }
    std::sort(raw_errors.begin(), raw_errors.end());
    std::sort(smoothed_errors.begin(), smoothed_errors.end());
    const double raw_median = raw_errors[raw_errors.size() / 2], smoothed_median = smoothed_errors[smoothed_errors.size() / 2];
    EXPECT_GT(raw_median, 1.2);
    EXPECT_LT(smoothed_median, 0.75 * raw_median) << raw_median << " -> " << smoothed_median; // 1.88 -> 1.28
    // Chainage follows the smoothed positions: close to the distance actually driven.
    EXPECT_NEAR(smoothed->lengthMetres(), 5980, 60);
}

TEST(FrameSampler, EveryMetresSkipsAStoppedVehicle)
{
    voirie::FrameSampler sampler({voirie::SamplingPolicy::Mode::Metres, 3.0});
    std::vector<double> kept;
    int kept_while_stopped = 0;
    for (int i = 0; i < 300; ++i) {
        // 0.37 m per frame (40 km/h at 30 fps), stopped for frames 100-199
        const double chainage = i < 100 ? i * 0.37 : (i < 200 ? 36.63 : 36.63 + (i - 199) * 0.37);
        if (sampler.accept(i / 30.0, chainage)) {
            kept.push_back(chainage);
            kept_while_stopped += (i >= 100 && i < 200);
        }
    }
    EXPECT_EQ(kept_while_stopped, 0);
    ASSERT_EQ(kept.size(), 23u); // 73.63 m at one frame per 3.33 m (9 frames)
    for (size_t i = 1; i < kept.size(); ++i) {
        EXPECT_GE(kept[i] - kept[i - 1], 3.0);
        EXPECT_LT(kept[i] - kept[i - 1], 3.4);
    }
    voirie::FrameSampler seconds({voirie::SamplingPolicy::Mode::Seconds, 0.5});
    int per_second = 0;
    for (int i = 0; i < 90; ++i)
        per_second += seconds.accept(i / 30.0, 0);
    EXPECT_EQ(per_second, 6);
}

} // namespace

namespace {

// A fix dated in another year (2926) or another month is out of order with every fix after it:
// it must cost itself, not the rest of the track (which "going backwards" against it did).
TEST(Track, AFixWithAWrongDateCostsThatFixOnly)
{
    for (double wrong : {900.0 * 365.25 * 86400.0, 80.0 * 86400.0}) {
        auto fixes = gps(pathFixes(0, 40));
        fixes[12].time += wrong;
        voirie::TrackCleaningCounts counts;
        auto track = voirie::Track::build(fixes, {}, "test", counts);
        ASSERT_TRUE(track.ok()) << track.error();
        EXPECT_EQ(counts.time_outlier, 1);
        EXPECT_EQ(counts.backwards_time, 0);
        EXPECT_EQ(counts.fixes_used, 40);
        EXPECT_EQ(counts.segments, 1);
        ASSERT_FALSE(counts.dropped_examples.empty());
        EXPECT_NE(counts.dropped_examples[0].find("fix 13 "), std::string::npos) << counts.dropped_examples[0];
        EXPECT_NEAR(track->endTime() - track->startTime(), 40.0, 1e-9);
    }
}

// A wrong first fix (a receiver's cold start a kilometre off) is dropped, not used as the
// reference that every later fix fails the speed test against.
TEST(Track, AFirstFixFarAwayDoesNotCostTheRest)
{
    auto fixes = gps(pathFixes(0, 30));
    fixes[0].lat += 0.01; // 1.1 km off, 1 s before the next fix
    voirie::TrackCleaningCounts counts;
    auto track = voirie::Track::build(fixes, {}, "test", counts);
    ASSERT_TRUE(track.ok()) << track.error();
    EXPECT_EQ(counts.speed_outlier, 1);
    EXPECT_EQ(counts.fixes_used, 30);
}

// A multipath fix 30 m aside and back, under the speed limit (each hop is ~115 km/h), is dropped
// and counted; the ordinary noise of a receiver (3 m, 1 Hz) and a track every 5 s keep every fix.
TEST(Track, AFixThatSwervesOffCourseAndBackIsDropped)
{
    auto fixes = gps(pathFixes(0, 30));
    fixes[12].lat += 30.0 / 111320; // 30 m north of its course
    voirie::TrackCleaningCounts counts;
    auto track = voirie::Track::build(fixes, {}, "test", counts);
    ASSERT_TRUE(track.ok()) << track.error();
    EXPECT_EQ(counts.speed_outlier, 0);
    EXPECT_EQ(counts.swerve_outlier, 1);
    EXPECT_EQ(counts.fixes_used, 30);
    ASSERT_EQ(counts.dropped_examples.size(), 1u);
    EXPECT_NE(counts.dropped_examples[0].find("fix 13"), std::string::npos) << counts.dropped_examples[0];

    std::mt19937 rng(4);
    std::normal_distribution<double> noise(0, 3.0 / 111320);
    auto noisy = gps(pathFixes(0, 60));
    for (auto& f : noisy)
        f.lat += noise(rng), f.lon += noise(rng) * 1.4;
    ASSERT_TRUE(voirie::Track::build(noisy, {}, "noisy", counts).ok());
    EXPECT_EQ(counts.dropped(), 0);
    ASSERT_TRUE(voirie::Track::build(gps(pathFixes(0, 60, 5.0)), {}, "sparse", counts).ok());
    EXPECT_EQ(counts.dropped(), 0);
}

} // namespace
