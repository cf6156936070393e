// Recognising the same defects in two surveys whose GPS disagree by metres: the offset between
// them estimated from the defects (robust to defects found by one survey only), one-to-one
// matching, the offset of the final pairs, the offset near each place, and the second look at
// leftovers.
#include "voirie/core/campaign/defect_matching.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace {

using namespace voirie;

PlacedDefect pointDefect(const std::string& cls, double x, double y)
{
    PlacedDefect d;
    d.class_code = cls;
    d.centre = {x, y};
    d.shape = std::make_shared<OGRPoint>(x, y);
    return d;
}

// A street of `n` defects every 9-15 m along x, classes in turn.
std::vector<PlacedDefect> street(int n, std::mt19937& rng)
{
    std::uniform_real_distribution<double> gap(9, 15), lateral(-3, 3);
    const char* classes[] = {"D40", "D20", "D10", "D40"};
    std::vector<PlacedDefect> out;
    double x = 0;
    for (int i = 0; i < n; ++i) {
        x += gap(rng);
        out.push_back(pointDefect(classes[i % 4], x, lateral(rng)));
    }
    return out;
}

TEST(DefectMatching, EstimatesTheOffsetFromDefectsDespiteOnesFoundByOneSurveyOnly)
{
    std::mt19937 rng(3);
    std::normal_distribution<double> noise(0, 0.3);
    const auto before = street(30, rng);
    std::vector<PlacedDefect> now;
    const double east = 1.8, north = -0.9; // now = before - offset (the offset brings now onto before)
    for (size_t i = 0; i < before.size(); ++i)
        if (i % 6 != 0) // a sixth repaired
            now.push_back(pointDefect(before[i].class_code, before[i].centre.x - east + noise(rng),
                                      before[i].centre.y - north + noise(rng)));
    for (int k = 0; k < 5; ++k) // new ones between the others
        now.push_back(pointDefect("D40", 20.0 + 70 * k, 5.5));
    const DefectOffset offset = estimateOffset(before, now);
    ASSERT_TRUE(offset.estimated);
    EXPECT_NEAR(offset.east_m, east, 0.2);
    EXPECT_NEAR(offset.north_m, north, 0.2);
    EXPECT_GE(offset.supporting_pairs, 20);
    EXPECT_LT(offset.residual_m, 0.8);

    const auto pairs = matchDefects(before, now, offset, 2.0);
    EXPECT_EQ(pairs.size(), 25u); // every surviving defect, no new one, no repaired one
    for (const auto& p : pairs)
        EXPECT_EQ(before[size_t(p.first)].class_code, now[size_t(p.second)].class_code);
    // Without the offset, a 2 m match misses many of them: that is why it is estimated.
    EXPECT_LT(matchDefects(before, now, DefectOffset{}, 1.0).size(), 15u);
}

TEST(DefectMatching, TooFewCommonDefectsEstimateNoOffset)
{
    const std::vector<PlacedDefect> before{pointDefect("D40", 0, 0), pointDefect("D20", 30, 0)};
    const std::vector<PlacedDefect> now{pointDefect("D40", 1, 0), pointDefect("D20", 31, 0)};
    const DefectOffset offset = estimateOffset(before, now);
    EXPECT_FALSE(offset.estimated);
    EXPECT_EQ(offset.east_m, 0);
    EXPECT_EQ(matchDefects(before, now, offset, 2.0).size(), 2u);
}

TEST(DefectMatching, TheOffsetOfTheFinalPairsIsTheirMeanDisplacementOfOneClass)
{
    const std::vector<PlacedDefect> before{pointDefect("D40", 0, 0), pointDefect("D40", 20, 0), pointDefect("D20", 40, 0),
                                           pointDefect("D10", 60, 0)};
    const std::vector<PlacedDefect> now{pointDefect("D40", -1, 0.5), pointDefect("D40", 19, -0.5), pointDefect("D20", 39, 0),
                                        pointDefect("D00", 55, 0)};
    // The last pair is of two classes (a detector's longitudinal / transverse call): not counted.
    const std::vector<DefectPair> pairs{{0, 0, 0}, {1, 1, 0}, {2, 2, 0}, {3, 3, 0}};
    const DefectOffset offset = offsetOfPairs(before, now, pairs);
    ASSERT_TRUE(offset.estimated);
    EXPECT_EQ(offset.supporting_pairs, 3);
    EXPECT_NEAR(offset.east_m, 1.0, 1e-9);
    EXPECT_NEAR(offset.north_m, 0.0, 1e-9);
    EXPECT_NEAR(offset.residual_m, std::sqrt((0.25 + 0.25 + 0) / 3), 1e-9);
    EXPECT_FALSE(offsetOfPairs(before, now, {{0, 0, 0}, {1, 1, 0}}).estimated);
}

TEST(DefectMatching, TheOffsetNearAPlaceFollowsAWanderingReceiver)
{
    // The new survey's error drifts from +1 m to -1 m (north) along 400 m of street.
    std::vector<PlacedDefect> before, now;
    for (int i = 0; i < 40; ++i) {
        const double x = 10.0 * i, drift = 1.0 - 2.0 * x / 400;
        before.push_back(pointDefect(i % 2 ? "D40" : "D20", x, 0));
        now.push_back(pointDefect(i % 2 ? "D40" : "D20", x, -drift));
    }
    const DefectOffset global = estimateOffset(before, now);
    ASSERT_TRUE(global.estimated);
    const LocalOffset local(global, before, now, 50);
    EXPECT_NEAR(local.at({20, 0}).y, 0.9, 0.25);
    EXPECT_NEAR(local.at({380, 0}).y, -0.9, 0.25);
    EXPECT_EQ(matchDefects(before, now, local, 0.5).size(), 40u);
}

TEST(DefectMatching, LeftoversPairOnlyWhenEachIsTheOthersNearestOfItsClass)
{
    const std::vector<PlacedDefect> before{pointDefect("D40", 0, 0), pointDefect("D40", 50, 0), pointDefect("D20", 100, 0)};
    const std::vector<PlacedDefect> now{pointDefect("D40", 3, 0), pointDefect("D40", 51.5, 0), pointDefect("D40", 53, 0),
                                        pointDefect("D40", 103, 0)};
    const DefectOffset none;
    const LocalOffset local(none, before, now);
    auto pairs = matchDefects(before, now, local, 2.0);
    ASSERT_EQ(pairs.size(), 1u); // 50 <-> 51.5
    matchLeftovers(before, now, local, 4.0, pairs);
    ASSERT_EQ(pairs.size(), 2u); // 0 <-> 3; the D20 at 100 and the pothole at 103 are not one defect
    EXPECT_EQ(pairs[1].first, 0);
    EXPECT_EQ(pairs[1].second, 0);
    EXPECT_NEAR(pairs[1].distance_m, 3.0, 1e-9);
}

} // namespace
