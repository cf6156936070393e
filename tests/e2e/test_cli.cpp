// The `voirie` command as users and scripts see it: exit codes, messages, JSON shapes.
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

namespace {

namespace fs = std::filesystem;
using voirie::test::shellQuoted;
using voirie::test::runCommand;
using voirie::test::TempDir;

const std::string kVoirie = VOIRIE_CLI;
const fs::path kFakePlugins = VOIRIE_FAKE_PLUGIN_DIR;

std::string voirie(const std::string& args) { return shellQuoted(kVoirie) + " " + args; }

#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

TEST(Cli, VersionHelpAndUsageErrors)
{
    auto version = runCommand(voirie("--version"));
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_CONTAINS(version.out, "voirie 0.");
    EXPECT_CONTAINS(version.out, "plugin API 1.1");

    auto help = runCommand(voirie("--help"));
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_CONTAINS(help.out, "plugins validate");
    EXPECT_CONTAINS(help.out, "detect");

    EXPECT_EQ(runCommand(voirie("")).exit_code, 2);
    auto unknown = runCommand(voirie("frobnicate"));
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_CONTAINS(unknown.err, "unknown command 'frobnicate'");

    auto bad_option = runCommand(voirie("detect --no-such-flag x.png"));
    EXPECT_EQ(bad_option.exit_code, 2);
    EXPECT_CONTAINS(bad_option.err, "no-such-flag");

    auto command_help = runCommand(voirie("detect --help"));
    EXPECT_EQ(command_help.exit_code, 0);
    EXPECT_CONTAINS(command_help.out, "--plugins");

    auto missing_dir = runCommand(voirie("plugins --plugin-dir /nonexistent/dir"));
    EXPECT_EQ(missing_dir.exit_code, 1);
    EXPECT_CONTAINS(missing_dir.err, "/nonexistent/dir does not exist");
}

TEST(Cli, PluginsListsLoadedAndFailed)
{
    auto result = runCommand(voirie("plugins --json --plugin-dir " + shellQuoted(kFakePlugins)));
    ASSERT_EQ(result.exit_code, 0) << result.err;
    auto doc = nlohmann::json::parse(result.out);
    std::map<std::string, nlohmann::json> by_id;
    for (const auto& p : doc["plugins"])
        by_id[p["id"].get<std::string>()] = p;
    ASSERT_TRUE(by_id.count("good"));
    EXPECT_EQ(by_id["good"]["state"], "loaded");
    EXPECT_EQ(by_id["good"]["vendor"], "Voirie tests");
    EXPECT_EQ(by_id["good"]["thread_safety"], "instance-safe");
    EXPECT_EQ(by_id["good"]["parameters"][0]["name"], "count");
    EXPECT_EQ(by_id["mismatch"]["state"], "failed");
    EXPECT_CONTAINS(by_id["mismatch"]["error"].get<std::string>(), "disagree on the id");
    EXPECT_EQ(by_id["missing-entry"]["state"], "failed");

    auto text = runCommand(voirie("plugins --plugin-dir " + shellQuoted(kFakePlugins)));
    EXPECT_EQ(text.exit_code, 0);
    EXPECT_CONTAINS(text.out, "FAILED: plugin 'binary-api2'");
    EXPECT_CONTAINS(text.out, "--param good.count=1");
}

TEST(Cli, ValidateExitCodes)
{
    auto good = runCommand(voirie("plugins validate " + shellQuoted(kFakePlugins / "good")));
    EXPECT_EQ(good.exit_code, 0) << good.out;
    EXPECT_CONTAINS(good.out, "PASSED");
    EXPECT_CONTAINS(good.out, "median per frame");

    auto crash = runCommand(voirie("plugins validate " + shellQuoted(kFakePlugins / "crashes")));
    EXPECT_EQ(crash.exit_code, 1);
    EXPECT_CONTAINS(crash.out, "FAIL  crash: the plugin crashed");
    EXPECT_CONTAINS(crash.out, "FAILED");
}

TEST(Cli, DetectJsonShapeAndUnreadableImage)
{
    TempDir dir;
    cv::imwrite((dir / "a.png").string(), cv::Mat(360, 640, CV_8UC3, cv::Scalar(100, 100, 100)));
    cv::imwrite((dir / "b.jpg").string(), cv::Mat(200, 400, CV_8UC3, cv::Scalar(100, 100, 100)));
    voirie::test::writeFile(dir / "broken.png", "this is not a png");
    auto result = runCommand(voirie("detect --json --plugin-dir " + shellQuoted(kFakePlugins) +
                                    " --plugins good,c-plain --param good.count=2 " + shellQuoted(dir.path()) + " " +
                                    shellQuoted(dir / "missing.png")));
    EXPECT_EQ(result.exit_code, 1) << "an unreadable image makes the run a partial failure";
    auto doc = nlohmann::json::parse(result.out);
    ASSERT_EQ(doc["images"].size(), 4u);
    const auto& a = doc["images"][0];
    EXPECT_EQ(a["path"], (dir / "a.png").string());
    EXPECT_EQ(a["width"], 640);
    EXPECT_EQ(a["height"], 360);
    ASSERT_EQ(a["detections"].size(), 3u);
    const auto& first = a["detections"][0];
    EXPECT_EQ(first["plugin"], "good");
    EXPECT_EQ(first["class"], "D40");
    EXPECT_DOUBLE_EQ(first["confidence"].get<double>(), 0.9);
    EXPECT_EQ(first["box"], nlohmann::json::parse("[186.667, 247.5, 80.0, 45.0]"));
    EXPECT_EQ(first["polygon"].size(), 4u);
    EXPECT_EQ(a["detections"][2]["plugin"], "c-plain");
    EXPECT_EQ(a["detections"][2]["polyline"].size(), 2u);
    // key order is part of the documented shape
    EXPECT_EQ(result.out.rfind("{\"images\":[{\"path\":", 0), 0u);
    EXPECT_CONTAINS(result.out, "\"detections\":[{\"plugin\":\"good\",\"class\":\"D40\",\"confidence\":0.9,\"box\":[");

    EXPECT_EQ(doc["images"][1]["width"], 400);
    EXPECT_EQ(doc["images"][2]["path"], (dir / "broken.png").string());
    EXPECT_CONTAINS(doc["images"][2]["error"].get<std::string>(), "cannot be read as an image");
    EXPECT_FALSE(doc["images"][2].contains("detections"));
    EXPECT_CONTAINS(doc["images"][3]["error"].get<std::string>(), "does not exist");
    EXPECT_CONTAINS(result.err, "broken.png");
}

TEST(Cli, DetectRefusalsAndPluginFailures)
{
    TempDir dir;
    cv::imwrite((dir / "a.png").string(), cv::Mat(100, 100, CV_8UC3, cv::Scalar(0)));
    const std::string plugins = " --plugin-dir " + shellQuoted(kFakePlugins) + " ";

    auto bad_param = runCommand(voirie("detect" + plugins + "--plugins good --param good.count=99 " + shellQuoted(dir / "a.png")));
    EXPECT_EQ(bad_param.exit_code, 2);
    EXPECT_CONTAINS(bad_param.err, "outside its range [0, 10]");

    auto unknown = runCommand(voirie("detect" + plugins + "--plugins nonesuch " + shellQuoted(dir / "a.png")));
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_CONTAINS(unknown.err, "no plugin with id 'nonesuch'");

    auto failed = runCommand(voirie("detect" + plugins + "--plugins mismatch " + shellQuoted(dir / "a.png")));
    EXPECT_EQ(failed.exit_code, 1);
    EXPECT_CONTAINS(failed.err, "disagree on the id");

    auto throws = runCommand(voirie("detect --json" + plugins + "--plugins throws-detect,good " + shellQuoted(dir / "a.png")));
    EXPECT_EQ(throws.exit_code, 1);
    auto doc = nlohmann::json::parse(throws.out);
    EXPECT_EQ(doc["images"][0]["detections"].size(), 1u) << "the good plugin still ran";
    EXPECT_CONTAINS(doc["images"][0]["plugin_errors"][0].get<std::string>(), "model exploded on purpose");

    auto crash = runCommand(voirie("detect" + plugins + "--plugins crashes " + shellQuoted(dir / "a.png")));
    EXPECT_EQ(crash.exit_code, 1);
    EXPECT_CONTAINS(crash.err, "plugin 'crashes'");
    EXPECT_CONTAINS(crash.err, "crashed (SIGSEGV");

    voirie::test::TempDir empty;
    auto no_images = runCommand(voirie("detect" + plugins + "--plugins good " + shellQuoted(empty.path())));
    EXPECT_EQ(no_images.exit_code, 1);
    EXPECT_CONTAINS(no_images.err, "no jpg or png images were found");

    // A copy of voirie with no plugin folder beside it finds no plugin at all.
    std::filesystem::create_directories(dir / "bin");
    std::filesystem::copy_file(kVoirie, dir / "bin" / "voirie");
    auto none = runCommand("VOIRIE_PLUGIN_PATH= " + shellQuoted(dir / "bin" / "voirie") + " detect --plugin-dir " +
                           shellQuoted(dir.path()) + " " + shellQuoted(dir / "a.png"));
    EXPECT_EQ(none.exit_code, 1);
    EXPECT_CONTAINS(none.err, "no usable detector plugin");
}

} // namespace

