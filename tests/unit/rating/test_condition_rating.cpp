// Rating schemes and the condition index of a segment: the documented arithmetic, exactly;
// monotone in damage; every malformed scheme refused with a sentence naming the problem.
#include "voirie/core/rating/condition_rating.hpp"
#include "voirie/core/rating/segment_rating.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <random>

namespace {

using namespace voirie;

RatingScheme scheme(const std::string& name)
{
    auto s = loadRatingScheme(name);
    EXPECT_TRUE(s) << s.error();
    return *s;
}

// The worked example of the README: a 100 m x 3.5 m segment (350 m2) with 7 m of medium
// longitudinal cracking and one high-severity pothole, under pci-proxy.
TEST(ConditionRating, HandComputedSegmentGivesTheDocumentedIndex)
{
    const auto pci = scheme("pci-proxy");
    SegmentDamage damage;
    damage.add("D00", Severity::Medium, 7.0);
    damage.add("D40", Severity::High, 1.0);
    const auto rating = rateSegment(pci, damage, 350.0);
    // D00: 7 m / 350 m2 = 2 %; M curve between (1 %, 10) and (10 %, 28) in log10: 10 + 18 log10(2).
    const double d00 = 10 + 18 * std::log10(2.0);
    // D40: 1 / 350 x 100 = 0.2857 %; H curve between (0.1 %, 30) and (1 %, 75): 30 + 45 log10(2.857).
    const double d40 = 30 + 45 * std::log10(100.0 / 350.0 / 0.1);
    ASSERT_EQ(rating.deducts.size(), 2u);
    EXPECT_EQ(rating.deducts[0].class_code, "D40");
    EXPECT_EQ(rating.deducts[0].worst, Severity::High);
    EXPECT_NEAR(rating.deducts[0].deduct, d40, 1e-9);
    EXPECT_NEAR(rating.deducts[1].deduct, d00, 1e-9);
    EXPECT_NEAR(rating.combined_deduct, d40 + 0.6 * d00, 1e-9);
    EXPECT_NEAR(rating.index, 100 - (d40 + 0.6 * d00), 1e-9);
    EXPECT_NEAR(rating.index, 40.232, 1e-3);
    EXPECT_EQ(rating.band.grade, "4");
    EXPECT_EQ(rating.band.treatment, "structural overlay");

    const auto clean = rateSegment(pci, SegmentDamage{}, 350.0);
    EXPECT_EQ(clean.index, 100);
    EXPECT_EQ(clean.band.grade, "1");

    const auto paser = rateSegment(scheme("paser-like"), damage, 350.0);
    EXPECT_EQ(paser.index, std::round(paser.index)) << "PASER rates in whole numbers";
    EXPECT_GE(paser.index, 1);
    EXPECT_LE(paser.index, 10);
}

TEST(ConditionRating, CurvesInterpolateInLogDensityAndStayFlatBeyondTheirEnds)
{
    DeductCurve c{{{0.1, 10}, {1, 30}, {10, 50}}};
    EXPECT_DOUBLE_EQ(c.at(0), 0);
    EXPECT_DOUBLE_EQ(c.at(0.05), 5);  // linear from 0 below the first point
    EXPECT_DOUBLE_EQ(c.at(1), 30);
    EXPECT_NEAR(c.at(std::sqrt(10.0)), 40, 1e-12); // halfway in log10
    EXPECT_DOUBLE_EQ(c.at(1000), 50);
}

// More damage, or the same damage rated more severe, never raises the index.
TEST(ConditionRating, MoreOrWorseDamageNeverImprovesTheIndex)
{
    std::mt19937 rng(11);
    const char* classes[] = {"D00", "D10", "D20", "D40"};
    for (const char* name : {"pci-proxy", "paser-like"}) {
        const auto s = scheme(name);
        for (int trial = 0; trial < 400; ++trial) {
            SegmentDamage damage;
            std::vector<std::tuple<std::string, Severity, double>> items;
            for (int i = 0; i < int(rng() % 6); ++i) {
                items.emplace_back(classes[rng() % 4], Severity(1 + rng() % 3), 0.2 + (rng() % 400) / 20.0);
                damage.add(std::get<0>(items.back()), std::get<1>(items.back()), std::get<2>(items.back()));
            }
            const double area = 50 + rng() % 400;
            const double before = rateSegment(s, damage, area).index;
            SegmentDamage more = damage;
            more.add(classes[rng() % 4], Severity(1 + rng() % 3), 0.1 + (rng() % 100) / 10.0);
            EXPECT_LE(rateSegment(s, more, area).index, before + 1e-12) << name;
            if (items.empty())
                continue;
            // One damage one level worse.
            auto [code, severity, amount] = items[rng() % items.size()];
            if (severity == Severity::High)
                continue;
            SegmentDamage worse;
            bool moved = false;
            for (const auto& [c, sev, a] : items) {
                const bool pick = !moved && c == code && sev == severity && a == amount;
                worse.add(c, pick ? Severity(int(sev) + 1) : sev, a);
                moved |= pick;
            }
            EXPECT_LE(rateSegment(s, worse, area).index, before + 1e-12) << name;
        }
    }
}

std::string validScheme(const std::function<void(nlohmann::json&)>& change)
{
    auto j = nlohmann::json::parse(builtinRatingSchemeText("pci-proxy"));
    change(j);
    return j.dump();
}

TEST(RatingScheme, EveryMalformedSchemeIsRefusedWithItsReason)
{
    const std::vector<std::pair<std::function<void(nlohmann::json&)>, std::string>> cases = {
        {[](auto& j) { j.erase("grades"); }, "incomplete or mistyped"},
        {[](auto& j) { j["index"]["max"] = -1; }, "index max must be above index min"},
        {[](auto& j) { j["classes"]["X99"] = j["classes"]["D00"]; }, "\"X99\" is not a damage class code"},
        {[](auto& j) { j["classes"]["D00"]["quantity"] = "volume"; }, "class D00: \"quantity\" must be"},
        {[](auto& j) { j["classes"]["D10"]["deducts"].erase("H"); }, "class D10 has no deduct curve for severity H"},
        {[](auto& j) { j["classes"]["D20"]["deducts"]["L"] = {{1, 10}, {0.5, 20}}; }, "densities must increase"},
        {[](auto& j) { j["classes"]["D20"]["deducts"]["M"] = {{1, 1}, {10, 2}}; }, "severity M deducts less than L"},
        {[](auto& j) { j["classes"]["D40"]["deducts"]["L"] = {{1, 120}}; }, "deducts within 0..100"},
        {[](auto& j) { j["combine"]["weights"] = {0.5, 0.9}; }, "never increase"},
        {[](auto& j) { j["grades"] = {{{"min", 50}, {"grade", "A"}, {"treatment", "x"}}}; }, "no grade band reaches down"},
    };
    for (const auto& [change, expected] : cases) {
        auto s = parseRatingScheme(validScheme(change), "my.json");
        ASSERT_FALSE(s) << expected;
        EXPECT_NE(s.error().find("my.json"), std::string::npos) << s.error();
        EXPECT_NE(s.error().find(expected), std::string::npos) << s.error();
    }
    auto s = parseRatingScheme("{not json", "broken.json");
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().find("broken.json is not valid JSON"), std::string::npos) << s.error();
    s = loadRatingScheme("/nowhere/scheme.json");
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().find("neither a built-in scheme (pci-proxy, paser-like) nor a readable file"), std::string::npos);
}

TEST(RatingScheme, ShippedSchemesAreValid)
{
    for (const auto& name : builtinRatingSchemes()) {
        auto s = loadRatingScheme(name);
        ASSERT_TRUE(s) << s.error();
        EXPECT_EQ(s->name, name);
        EXPECT_EQ(s->source, "built-in");
    }
    EXPECT_EQ(builtinRatingSchemes().size(), 2u);
}

TEST(ConditionRating, ChainageLabelsReadKilometresPlusMetres)
{
    EXPECT_EQ(chainageLabel(0), "0+000");
    EXPECT_EQ(chainageLabel(1234.4), "1+234");
    EXPECT_EQ(chainageLabel(99.6), "0+100");
}

} // namespace
