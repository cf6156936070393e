// The no-track path as a new user runs it: a generated survey whose GPS is inside its video (a
// GoPro's GPMF track), read by `voirie telemetry`, `voirie frames` and `voirie analyze` without
// --track, its camera worked out by `voirie calibrate`; and a real GoPro file without GPS refused
// in one sentence.
#include "cli_fixtures.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;
using namespace voirie::test;

class TelemetryCli : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        dir_ = new TempDir();
        auto r = runVoirie("sample --out " + shellQuoted(*dir_ / "s") +
                           " --length-m 80 --size 640x360 --seed 9 --gps-noise-m 0 --embed-gps gpmf --quiet");
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    static void TearDownTestSuite() { delete dir_; }
    static fs::path survey() { return *dir_ / "s"; }
    static TempDir* dir_;
};
TempDir* TelemetryCli::dir_ = nullptr;

TEST_F(TelemetryCli, WritesTheEmbeddedTrackOutWithWhatWasRead)
{
    const fs::path gpx = *dir_ / "track.gpx";
    auto r = runVoirie("telemetry " + shellQuoted(survey() / "survey.mp4") + " --out " + shellQuoted(gpx) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["format"], "GoPro GPMF");
    EXPECT_EQ(j["clock"], "UTC");
    EXPECT_GE(j["fixes"].get<int>(), 18 * 6); // 18 Hz for 7 s of driving
    EXPECT_EQ(j["dropped"]["no_fix"], 0);
    auto ds = openVector(gpx);
    ASSERT_TRUE(ds);
    EXPECT_EQ(ds->GetLayerByName("track_points")->GetFeatureCount(), j["fixes"].get<int>());

    // An existing output is kept unless --overwrite; other formats by their extension.
    r = runVoirie("telemetry " + shellQuoted(survey() / "survey.mp4") + " --out " + shellQuoted(gpx));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(runVoirie("telemetry " + shellQuoted(survey() / "survey.mp4") + " --out " + shellQuoted(*dir_ / "t.csv")).exit_code, 0);
    r = runVoirie("telemetry " + shellQuoted(survey() / "survey.mp4") + " --out " + shellQuoted(*dir_ / "t.shp"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find(".gpx, .gpkg, .geojson or .csv"), std::string::npos) << r.err;
}

TEST_F(TelemetryCli, FramesWithoutATrackLieWhereTheTrackFilePutsThem)
{
    const std::string options = " --every-s 0.5 --smooth-s 0 --json";
    auto embedded = runVoirie("frames --video " + shellQuoted(survey() / "survey.mp4") + options);
    ASSERT_EQ(embedded.exit_code, 0) << embedded.err;
    auto gpx = runVoirie("frames --video " + shellQuoted(survey() / "survey.mp4") + " --track " +
                         shellQuoted(survey() / "survey.gpx") + options);
    ASSERT_EQ(gpx.exit_code, 0) << gpx.err;
    const auto a = nlohmann::json::parse(embedded.out), b = nlohmann::json::parse(gpx.out);
    EXPECT_EQ(a["summary"]["track"]["source"], "video telemetry");
    EXPECT_EQ(a["summary"]["videos"][0]["start_source"], "its GPS telemetry");
    ASSERT_GE(a["frames"].size(), 12u);
    // The same frames (same times) at the same places: the embedded track is the GPX's, at 18 Hz.
    size_t compared = 0;
    for (const auto& fa : a["frames"])
        for (const auto& fb : b["frames"])
            if (fa["index"] == fb["index"]) {
                EXPECT_EQ(fa["time"], fb["time"]);
                EXPECT_NEAR(fa["lat"].get<double>(), fb["lat"].get<double>(), 3e-6); // 0.3 m
                EXPECT_NEAR(fa["lon"].get<double>(), fb["lon"].get<double>(), 4e-6);
                ++compared;
            }
    EXPECT_GE(compared, a["frames"].size() - 2);
}

TEST_F(TelemetryCli, AnalyzeNeedsNeitherTrackNorCamera)
{
    const fs::path project = *dir_ / "p.gpkg";
    auto r = runVoirie("analyze --video " + shellQuoted(survey() / "survey.mp4") + " --out " + shellQuoted(project) +
                       " --plugins cracks,potholes --no-anonymize --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_GT(sqlNumber(project, "SELECT COUNT(*) FROM frames"), 20);
    EXPECT_EQ(runVoirie("check " + shellQuoted(project)).exit_code, 0);
}

TEST_F(TelemetryCli, CalibrateWritesACameraFileThatAnalyzeTakes)
{
    const fs::path camera = *dir_ / "estimated.json";
    auto r = runVoirie("calibrate --video " + shellQuoted(survey() / "survey.mp4") + " --out " + shellQuoted(camera) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    for (const char* key : {"height_m", "pitch_deg", "roll_deg", "hfov_deg"}) {
        ASSERT_TRUE(j.contains(key)) << key;
        ASSERT_TRUE(j["sources"].contains(key)) << key;
    }
    EXPECT_EQ(j["sources"]["hfov_deg"], "default");
    EXPECT_EQ(j["sources"]["roll_deg"], "default");
    if (j["sources"]["pitch_deg"] == "estimated") // the generator's camera: 12 degrees
        EXPECT_NEAR(j["pitch_deg"].get<double>(), 12.0, 0.5);
    ASSERT_TRUE(fs::exists(camera));
    r = runVoirie("frames --video " + shellQuoted(survey() / "survey.mp4") + " --camera " + shellQuoted(camera) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(runVoirie("calibrate --video " + shellQuoted(survey() / "survey.mp4") + " --out " + shellQuoted(camera)).exit_code, 1)
        << "an existing camera file is kept unless --overwrite";
}

// A GoPro from the HERO8 on records its lens mode and diagonal field of view: calibrate reads the
// field of view from there (not the turns, not the default) and the pitch follows from it.
TEST(TelemetryCliLens, CalibrateReadsTheFieldOfViewTheCameraRecorded)
{
    TempDir dir;
    auto r = runVoirie("sample --out " + shellQuoted(dir / "s") + " --length-m 120 --size 640x360 --seed 9 --gps-noise-m 0 "
                       "--embed-gps gpmf --lens-metadata --hfov-deg 100 --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = runVoirie("telemetry " + shellQuoted(dir / "s" / "survey.mp4") + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto camera = nlohmann::json::parse(r.out)["camera"];
    EXPECT_EQ(camera["make"], "GoPro");
    EXPECT_EQ(camera["lens_mode"], "L");
    EXPECT_GT(camera["diagonal_fov_deg"].get<double>(), 100.0);

    r = runVoirie("calibrate --video " + shellQuoted(dir / "s" / "survey.mp4") + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["sources"]["hfov_deg"], "metadata");
    EXPECT_NEAR(j["hfov_deg"].get<double>(), 100.0, 0.05); // ZFOV is a 32-bit float
    const std::string how = j["details"]["hfov_deg"]["how"];
    EXPECT_NE(how.find("Linear lens mode"), std::string::npos) << how;
    ASSERT_EQ(j["sources"]["pitch_deg"], "estimated");
    EXPECT_NEAR(j["pitch_deg"].get<double>(), 12.0, 0.5);

    // Given on the command line, the field of view is the person's, whatever the camera says.
    r = runVoirie("calibrate --video " + shellQuoted(dir / "s" / "survey.mp4") + " --hfov-deg 95 --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["sources"]["hfov_deg"], "given");

    // --seconds: how much of the footage is read from its start, 10 frames a second (this drive
    // is 11 s long: the default five minutes read all of it), between 10 and 600.
    EXPECT_GT(j["frames_examined"].get<int>(), 100);
    r = runVoirie("calibrate --seconds 10 --video " + shellQuoted(dir / "s" / "survey.mp4") + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["frames_examined"].get<int>(), 100);
    r = runVoirie("calibrate --seconds 5 --video " + shellQuoted(dir / "s" / "survey.mp4"));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("--seconds must be between 10 and 600"), std::string::npos) << r.err;
}

TEST(TelemetryCliRefusals, ARealGoProFileWithoutGpsIsOneSentenceAndWritesNothing)
{
    TempDir dir;
    const fs::path video = dir / "GH010001.MP4";
    fs::copy_file(fs::path(VOIRIE_SOURCE_DIR) / "tests/data/telemetry/gopro/karma-telemetry-only.mp4", video);
    auto r = runVoirie("telemetry " + shellQuoted(video) + " --out " + shellQuoted(dir / "t.gpx"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("has GoPro telemetry but no GPS in it"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "t.gpx"));
    r = runVoirie("analyze --video " + shellQuoted(video) + " --out " + shellQuoted(dir / "p.gpkg") + " --quiet");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("no GPS in it"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "p.gpkg"));
    r = runVoirie("frames --video " + shellQuoted(dir / "missing.mp4"));
    EXPECT_NE(r.exit_code, 0);
}

} // namespace
