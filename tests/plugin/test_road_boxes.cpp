// road-boxes: the committed box model for the RDD2022 classes, loaded through the plugin boundary,
// on a few real road photos (tests/data/road-boxes, credited in its README).
#include "builtin_detector.hpp"
#include "test_support.hpp"

#include "voirie/core/plugin_host/plugin_validator.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <fstream>
#include <regex>

namespace {

namespace fs = std::filesystem;
using voirie::test::makeBuiltinDetector;
using voirie::test::TempDir;
using voirie::test::writeFile;

const fs::path kModelDir = voirie::test::kBuiltinPlugins / "road-boxes" / "model";
const fs::path kImages = VOIRIE_SOURCE_DIR "/tests/data/road-boxes";

struct TrueBox {
    std::string code;
    cv::Rect2d box;
};

// The boxes of a Pascal VOC file (the few fields RDD2022 writes), Repair as Voirie's "repair".
std::vector<TrueBox> readVoc(const fs::path& path)
{
    std::ifstream in(path);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::regex object(R"(<name>(\w+)</name>[\s\S]*?<xmin>([\d.]+)</xmin>\s*<ymin>([\d.]+)</ymin>\s*)"
                            R"(<xmax>([\d.]+)</xmax>\s*<ymax>([\d.]+)</ymax>)");
    std::vector<TrueBox> boxes;
    for (std::sregex_iterator it(text.begin(), text.end(), object), end; it != end; ++it) {
        const double x1 = std::stod((*it)[2]), y1 = std::stod((*it)[3]), x2 = std::stod((*it)[4]), y2 = std::stod((*it)[5]);
        boxes.push_back({(*it)[1] == "Repair" ? "repair" : std::string((*it)[1]), cv::Rect2d(x1, y1, x2 - x1, y2 - y1)});
    }
    return boxes;
}

double iou(const cv::Rect2d& a, const cv::Rect2d& b)
{
    const double inter = (a & b).area();
    return inter / (a.area() + b.area() - inter);
}

TEST(RoadBoxes, PassesTheValidator)
{
    auto report = voirie::validatePlugin(voirie::test::kBuiltinPlugins / "road-boxes");
    EXPECT_TRUE(report.passed());
}

TEST(RoadBoxes, ShippedManifestDescribesAModelOfTheRddClasses)
{
    std::ifstream in(kModelDir / "road-boxes.json");
    const auto manifest = nlohmann::json::parse(in);
    EXPECT_EQ(manifest.at("class_names"), nlohmann::json({"D00", "D10", "D20", "D40", "Repair"}));
    EXPECT_EQ(manifest.at("layout"), "yolov8");
    EXPECT_TRUE(fs::is_regular_file(kModelDir / manifest.at("model").get<std::string>()));
    EXPECT_LE(fs::file_size(kModelDir / manifest.at("model").get<std::string>()), 10u << 20) << "the 10 MB budget";
    const double threshold = manifest.at("confidence_threshold");
    EXPECT_GT(threshold, 0.0);
    EXPECT_LT(threshold, 1.0);
}

// Each committed photo (from the model's validation split, never trained on) has its true boxes
// in VOC form beside it: every one is found with its class and IoU >= 0.5 (the CRDDC rule), and
// every box found of a class the photo shows overlaps a true one. A regression guard chosen on
// photos the shipped model gets right; the accuracy figures are the model card's.
TEST(RoadBoxes, FindsTheDamagesOfRealRoadPhotos)
{
    std::string error;
    auto detector = makeBuiltinDetector("road-boxes", {}, &error);
    ASSERT_TRUE(detector) << error;
    int photos = 0;
    for (const auto& entry : fs::directory_iterator(kImages / "annotations")) {
        const std::string name = entry.path().stem().string();
        SCOPED_TRACE(name);
        const cv::Mat image = cv::imread((kImages / "images" / (name + ".jpg")).string());
        ASSERT_FALSE(image.empty());
        ++photos;
        auto out = detector->detect(image, {});
        ASSERT_TRUE(out.ok()) << out.error();
        for (const auto& truth : readVoc(entry.path())) {
            bool found = false;
            for (const auto& d : out->detections)
                found |= d.class_code == truth.code &&
                         iou(cv::Rect2d(d.box.x, d.box.y, d.box.width, d.box.height), truth.box) >= 0.5;
            EXPECT_TRUE(found) << truth.code << " at " << truth.box << " not found";
        }
    }
    EXPECT_GE(photos, 3);
}

TEST(RoadBoxes, AMissingOrWrongModelIsOneClearSentence)
{
    TempDir dir;
    std::string error;
    EXPECT_FALSE(makeBuiltinDetector("road-boxes", {{"model", (dir / "nowhere.json").string()}}, &error));
    EXPECT_NE(error.find("nowhere.json does not exist"), std::string::npos) << error;

    // The shipped model described with one class too few: refused, both shapes named.
    std::ifstream in(kModelDir / "road-boxes.json");
    auto manifest = nlohmann::json::parse(in);
    manifest["model"] = (kModelDir / manifest.at("model").get<std::string>()).string();
    manifest["class_names"] = {"D00", "D10", "D20", "D40"};
    writeFile(dir / "four.json", manifest.dump());
    EXPECT_FALSE(makeBuiltinDetector("road-boxes", {{"model", (dir / "four.json").string()}}, &error));
    EXPECT_NE(error.find("C=4"), std::string::npos) << error;
}

} // namespace
