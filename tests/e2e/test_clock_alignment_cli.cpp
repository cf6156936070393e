// `--time-offset auto` as a user runs it: a generated survey whose camera clock is an hour off
// (a camera set to UTC+1) and a separate GPX track; `voirie frames` and `voirie analyze` work the
// offset out from the footage, say how they found it, and the project records it (with the camera,
// worked out from the footage too when no --camera is given). Bad values and
// inputs with nothing to align are one sentence.
#include "cli_fixtures.hpp"
#include "survey_fixtures.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;
using namespace voirie::test;

class ClockAlignmentCli : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        dir_ = new TempDir();
        // 400 m: two curves begin and end on the way (the sample's road alternates straights and arcs).
        auto r = runVoirie("sample --out " + shellQuoted(*dir_ / "s") +
                           " --length-m 400 --size 640x360 --seed 41 --clock-offset-s 3600.4 --quiet");
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    static void TearDownTestSuite() { delete dir_; }
    static std::string input()
    {
        return "--video " + shellQuoted(*dir_ / "s" / "survey.mp4") + " --track " + shellQuoted(*dir_ / "s" / "survey.gpx");
    }
    static TempDir* dir_;
};
TempDir* ClockAlignmentCli::dir_ = nullptr;

TEST_F(ClockAlignmentCli, FramesFindTheCameraClockAnHourOff)
{
    // Without the offset the video and the track do not overlap at all.
    auto r = runVoirie("frames " + input() + " --json");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("does not overlap"), std::string::npos) << r.err;

    r = runVoirie("frames " + input() + " --time-offset auto --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_NEAR(j["summary"]["time_offset_s"].get<double>(), -3600.4, 0.3);
    EXPECT_EQ(j["summary"]["time_offset_source"], "auto");
    EXPECT_NE(j["summary"]["time_offset_how"].get<std::string>().find("from the footage"), std::string::npos);
    EXPECT_EQ(j["summary"]["frames_outside_track"], 0);
    EXPECT_GT(j["frames"].size(), 100u);

    // A number is taken as given.
    r = runVoirie("frames " + input() + " --time-offset -3600.4 --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["summary"]["time_offset_source"], "given");
}

TEST_F(ClockAlignmentCli, AnalyzeRecordsTheOffsetTheCameraAndHowTheyWereFound)
{
    const fs::path project = *dir_ / "p.gpkg";
    auto r = runVoirie("analyze " + input() + " --time-offset auto --out " + shellQuoted(project) +
                       " --plugins potholes --no-anonymize --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto options = nlohmann::json::parse(sqlText(project, "SELECT options FROM run"));
    EXPECT_NEAR(options["time_offset_s"].get<double>(), -3600.4, 0.3);
    EXPECT_EQ(options["time_offset_source"], "auto");
    EXPECT_NE(options["time_offset_how"].get<std::string>().find("track fixes"), std::string::npos);
    // No --camera: the mounting was worked out from the footage, each value saying how.
    const auto camera = nlohmann::json::parse(sqlText(project, "SELECT camera FROM run"));
    EXPECT_NE(camera["source"].get<std::string>().find("estimated from the footage"), std::string::npos) << camera.dump();
    EXPECT_EQ(camera["sources"]["pitch_deg"].get<std::string>().rfind("estimated", 0), 0u) << camera.dump();
    EXPECT_EQ(camera["sources"]["height_m"].get<std::string>().rfind("estimated", 0), 0u) << camera.dump();
    EXPECT_EQ(camera["sources"]["roll_deg"].get<std::string>().rfind("estimated", 0), 0u) << camera.dump();
    EXPECT_NEAR(camera["roll_deg"].get<double>(), 0.0, 0.5); // the generator's camera is level
    // The field of view comes from 36 s of turns here (a few per cent off, README): the pitch
    // through the vanishing point moves with it.
    EXPECT_NEAR(camera["pitch_deg"].get<double>(), 12.0, 1.0);
    EXPECT_NEAR(camera["height_m"].get<double>(), 1.3, 0.13);
    const auto summary = nlohmann::json::parse(sqlText(project, "SELECT summary FROM run"));
    EXPECT_GT(summary["cpu_s_by_stage"].value("calibration", 0.0), 0.0) << summary["cpu_s_by_stage"].dump();
}

TEST_F(ClockAlignmentCli, RefusalsAreOneSentence)
{
    auto r = runVoirie("frames " + input() + " --time-offset soon");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--time-offset takes seconds"), std::string::npos) << r.err;
    // Photos: no motion between frames to match.
    r = runVoirie("frames --photos " + shellQuoted(*dir_ / "s" / "stills") + " --track " +
                  shellQuoted(*dir_ / "s" / "survey.gpx") + " --time-offset auto");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("needs video footage"), std::string::npos) << r.err;
    // A track of another drive: straight at constant speed, where the footage turns.
    const fs::path straight = *dir_ / "straight.gpx";
    std::vector<Fix> fixes;
    for (int i = 0; i < 60; ++i) // due north at 11 m/s, a minute
        fixes.push_back({1776157800.0 + i, 4.8, 45.0 + i * 1e-4});
    writeGpx(straight, fixes);
    r = runVoirie("frames --video " + shellQuoted(*dir_ / "s" / "survey.mp4") + " --track " + shellQuoted(straight) +
                  " --time-offset auto");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("--time-offset auto"), std::string::npos) << r.err;
}

} // namespace
