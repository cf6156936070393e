#include "voirie/core/plugin_host/plugin_validator.hpp"

#include <gtest/gtest.h>

namespace {

const std::filesystem::path kFakePlugins = VOIRIE_FAKE_PLUGIN_DIR;

std::string failures(const voirie::ValidationReport& r)
{
    std::string text;
    for (const auto& c : r.checks)
        if (c.outcome == voirie::CheckOutcome::Fail)
            text += c.name + ": " + c.detail + "\n";
    return text;
}

bool hasPassed(const voirie::ValidationReport& r, const std::string& name)
{
    for (const auto& c : r.checks)
        if (c.name == name && c.outcome == voirie::CheckOutcome::Pass)
            return true;
    return false;
}

TEST(PluginValidator, GoodPluginPassesEveryCheck)
{
    auto report = voirie::validatePlugin(kFakePlugins / "good");
    EXPECT_TRUE(report.passed()) << failures(report);
    for (const char* check : {"manifest", "API version", "library", "create", "detect", "concurrency", "speed"})
        EXPECT_TRUE(hasPassed(report, check)) << check;
}

TEST(PluginValidator, AcceptsTheBinaryOrTheManifestAsPath)
{
    EXPECT_TRUE(voirie::validatePlugin(kFakePlugins / "c-plain" / "c-plain.so").passed());
    EXPECT_TRUE(voirie::validatePlugin(kFakePlugins / "c-plain" / "plugin.json").passed());
}

TEST(PluginValidator, CrashIsReportedNotFatal)
{
    auto report = voirie::validatePlugin(kFakePlugins / "crashes");
    ASSERT_FALSE(report.passed());
    const auto text = failures(report);
    EXPECT_NE(text.find("crashed"), std::string::npos) << text;
    EXPECT_NE(text.find("detecting on a"), std::string::npos) << text;
}

TEST(PluginValidator, FailsOnThrowsBadOutputAndMismatch)
{
    auto throws = voirie::validatePlugin(kFakePlugins / "throws-detect");
    EXPECT_FALSE(throws.passed());
    EXPECT_NE(failures(throws).find("model exploded on purpose"), std::string::npos);

    auto bad = voirie::validatePlugin(kFakePlugins / "bad-output");
    EXPECT_FALSE(bad.passed());
    EXPECT_NE(failures(bad).find("invalid detection"), std::string::npos);

    auto mismatch = voirie::validatePlugin(kFakePlugins / "mismatch");
    EXPECT_FALSE(mismatch.passed());
    EXPECT_NE(failures(mismatch).find("disagree"), std::string::npos);

    auto missing = voirie::validatePlugin("/nonexistent/plugin");
    EXPECT_FALSE(missing.passed());
    EXPECT_NE(failures(missing).find("does not exist"), std::string::npos);
}

} // namespace
