// `voirie dataset` on the sample project after a review: anonymized frames, masks that lie on the
// reviewed damages' pixel shapes, VOC boxes that `voirie eval-boxes` reads back as perfect,
// negatives from rejected detections; refusals for unreviewed and damaged projects.
#include "cli_fixtures.hpp"
#include "image_detail.hpp"
#include "sample_survey.hpp"

#include "voirie/core/project/project_review.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>
#include <map>
#include <regex>

namespace fs = std::filesystem;
using namespace voirie;
using namespace voirie::test;

namespace {

struct VocBox {
    std::string cls;
    cv::Rect box;
};

std::vector<VocBox> vocBoxes(const fs::path& xml)
{
    const std::string text = readFile(xml);
    std::vector<VocBox> out;
    const std::regex object("<name>([^<]+)</name>\\s*<bndbox><xmin>(\\d+)</xmin><ymin>(\\d+)</ymin><xmax>(\\d+)</xmax><ymax>(\\d+)</ymax>");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), object); it != std::sregex_iterator(); ++it) {
        const auto& m = *it;
        out.push_back({m[1], cv::Rect(cv::Point(std::stoi(m[2]), std::stoi(m[3])), cv::Point(std::stoi(m[4]), std::stoi(m[5])))});
    }
    return out;
}

class DatasetCli : public ::testing::Test {
protected:
    void SetUp() override
    {
        const fs::path cached = cachedSampleProject();
        ASSERT_TRUE(fs::exists(cached));
        fs::copy_file(cached, project());
    }
    fs::path project() const { return dir_ / "street.gpkg"; }
    // Accepts the first `accepted` damages and rejects the last `rejected`.
    void review(int accepted, int rejected)
    {
        auto r = ProjectReview::open(project());
        ASSERT_TRUE(r) << r.error();
        const long long n = sqlNumber(project(), "SELECT COUNT(*) FROM damages");
        auto ds = openVector(project());
        OGRLayer* ids = ds->ExecuteSQL("SELECT damage_id FROM damages ORDER BY damage_id", nullptr, nullptr);
        std::vector<int64_t> all;
        for (OGRFeatureUniquePtr f(ids->GetNextFeature()); f; f.reset(ids->GetNextFeature()))
            all.push_back(f->GetFieldAsInteger64(0));
        ds->ReleaseResultSet(ids);
        ASSERT_EQ(static_cast<long long>(all.size()), n);
        ASSERT_GE(n, accepted + rejected);
        for (int i = 0; i < accepted; ++i)
            ASSERT_TRUE((*r)->apply({all[size_t(i)], "review_state", "unreviewed", "accepted"}));
        for (int i = 0; i < rejected; ++i)
            ASSERT_TRUE((*r)->apply({all[all.size() - 1 - size_t(i)], "review_state", "unreviewed", "rejected"}));
    }
    TempDir dir_;
};

