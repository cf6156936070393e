// `voirie sample`, `voirie eval` and `voirie eval-boxes` as users run them.
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using namespace voirie::test;

CommandResult voirie(const std::string& args) { return runCommand(shellQuoted(VOIRIE_CLI) + " " + args); }

#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

class SampleSurvey : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        dir_ = new TempDir();
        auto r = voirie("sample --out " + shellQuoted(dir_->path() / "s") + " --length-m 80 --size 640x360 --seed 9 --quiet");
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    static void TearDownTestSuite() { delete dir_; }
    static std::filesystem::path survey() { return dir_->path() / "s"; }
    static TempDir* dir_;
};
TempDir* SampleSurvey::dir_ = nullptr;

TEST_F(SampleSurvey, WritesTheDocumentedFiles)
{
    for (const char* f : {"survey.mp4", "survey.gpx", "survey.json", "camera.json", "ground_truth.geojson", "basemap.tif",
                          "stills_truth.json"})
        EXPECT_TRUE(std::filesystem::exists(survey() / f)) << f;
    auto info = runCommand("ogrinfo -ro -so -al " + shellQuoted(survey() / "ground_truth.geojson"));
    EXPECT_EQ(info.exit_code, 0) << info.err;
    EXPECT_CONTAINS(info.out, "class: String");
    auto raster = runCommand("gdalinfo " + shellQuoted(survey() / "basemap.tif"));
    EXPECT_EQ(raster.exit_code, 0);
    EXPECT_CONTAINS(raster.out, "Pseudo-Mercator");
    // The video's container carries its start time: frames align with the GPS without --video-start.
    auto frames = voirie("frames --json --video " + shellQuoted(survey() / "survey.mp4") + " --track " +
                         shellQuoted(survey() / "survey.gpx") + " --camera " + shellQuoted(survey() / "camera.json"));
    ASSERT_EQ(frames.exit_code, 0) << frames.err;
    auto doc = nlohmann::json::parse(frames.out);
    auto survey_json = nlohmann::json::parse(readFile(survey() / "survey.json"));
    EXPECT_EQ(doc["summary"]["videos"][0]["start_source"], "container");
    EXPECT_EQ(doc["summary"]["videos"][0]["start"], survey_json["video_start"]);
    EXPECT_NEAR(doc["summary"]["track"]["length_m"].get<double>(), 80 + 12 * 11.1, 40) << "noisy GPS adds length";
}

TEST_F(SampleSurvey, RefusesToOverwriteAndValidatesOptions)
{
    auto again = voirie("sample --out " + shellQuoted(survey()) + " --length-m 40 --quiet");
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_CONTAINS(again.err, "already holds a survey; pass --overwrite");
    EXPECT_EQ(voirie("sample --out x --size big").exit_code, 2);
    EXPECT_EQ(voirie("sample --out x --length-m 5").exit_code, 2);
}

TEST_F(SampleSurvey, EvalScoresTruthAgainstItselfPerfectly)
{
    TempDir work;
    auto copy = runCommand("ogr2ogr -f GPKG " + shellQuoted(work / "p.gpkg") + " " +
                           shellQuoted(survey() / "ground_truth.geojson") + " -nln damages");
    ASSERT_EQ(copy.exit_code, 0) << copy.err;
    auto eval = voirie("eval " + shellQuoted(work / "p.gpkg") + " --truth " + shellQuoted(survey() / "ground_truth.geojson") +
                       " --json --length-km 0.08");
    ASSERT_EQ(eval.exit_code, 0) << eval.err;
    auto doc = nlohmann::json::parse(eval.out);
    EXPECT_DOUBLE_EQ(doc["overall"]["f1"].get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(doc["overall"]["false_positives_per_km"].get<double>(), 0.0);
    for (const char* cls : {"D00", "D10", "D20", "D40"})
        EXPECT_TRUE(doc["classes"].contains(cls)) << cls;
    auto text = voirie("eval " + shellQuoted(work / "p.gpkg") + " --truth " + shellQuoted(survey() / "ground_truth.geojson"));
    EXPECT_CONTAINS(text.out, "overall");
    EXPECT_CONTAINS(text.out, "position error: median 0.00 m");

    auto boxes = voirie("eval-boxes " + shellQuoted(survey() / "stills_truth.json") + " --truth " +
                        shellQuoted(survey() / "stills_truth.json") + " --json");
    ASSERT_EQ(boxes.exit_code, 0) << boxes.err;
    EXPECT_DOUBLE_EQ(nlohmann::json::parse(boxes.out)["overall"]["recall"].get<double>(), 1.0);

    auto missing = voirie("eval " + shellQuoted(work / "none.gpkg") + " --truth " + shellQuoted(survey() / "ground_truth.geojson"));
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_CONTAINS(missing.err, "none.gpkg: no such file");
    EXPECT_EQ(voirie("eval " + shellQuoted(work / "p.gpkg")).exit_code, 2) << "--truth is required";
}

} // namespace