namespace {

// Without --plugins, `voirie detect` runs the detectors meant for real footage (road-segnet) and
// never fails for one that needs a parameter; `voirie plugins` says which run by default and why.
TEST(Cli, DefaultDetectorsAreSaidAndRunWithoutPlugins)
{
    auto text = runCommand(voirie("plugins"));
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_CONTAINS(text.out, "runs by default (without --plugins)");
    EXPECT_CONTAINS(text.out, "not run by default: onnx-yolo needs --param onnx-yolo.model=...");
    EXPECT_CONTAINS(text.out, "not run by default: name it (--plugins cracks)");
    auto json = nlohmann::json::parse(runCommand(voirie("plugins --json")).out);
    for (const auto& p : json["plugins"])
        if (p["kind"] == "detector")
            EXPECT_EQ(p["runs_by_default"].get<bool>(), p["id"] == "road-segnet") << p["id"];

    const fs::path image = fs::path(VOIRIE_SOURCE_DIR) / "tests/data/road-segnet/images";
    const fs::path first = *fs::directory_iterator(image);
    auto detect = runCommand(voirie("detect --json " + shellQuoted(first)));
    ASSERT_EQ(detect.exit_code, 0) << detect.err;
    EXPECT_EQ(detect.err.find("onnx-yolo"), std::string::npos) << detect.err;
    for (const auto& d : nlohmann::json::parse(detect.out)["images"][0]["detections"])
        EXPECT_EQ(d["plugin"], "road-segnet");
}

} // namespace
