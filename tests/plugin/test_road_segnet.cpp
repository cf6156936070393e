// road-segnet: the committed trained model, loaded through the plugin boundary, on a few real
// road images (tests/data/road-segnet, credited in its README), and its training tool.
#include "builtin_detector.hpp"
#include "test_support.hpp"

#include "voirie/core/plugin_host/plugin_validator.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <fstream>

namespace {

namespace fs = std::filesystem;
using voirie::test::makeBuiltinDetector;
using voirie::test::TempDir;
using voirie::test::writeFile;

const fs::path kModelDir = voirie::test::kBuiltinPlugins / "road-segnet" / "model";
const fs::path kImages = VOIRIE_SOURCE_DIR "/tests/data/road-segnet";

nlohmann::json readJson(const fs::path& path)
{
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

cv::Mat readMask(const std::string& name, const std::string& cls)
{
    cv::Mat m = cv::imread((kImages / "masks" / (name + "_" + cls + ".png")).string(), cv::IMREAD_GRAYSCALE);
    return m.empty() ? m : cv::Mat(m > 127);
}

// A shell command running `code` in Python with the training tool's modules importable; it exits
// 0 when every assert in `code` held.
std::string trainingPython(const std::string& code)
{
    return "/usr/bin/python3 -c \"import sys; sys.path.insert(0, '" VOIRIE_SOURCE_DIR "/tools/train'); " + code + "\"";
}

std::vector<std::string> testImageNames()
{
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(kImages / "images"))
        names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

TEST(RoadSegNet, ModelLoadsInOpenCvWithItsDescribedOutputShape)
{
    const auto description = readJson(kModelDir / "road-segnet.json");
    const int w = description.at("input_width"), h = description.at("input_height");
    EXPECT_EQ(description.at("classes"), nlohmann::json({"pothole", "crack", "lane"}));
    cv::dnn::Net net = cv::dnn::readNetFromONNX((kModelDir / "road-segnet.onnx").string());
    net.setInput(cv::dnn::blobFromImage(cv::Mat(h, w, CV_8UC3, cv::Scalar::all(100)), 1.0 / 255));
    const cv::Mat out = net.forward();
    ASSERT_EQ(out.dims, 4);
    EXPECT_EQ(std::vector<int>(out.size.p, out.size.p + 4), (std::vector<int>{1, 3, h, w}));
    double lo, hi;
    cv::minMaxLoc(out.reshape(1, 1), &lo, &hi);
    EXPECT_GE(lo, 0.0); // probabilities: the sigmoid is part of the exported model
    EXPECT_LE(hi, 1.0);
    EXPECT_LT(fs::file_size(kModelDir / "road-segnet.onnx"), 4u << 20) << "the shipped model stays a few MB at most";
}

TEST(RoadSegNet, PassesTheValidator)
{
    auto report = voirie::validatePlugin(voirie::test::kBuiltinPlugins / "road-segnet");
    EXPECT_TRUE(report.passed());
}

// Each committed image is scored the way the model card scores the validation split: its
// potholes (mask components of 200+ pixels) are at least half inside a D40 box, every D40 box
// lies on pothole pixels, an image with crack pixels gets a crack, an image without gets none.
TEST(RoadSegNet, FindsThePotholesAndCracksOfRealRoadImages)
{
    std::string error;
    auto segnet = makeBuiltinDetector("road-segnet", {}, &error);
    ASSERT_TRUE(segnet) << error;
    const auto names = testImageNames();
    ASSERT_GE(names.size(), 4u);
    for (const auto& name : names) {
        SCOPED_TRACE(name);
        const cv::Mat image = cv::imread((kImages / "images" / (name + ".jpg")).string());
        ASSERT_FALSE(image.empty());
        auto out = segnet->detect(image, {});
        ASSERT_TRUE(out.ok()) << out.error();
        const cv::Mat pothole = readMask(name, "pothole"), crack = readMask(name, "crack");
        cv::Mat boxes(image.size(), CV_8U, cv::Scalar(0));
        bool any_crack = false;
        for (const auto& d : out->detections) {
            any_crack |= d.class_code == "D00" || d.class_code == "D10" || d.class_code == "D20";
            if (d.class_code != "D40")
                continue;
            const cv::Rect box = cv::Rect(int(d.box.x), int(d.box.y), int(d.box.width), int(d.box.height)) &
                                 cv::Rect({}, image.size());
            boxes(box).setTo(255);
            EXPECT_GE(cv::countNonZero(pothole(box)), 0.1 * box.area()) << "a D40 box off the potholes: " << box;
        }
        cv::Mat labels, stats, centroids;
        const int n = cv::connectedComponentsWithStats(pothole, labels, stats, centroids, 8, CV_32S);
        for (int i = 1; i < n; ++i) {
            const int area = stats.at<int>(i, cv::CC_STAT_AREA);
            if (area >= 200)
                EXPECT_GE(cv::countNonZero((labels == i) & boxes) * 2, area) << "pothole " << i << " not found";
        }
        EXPECT_EQ(any_crack, cv::countNonZero(crack) >= 50);
    }
}

TEST(RoadSegNet, EveryModelProblemIsOneClearSentence)
{
    TempDir dir;
    std::string error;
    EXPECT_FALSE(makeBuiltinDetector("road-segnet", {{"model", (dir / "nowhere.onnx").string()}}, &error));
    EXPECT_NE(error.find("nowhere.onnx does not exist"), std::string::npos) << error;

    fs::copy_file(kModelDir / "road-segnet.onnx", dir / "undescribed.onnx");
    EXPECT_FALSE(makeBuiltinDetector("road-segnet", {{"model", (dir / "undescribed.onnx").string()}}, &error));
    EXPECT_NE(error.find("has no description"), std::string::npos) << error;
    EXPECT_NE(error.find("undescribed.json"), std::string::npos) << error;

    // The right model described with another input size than it was exported at.
    auto description = readJson(kModelDir / "road-segnet.json");
    description["input_width"] = description["input_width"].get<int>() + 64;
    fs::copy_file(kModelDir / "road-segnet.onnx", dir / "resized.onnx");
    writeFile(dir / "resized.json", description.dump());
    EXPECT_FALSE(makeBuiltinDetector("road-segnet", {{"model", (dir / "resized.onnx").string()}}, &error));
    EXPECT_NE(error.find("resized.onnx"), std::string::npos) << error;

    description = readJson(kModelDir / "road-segnet.json");
    description["classes"] = {"crack", "pothole", "lane"};
    fs::copy_file(kModelDir / "road-segnet.onnx", dir / "reordered.onnx");
    writeFile(dir / "reordered.json", description.dump());
    EXPECT_FALSE(makeBuiltinDetector("road-segnet", {{"model", (dir / "reordered.onnx").string()}}, &error));
    EXPECT_NE(error.find("classes must be"), std::string::npos) << error;

    writeFile(dir / "garbage.onnx", "this is no ONNX model");
    writeFile(dir / "garbage.json", readJson(kModelDir / "road-segnet.json").dump());
    EXPECT_FALSE(makeBuiltinDetector("road-segnet", {{"model", (dir / "garbage.onnx").string()}}, &error));
    EXPECT_NE(error.find("cannot load road-segnet model"), std::string::npos) << error;
    EXPECT_NE(error.find("garbage.onnx"), std::string::npos) << error;
}

// The training tool, end to end in seconds: one short epoch on the committed images, an ONNX
// export checked against PyTorch by the tool itself, and a model the plugin loads and runs; a
// selection split held out, on which progress is shown and which the model card names.
TEST(RoadSegNetTraining, OneShortEpochWritesAModelThePluginRuns)
{
    TempDir dir;
    const std::string command = "/usr/bin/python3 " VOIRIE_SOURCE_DIR "/tools/train/train_segnet.py --data " +
                                kImages.string() + " --out " + (dir / "model").string() +
                                " --epochs 1 --batch 2 --threads 1 --validation-percent 0 --selection-percent 20 --pothole-share 0.5 "
                                "--small-pothole-area 600 > " +
                                (dir / "log.txt").string() + " 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream log(dir / "log.txt");
    const std::string text((std::istreambuf_iterator<char>(log)), {});
    ASSERT_EQ(status, 0) << "the training tool failed (scripts/install-deps.sh installs python3-torch):\n" << text;
    for (const char* file : {"road-segnet.onnx", "road-segnet.json", "road-segnet.pt"})
        EXPECT_TRUE(fs::exists(dir / "model" / file)) << file;
    EXPECT_NE(text.find("selection IoU"), std::string::npos) << "progress is shown on the selection split:\n" << text;
    std::ifstream card(dir / "model" / "MODEL_CARD.md");
    const std::string card_text((std::istreambuf_iterator<char>(card)), {});
    EXPECT_NE(card_text.find("held out of training too"), std::string::npos) << card_text;

    std::string error;
    auto segnet = makeBuiltinDetector("road-segnet", {{"model", (dir / "model" / "road-segnet.onnx").string()}}, &error);
    ASSERT_TRUE(segnet) << error;
    const cv::Mat image = cv::imread((kImages / "images" / (testImageNames().front() + ".jpg")).string());
    auto out = segnet->detect(image, {});
    EXPECT_TRUE(out.ok()) << out.error();
}

// --resume: a run stopped after its first epoch and resumed ends with the very weights of the
// same run never stopped (optimizer, schedule and random state come back with the checkpoint);
// resuming with other options is refused.
TEST(RoadSegNetTraining, AResumedRunEndsAsTheUninterruptedOne)
{
    TempDir dir;
    auto train = [&](const std::string& out, const std::string& extra) {
        const std::string command = "/usr/bin/python3 " VOIRIE_SOURCE_DIR "/tools/train/train_segnet.py --data " +
                                    kImages.string() + " --out " + (dir / out).string() +
                                    " --epochs 2 --batch 2 --threads 1 --validation-percent 0 --seed 3 " + extra +
                                    " >> " + (dir / "log.txt").string() + " 2>&1";
        return std::system(command.c_str());
    };
    auto log = [&] {
        std::ifstream in(dir / "log.txt");
        return std::string((std::istreambuf_iterator<char>(in)), {});
    };
    ASSERT_EQ(train("whole", ""), 0) << log();
    ASSERT_EQ(train("stopped", "--stop-after 1"), 0) << log();
    EXPECT_TRUE(fs::exists(dir / "stopped" / "checkpoint.pt"));
    EXPECT_FALSE(fs::exists(dir / "stopped" / "road-segnet.pt")) << "a stopped run writes no model";
    EXPECT_NE(train("stopped", "--epochs 3 --resume"), 0) << "argparse takes the last --epochs: 3, refused";
    EXPECT_NE(log().find("written with other options: --epochs 2"), std::string::npos) << log();
    ASSERT_EQ(train("stopped", "--resume"), 0) << log();
    EXPECT_NE(log().find("resuming after epoch 1/2"), std::string::npos) << log();
    const std::string compare = trainingPython(
        "import torch; a = torch.load('" + (dir / "whole" / "road-segnet.pt").string() + "')['weights']; "
        "b = torch.load('" + (dir / "stopped" / "road-segnet.pt").string() + "')['weights']; "
        "assert a.keys() == b.keys(); "
        "assert all(torch.equal(a[k], b[k]) for k in a), 'the resumed weights differ'");
    EXPECT_EQ(std::system(compare.c_str()), 0) << compare;
}

// --pothole-share: images with pothole pixels make that share of an epoch's draws.
TEST(RoadSegNetTraining, PotholeImagesDrawnAtTheRequestedShare)
{
    const std::string command = trainingPython(
        "import numpy as np, train_segnet as t; "
        "m = np.zeros((10, 3, 4, 4), np.uint8); m[:2, 0, 1, 1] = 1; "
        "p = t.sampling_weights(m, 0.5); "
        "assert abs(p[:2].sum() - 0.5) < 1e-9 and abs(p.sum() - 1) < 1e-9 and abs(p[2] - 0.0625) < 1e-9, p; "
        "assert t.sampling_weights(m, 0) is None; "
        "assert t.sampling_weights(np.zeros((4, 3, 4, 4), np.uint8), 0.5) is None");
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

// --small-pothole-area: the pixels of a pothole smaller than the reference area weigh
// sqrt(reference / area), every other pixel 1.
TEST(RoadSegNetTraining, SmallPotholesAreWeighedUp)
{
    const std::string command = trainingPython(
        "import numpy as np, train_segnet as t; "
        "m = np.zeros((1, 3, 12, 12), np.float32); m[0, 0, 0:2, 0:2] = 1; m[0, 0, 5:12, 5:12] = 1; m[0, 1, 0:2, 0:2] = 1; "
        "w = t.small_pothole_weights(m, 16).numpy(); "
        "assert np.allclose(w[0, 0, 0:2, 0:2], 2) and np.allclose(w[0, 0, 5:, 5:], 1), w[0, 0]; "
        "assert np.allclose(w[0, 0, 3, 3], 1) and np.allclose(w[0, 1:], 1), w; "
        "assert t.small_pothole_weights(m, 0) is None");
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

// --selection-percent: a second held-out split, drawn from the images outside the validation
// split and apart from it, so choosing between models leaves the validation figures unbiased.
TEST(RoadSegNetTraining, SelectionSplitIsHeldOutApartFromValidation)
{
    const std::string command = trainingPython(
        "import road_dataset as r; names = ['frame%03d' % i for i in range(400)]; "
        "sel = [n for n in names if r.is_selection(n, 20)]; val = [n for n in names if r.is_validation(n, 20)]; "
        "assert 50 < len(sel) < 110 and 50 < len(val) < 110, (len(sel), len(val)); "
        "assert sel != val and not r.is_selection(names[0], 0); "
        "t, v, s = r.split('" VOIRIE_SOURCE_DIR "/tests/data/road-segnet', 0, 100); assert not t and not v and len(s) == 5; "
        "t, v, s = r.split('" VOIRIE_SOURCE_DIR "/tests/data/road-segnet', 100, 100); assert not t and not s and len(v) == 5; "
        "t, v, s = r.split('" VOIRIE_SOURCE_DIR "/tests/data/road-segnet'); assert not s and len(t) + len(v) == 5");
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

// --widen-to: the widened network computes the masks the narrower one did (before its noise),
// and learns with more channels.
TEST(RoadSegNetTraining, WideningKeepsWhatTheNetworkComputes)
{
    const std::string command = trainingPython(
        "import torch, segnet_model as s; torch.manual_seed(0); "
        "net = s.RoadSegNet(8); net.train(); net(torch.rand(4, 3, 48, 64)); net.eval(); "
        "x = torch.rand(2, 3, 48, 64); wide = s.widen(net, 12, noise=0).eval(); "
        "assert wide.stem[0].out_channels == 12 and wide.head.in_channels == 12; "
        "d = float((wide(x) - net(x)).abs().max()); assert d < 1e-4, d; "
        "noisy = float((s.widen(net, 12).eval()(x) - net(x)).abs().max()); assert 0 < noisy < 1, noisy; "
        "ok = False\ntry: s.widen(net, 4)\nexcept ValueError: ok = True\nassert ok");
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

} // namespace
