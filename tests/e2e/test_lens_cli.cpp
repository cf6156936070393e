// A camera file with lens distortion: the frames are undistorted as they are read, the summary
// says so and gives the pinhole camera they now have, and the project records the lens so that
// what decodes the frames again (the app's frame view, voirie ortho) undistorts them alike.
#include "cli_fixtures.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <fstream>

namespace {

namespace fs = std::filesystem;
using namespace voirie::test;

TEST(LensCli, FramesAndAnalyzeRemoveTheLensDistortion)
{
    TempDir dir;
    auto r = runVoirie("sample --out " + shellQuoted(dir / "s") + " --length-m 60 --size 640x360 --seed 5 --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(dir / "s" / "camera.json");
    auto camera = nlohmann::json::parse(in);
    camera["k1"] = -0.2;
    camera["k2"] = 0.04;
    std::ofstream(dir / "lens.json") << camera.dump();
    const std::string input = "--video " + shellQuoted(dir / "s" / "survey.mp4") + " --track " +
                              shellQuoted(dir / "s" / "survey.gpx") + " --camera " + shellQuoted(dir / "lens.json");

    r = runVoirie("frames " + input + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto summary = nlohmann::json::parse(r.out)["summary"];
    ASSERT_TRUE(summary["camera"].contains("lens")) << summary["camera"].dump();
    EXPECT_DOUBLE_EQ(summary["camera"]["lens"]["k1"].get<double>(), -0.2);
    EXPECT_LT(summary["camera"]["fx"].get<double>(), summary["camera"]["lens"]["fx"].get<double>())
        << "barrel distortion removed: the pinhole view needs a wider angle for what the lens saw";

    const fs::path project = dir / "p.gpkg";
    r = runVoirie("analyze " + input + " --out " + shellQuoted(project) + " --plugins potholes --no-anonymize --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto run_camera = nlohmann::json::parse(sqlText(project, "SELECT camera FROM run"));
    ASSERT_TRUE(run_camera.contains("lens")) << run_camera.dump();
    EXPECT_DOUBLE_EQ(run_camera["lens"]["k2"].get<double>(), 0.04);
    EXPECT_DOUBLE_EQ(run_camera["fx"].get<double>(), summary["camera"]["fx"].get<double>());

    // A malformed lens is one sentence naming the file.
    camera["fisheye"] = {0.1};
    std::ofstream(dir / "bad.json") << camera.dump();
    r = runVoirie("frames --video " + shellQuoted(dir / "s" / "survey.mp4") + " --track " + shellQuoted(dir / "s" / "survey.gpx") +
                  " --camera " + shellQuoted(dir / "bad.json"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("bad.json"), std::string::npos) << r.err;
}

} // namespace
