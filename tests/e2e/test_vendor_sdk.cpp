// A vendor's path: install the SDK, build the sample plugin out of tree with
// find_package(VoirieSDK), validate it, and have the installed voirie load it from its own
// plugin folder (found relative to the installed binary, wherever the tree is).
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace {

using voirie::test::shellQuoted;
using voirie::test::runCommand;

TEST(VendorSdk, OutOfTreePluginBuildsValidatesAndLoadsFromInstalledTree)
{
    voirie::test::TempDir work;
    const auto prefix = work / "voirie prefix"; // a space in the path on purpose
    auto install = runCommand("cmake --install " + shellQuoted(VOIRIE_BUILD_DIR) + " --prefix " + shellQuoted(prefix));
    ASSERT_EQ(install.exit_code, 0) << install.out << install.err;
    ASSERT_TRUE(std::filesystem::exists(prefix / "include/voirie/plugin_abi.h"));
    ASSERT_TRUE(std::filesystem::exists(prefix / "lib/cmake/VoirieSDK/VoirieSDKConfigVersion.cmake"));

    const auto build = work / "build";
    auto configure = runCommand("cmake -S " + shellQuoted(VOIRIE_SOURCE_DIR "/samples/vendor-plugin") + " -B " +
                                shellQuoted(build) + " -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=" +
                                shellQuoted(prefix));
    ASSERT_EQ(configure.exit_code, 0) << configure.out << configure.err;
    auto compile = runCommand("cmake --build " + shellQuoted(build));
    ASSERT_EQ(compile.exit_code, 0) << compile.out << compile.err;

    const auto installed_voirie = prefix / "bin/voirie";
    auto validate = runCommand(shellQuoted(installed_voirie) + " plugins validate " + shellQuoted(build / "dark-patches"));
    EXPECT_EQ(validate.exit_code, 0) << validate.out << validate.err;
    EXPECT_NE(validate.out.find("PASSED"), std::string::npos) << validate.out;

    // Ship it into the installed tree, then move the whole tree: plugins are found beside the binary.
    auto ship = runCommand("cmake --install " + shellQuoted(build) + " --prefix " + shellQuoted(prefix));
    ASSERT_EQ(ship.exit_code, 0) << ship.out << ship.err;
    const auto moved = work / "moved";
    std::filesystem::rename(prefix, moved);
    auto list = runCommand("VOIRIE_PLUGIN_PATH= " + shellQuoted(moved / "bin/voirie") + " plugins --json");
    ASSERT_EQ(list.exit_code, 0) << list.err;
    auto doc = nlohmann::json::parse(list.out);
    bool found = false;
    for (const auto& p : doc["plugins"])
        if (p["id"] == "dark-patches") {
            found = true;
            EXPECT_EQ(p["state"], "loaded") << p.dump();
            EXPECT_EQ(p["version"], "0.3.0");
        }
    EXPECT_TRUE(found) << list.out;

    // And it detects: a dark blob in the lower half of a grey frame.
    cv::Mat image(360, 640, CV_8UC3, cv::Scalar(120, 120, 120));
    cv::circle(image, {320, 290}, 40, cv::Scalar(20, 20, 20), -1);
    cv::imwrite((work / "pothole.png").string(), image);
    auto detect = runCommand(shellQuoted(moved / "bin/voirie") + " detect --json --plugins dark-patches " +
                             shellQuoted(work / "pothole.png"));
    ASSERT_EQ(detect.exit_code, 0) << detect.err;
    auto result = nlohmann::json::parse(detect.out);
    ASSERT_EQ(result["images"][0]["detections"].size(), 1u) << detect.out;
    auto box = result["images"][0]["detections"][0]["box"];
    EXPECT_LE(box[0].get<double>(), 290);
    EXPECT_GE(box[0].get<double>() + box[2].get<double>(), 350);
}

} // namespace