TEST_F(DatasetCli, AReviewedProjectGivesAnonymizedFramesMasksOnTheShapesAndVocBoxes)
{
    review(4, 2);
    // One evidence frame replaced by a photo with a face, beside the project: it must leave blurred.
    const long long face_frame = sqlNumber(project(), "SELECT evidence_frame FROM damages WHERE review_state = 'accepted' "
                                                      "ORDER BY damage_id LIMIT 1");
    fs::copy_file(fs::path(VOIRIE_SOURCE_DIR) / "tests/data/anonymize/astronaut.jpg", dir_ / "astronaut.jpg");
    {
        auto ds = openVector(project(), true);
        ds->ExecuteSQL(("UPDATE frames SET file = 'astronaut.jpg' WHERE frame_index = " + std::to_string(face_frame)).c_str(),
                       nullptr, nullptr);
    }
    const fs::path out = dir_ / "training";
    auto r = runVoirie("dataset " + shellQuoted(project()) + " --out " + shellQuoted(out) + " --neighbours 1 --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto summary = nlohmann::json::parse(r.out);
    EXPECT_GT(summary["frames"].get<int>(), 3);
    EXPECT_GT(summary["negatives"].get<int>(), 0) << "the rejected damages' frames";
    int damages = 0;
    for (const auto& [cls, n] : summary["damages_by_class"].items())
        damages += n.get<int>();
    EXPECT_EQ(damages, 4);
    EXPECT_FALSE(summary["anonymized_by"].empty());
    EXPECT_FALSE(fs::exists(out.string() + ".partial"));

    char number[32];
    std::snprintf(number, sizeof number, "%06lld", face_frame);
    const cv::Mat face_original = cv::imread((dir_ / "astronaut.jpg").string());
    const cv::Mat face_written = cv::imread((out / "images" / (std::string("street-") + number + ".jpg")).string());
    ASSERT_FALSE(face_written.empty());
    const cv::Rect face(175, 55, 90, 110);
    EXPECT_LT(laplacianDeviation(face_written, face), 0.25 * laplacianDeviation(face_original, face)) << "the face is blurred";

    // Every image has its masks and annotation; the masks lie on the boxes; a detect JSON of the
    // same boxes scores perfectly against the VOC folder.
    nlohmann::json detect = {{"images", nlohmann::json::array()}};
    int images = 0, objects = 0, negatives = 0;
    for (const auto& entry : fs::directory_iterator(out / "images")) {
        const std::string name = entry.path().stem().string();
        ++images;
        const cv::Mat image = cv::imread(entry.path().string());
        const cv::Mat pothole = cv::imread((out / "masks" / (name + "_pothole.png")).string(), cv::IMREAD_GRAYSCALE);
        const cv::Mat crack = cv::imread((out / "masks" / (name + "_crack.png")).string(), cv::IMREAD_GRAYSCALE);
        ASSERT_FALSE(pothole.empty()) << name;
        ASSERT_FALSE(crack.empty()) << name;
        EXPECT_EQ(pothole.size(), image.size());
        const auto boxes = vocBoxes(out / "annotations" / (name + ".xml"));
        negatives += boxes.empty() && name != std::string("street-") + number; // the photo's boxes fall outside it
        cv::Mat inside_pothole = cv::Mat::zeros(image.size(), CV_8U), inside_crack = cv::Mat::zeros(image.size(), CV_8U);
        nlohmann::json found = nlohmann::json::array();
        for (const auto& b : boxes) {
            ++objects;
            cv::rectangle(b.cls == "D40" ? inside_pothole : inside_crack, b.box, 255, cv::FILLED);
            cv::rectangle(b.cls == "D40" ? inside_pothole : inside_crack, b.box, 255, 30); // a crack line's width
            found.push_back({{"class", b.cls}, {"box", {b.box.x, b.box.y, b.box.width, b.box.height}}, {"confidence", 1.0}});
            const cv::Mat& mask = b.cls == "D40" ? pothole : crack;
            if (b.cls != "D20") // alligator areas are boxes only
                EXPECT_GT(cv::countNonZero(mask(b.box)), 0) << name << " " << b.cls << ": the mask lies on its box";
        }
        cv::Mat outside;
        cv::bitwise_and(pothole, ~inside_pothole, outside);
        EXPECT_EQ(cv::countNonZero(outside), 0) << name << ": pothole pixels outside every pothole box";
        cv::bitwise_and(crack, ~inside_crack, outside);
        EXPECT_EQ(cv::countNonZero(outside), 0) << name << ": crack pixels outside every crack box";
        detect["images"].push_back({{"path", name + ".jpg"}, {"detections", found}});
    }
    EXPECT_EQ(images, summary["frames"].get<int>() + summary["negatives"].get<int>());
    EXPECT_EQ(negatives, summary["negatives"].get<int>());
    ASSERT_GT(objects, 0);
    std::ofstream(dir_ / "detect.json") << detect.dump();
    r = runVoirie("eval-boxes " + shellQuoted(dir_ / "detect.json") + " --truth " + shellQuoted(out / "annotations") + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto scores = nlohmann::json::parse(r.out);
    EXPECT_DOUBLE_EQ(scores["overall"]["f1"].get<double>(), 1.0) << r.out;

    // Written again only when asked.
    r = runVoirie("dataset " + shellQuoted(project()) + " --out " + shellQuoted(out));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("--overwrite"), std::string::npos) << r.err;
}

TEST_F(DatasetCli, UnreviewedAndDamagedProjectsAreASentenceAndWriteNothing)
{
    const fs::path out = dir_ / "training";
    auto r = runVoirie("dataset " + shellQuoted(project()) + " --out " + shellQuoted(out));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("has not been reviewed"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out));
    r = runVoirie("dataset " + shellQuoted(project()) + " --out " + shellQuoted(out) + " --review some");
    EXPECT_EQ(r.exit_code, 2) << r.err;

    const fs::path damaged = dir_ / "damaged.gpkg";
    {
        std::ofstream f(damaged, std::ios::binary);
        const std::string head = readFile(project()).substr(0, 5000);
        f << head;
    }
    r = runVoirie("dataset " + shellQuoted(damaged) + " --out " + shellQuoted(out));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("damaged.gpkg"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out));
    EXPECT_FALSE(fs::exists(out.string() + ".partial"));
}

} // namespace
