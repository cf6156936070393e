// `voirie analyze` end to end on a generated survey: the project's layers, provenance and styles,
// accuracy against the ground truth, kills and resumes, refusals, and a plugin that throws.
#include "sample_survey.hpp"

#include "voirie/core/base/time_format.hpp"
#include "voirie/core/ingest/track.hpp"
#include "voirie/core/ingest/track_reader.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <gtest/gtest.h>
#include <opencv2/videoio.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

namespace {

using namespace voirie::test;
namespace fs = std::filesystem;

CommandResult voirie(const std::string& args) { return runCommand(shellQuoted(VOIRIE_CLI) + " " + args); }

#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

// Every row of a query, one line per row, for comparing two projects.
std::string dump(const fs::path& gpkg, const std::string& sql)
{
    auto r = runCommand("ogrinfo -ro -q " + shellQuoted(gpkg) + " -sql \"" + sql + "\"");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

std::string scalar(const fs::path& gpkg, const std::string& sql)
{
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(gpkg.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds)
        return "<cannot open>";
    OGRLayer* result = ds->ExecuteSQL(sql.c_str(), nullptr, nullptr);
    if (result == nullptr)
        return "<no result>";
    OGRFeatureUniquePtr f(result->GetNextFeature());
    std::string value = f ? f->GetFieldAsString(0) : "<no row>";
    ds->ReleaseResultSet(result);
    return value;
}

const char* kDamagesSql =
    "SELECT damage_id, class, severity, round(confidence, 4), round(length_m, 3), round(area_m2, 3), n_frames, "
    "evidence_frame, ST_AsText(geom) FROM damages ORDER BY damage_id";

class Analyze : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        dir_ = new TempDir();
        survey_ = new fs::path(cachedSampleSurvey());
        auto a = voirie("analyze " + sampleSurveyInputs(survey()) + " --quiet --out " + shellQuoted(reference()) + " --chips-dir " +
                        shellQuoted(dir_->path() / "chips") + " --json");
        ASSERT_EQ(a.exit_code, 0) << a.err;
        summary_ = new nlohmann::json(nlohmann::json::parse(a.out));
    }
    static void TearDownTestSuite()
    {
        delete summary_;
        delete survey_;
        delete dir_;
    }
    static fs::path survey() { return *survey_; }
    static fs::path reference() { return dir_->path() / "reference.gpkg"; }
    // The reference run uses the built-in cascade-anonymizer (the default); the other runs blur
    // with the fake blur-box, which costs nothing, since they test something else.
    static std::string inputs()
    {
        return "analyze " + sampleSurveyInputs(survey()) + " --quiet --plugin-dir " + shellQuoted(VOIRIE_FAKE_PLUGIN_DIR) +
               " --anonymizers blur-box";
    }
    static TempDir* dir_;
    static fs::path* survey_;
    static nlohmann::json* summary_;
};
TempDir* Analyze::dir_ = nullptr;
fs::path* Analyze::survey_ = nullptr;
nlohmann::json* Analyze::summary_ = nullptr;

TEST_F(Analyze, WritesEveryLayerReadableWithProvenanceAndStyles)
{
    auto info = runCommand("ogrinfo -ro -al -so " + shellQuoted(reference()));
    ASSERT_EQ(info.exit_code, 0) << info.err;
    for (const char* layer : {"track", "frames", "detections", "damages", "run", "run_inputs", "run_plugins", "layer_styles"})
        EXPECT_CONTAINS(info.out, std::string("Layer name: ") + layer);
    EXPECT_CONTAINS(info.out, "WGS 84");
    for (const char* field : {"length_m: Real", "area_m2: Real", "width_mm: Real", "chainage_m: Real", "n_frames: Integer",
                              "first_seen: DateTime", "last_seen: DateTime", "chip: Binary", "review_state: String",
                              "plugin_version: String", "pixel_shape: String"})
        EXPECT_CONTAINS(info.out, field);
    auto all = runCommand("ogrinfo -ro -al " + shellQuoted(reference()) + " >/dev/null");
    EXPECT_EQ(all.exit_code, 0) << "every feature of every layer reads: " << all.err;

    const auto& s = *summary_;
    EXPECT_EQ(std::stoll(scalar(reference(), "SELECT COUNT(*) FROM frames")), s["frames_sampled"].get<int64_t>());
    EXPECT_EQ(std::stoll(scalar(reference(), "SELECT COUNT(*) FROM detections")), s["detections"].get<int64_t>());
    EXPECT_EQ(std::stoll(scalar(reference(), "SELECT COUNT(*) FROM damages")), s["damages"].get<int64_t>());
    EXPECT_GT(s["damages"].get<int>(), 3);
    // Every damage has its evidence: a JPEG in the file and beside it, and its detections linked.
    EXPECT_EQ(scalar(reference(), "SELECT COUNT(*) FROM damages WHERE length(chip) < 1000 OR hex(substr(chip, 1, 2)) != 'FFD8'"), "0");
    EXPECT_EQ(scalar(reference(), "SELECT COUNT(*) FROM damages d WHERE n_frames > (SELECT COUNT(*) FROM detections "
                                  "WHERE damage_id = d.damage_id)"),
              "0");
    const std::string chip = scalar(reference(), "SELECT chip_path FROM damages ORDER BY damage_id LIMIT 1");
    EXPECT_TRUE(fs::exists(reference().parent_path() / chip)) << chip;
    EXPECT_EQ(scalar(reference(), "SELECT COUNT(*) FROM damages WHERE review_state = 'unreviewed'"), s["damages"].dump());

    // Provenance: the run, each input with its SHA-256, each plugin with its binary's.
    EXPECT_EQ(scalar(reference(), "SELECT status FROM run"), "complete");
    EXPECT_CONTAINS(scalar(reference(), "SELECT command_line FROM run"), "voirie analyze --video");
    EXPECT_CONTAINS(scalar(reference(), "SELECT camera FROM run"), "\"pitch_deg\":12");
    EXPECT_FALSE(scalar(reference(), "SELECT finished FROM run").empty());
    auto sha = runCommand("sha256sum " + shellQuoted(survey() / "survey.mp4"));
    EXPECT_EQ(scalar(reference(), "SELECT sha256 FROM run_inputs WHERE role = 'video'"), sha.out.substr(0, 64));
    EXPECT_EQ(scalar(reference(), "SELECT COUNT(*) FROM run_inputs"), "3"); // video, track, camera
    EXPECT_EQ(scalar(reference(), "SELECT COUNT(*) FROM run_plugins WHERE length(sha256) = 64"), "3");
    EXPECT_EQ(scalar(reference(), "SELECT plugin_id FROM run_plugins WHERE kind = 'anonymizer'"), "cascade-anonymizer");
    // Privacy by default: the built-in anonymizer ran over every evidence image.
    EXPECT_EQ(scalar(reference(), "SELECT anonymized_by FROM run"), "cascade-anonymizer 1.1.0");
    EXPECT_EQ(s["anonymized_by"], nlohmann::json::array({"cascade-anonymizer 1.1.0"}));
    EXPECT_CONTAINS(scalar(reference(), "SELECT parameters FROM run_plugins WHERE plugin_id = 'cracks'"), "{\"");

    // Where the CPU went: every stage that ran has its share, and the shares add up to the run's.
    const auto& stages = s["cpu_s_by_stage"];
    double stage_sum = 0;
    for (const char* stage : {"setup", "decode", "detect:cracks", "detect:potholes", "ground_and_tracking", "store",
                              "anonymize", "chips"}) {
        ASSERT_TRUE(stages.contains(stage)) << stage << " missing from " << stages.dump();
        EXPECT_GE(stages[stage].get<double>(), 0.0) << stage;
        stage_sum += stages[stage].get<double>();
    }
    EXPECT_EQ(stages.size(), 8u) << stages.dump();
    EXPECT_GT(stages["decode"].get<double>(), 0.0);
    EXPECT_GT(stages["anonymize"].get<double>(), 0.0);
    EXPECT_NEAR(stage_sum, s["cpu_s"].get<double>(), 0.02 * s["cpu_s"].get<double>() + 0.05);
    EXPECT_NEAR(s["cpu_s_per_km_by_stage"]["decode"].get<double>(), stages["decode"].get<double>() / s["km"].get<double>(),
                1e-6);
    EXPECT_GT(s["cores_busy"].get<double>(), 0.0);
    // A whole survey is covered end to end (a partial one is tested in the reliability suite).
    EXPECT_NEAR(s["km_covered"].get<double>(), s["km"].get<double>(), 0.005);
    EXPECT_FALSE(s["partial"].get<bool>());

    // QGIS styles: one default per layer, categorised by class.
    EXPECT_EQ(scalar(reference(), "SELECT COUNT(*) FROM layer_styles WHERE useAsDefault = 1"), "4");
    const std::string qml = scalar(reference(), "SELECT styleQML FROM layer_styles WHERE f_table_name = 'damages'");
    EXPECT_CONTAINS(qml, "RuleRenderer");
    EXPECT_CONTAINS(qml, "&quot;class&quot; = 'D40'");
    EXPECT_CONTAINS(qml, "&quot;severity&quot; = 'H'");
    // Well-formed XML, or QGIS ignores it silently.
    for (const char* layer : {"track", "frames", "detections", "damages"}) {
        TempDir xml;
        writeFile(xml / "style.qml",
                  scalar(reference(), std::string("SELECT styleQML FROM layer_styles WHERE f_table_name = '") + layer + "'"));
        auto parsed = runCommand("python3 -c \"import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])\" " +
                                 shellQuoted(xml / "style.qml"));
        EXPECT_EQ(parsed.exit_code, 0) << layer << ": " << parsed.err;
    }
}

TEST_F(Analyze, FindsTheSurveysDamagesWhereTheyAre)
{
    auto eval = voirie("eval " + shellQuoted(reference()) + " --truth " + shellQuoted(survey() / "ground_truth.geojson") +
                       " --json");
    ASSERT_EQ(eval.exit_code, 0) << eval.err;
    auto doc = nlohmann::json::parse(eval.out);
    const auto& overall = doc["overall"];
    // With a perfect GPS only projection and tracking are measured here.
    EXPECT_LE(overall["median_position_error_m"].get<double>(), 0.5) << eval.out;
    EXPECT_LE(overall["median_size_error_rel"].get<double>(), 0.35) << eval.out;
    EXPECT_GE(overall["f1"].get<double>(), 0.5) << eval.out;
    EXPECT_GE(doc["classes"]["D40"]["recall"].get<double>(), 0.5) << eval.out;
}

TEST_F(Analyze, KilledAfterACommitResumesToTheSameDamages)
{
    TempDir work;
    // The same analysis through the engine, whose committed-hook kills the process with SIGKILL
    // right after the first commit holding 16 frames.
    auto killed = runCommand(shellQuoted(VOIRIE_TEST_ANALYZE_AND_KILL) + " " + shellQuoted(survey()) + " " +
                             shellQuoted(VOIRIE_FAKE_PLUGIN_DIR) + " " + shellQuoted(work / "q.gpkg") + " 16");
    EXPECT_EQ(killed.exit_code, 128 + 9);
    EXPECT_FALSE(fs::exists(work / "q.gpkg")) << "the project's name only ever holds a finished project";
    ASSERT_TRUE(fs::exists(work / "q.partial.gpkg"));
    EXPECT_EQ(runCommand("ogrinfo -ro -al " + shellQuoted(work / "q.partial.gpkg") + " >/dev/null").exit_code, 0);
    EXPECT_EQ(scalar(work / "q.partial.gpkg", "SELECT status FROM run"), "running");
    // Commits come every 16 frames or 2 s, whichever first (a slow build commits more often).
    const std::string committed = scalar(work / "q.partial.gpkg", "SELECT frames_committed FROM run");
    EXPECT_GE(std::stoi(committed), 16);
    EXPECT_EQ(scalar(work / "q.partial.gpkg", "SELECT COUNT(*) FROM frames"), committed);

    auto again = runCommand(shellQuoted(VOIRIE_CLI) + " " + inputs() + " --out " + shellQuoted(work / "q.gpkg"));
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_CONTAINS(again.err, "pass --resume to continue it or --overwrite to start again");
    // Frames placed on a differently cleaned track would be mixed with the committed ones.
    auto other_track = runCommand(shellQuoted(VOIRIE_CLI) + " " + inputs() + " --smooth-s 5 --out " +
                                  shellQuoted(work / "q.gpkg") + " --resume");
    EXPECT_EQ(other_track.exit_code, 1);
    EXPECT_CONTAINS(other_track.err, "options differ from this command's");

    auto resumed = runCommand(shellQuoted(VOIRIE_CLI) + " " + inputs() + " --out " + shellQuoted(work / "q.gpkg") +
                              " --resume --json");
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_FALSE(fs::exists(work / "q.partial.gpkg"));
    auto summary = nlohmann::json::parse(resumed.out);
    EXPECT_EQ(summary["frames_replayed"], std::stoi(committed));
    EXPECT_TRUE(summary["resumed"].get<bool>());
    EXPECT_EQ(dump(work / "q.gpkg", kDamagesSql), dump(reference(), kDamagesSql));
    EXPECT_EQ(scalar(work / "q.gpkg", "SELECT COUNT(*) FROM frames"), scalar(reference(), "SELECT COUNT(*) FROM frames"));
    EXPECT_EQ(scalar(work / "q.gpkg", "SELECT COUNT(*) FROM detections"),
              scalar(reference(), "SELECT COUNT(*) FROM detections"));

    auto nothing = runCommand(shellQuoted(VOIRIE_CLI) + " " + inputs() + " --out " + shellQuoted(work / "q.gpkg") + " --resume");
    EXPECT_EQ(nothing.exit_code, 1);
    EXPECT_CONTAINS(nothing.err, "already a finished project");
}

// SQLite writes its journal's magic number only once the journal is synced, just before the
// database pages change: a journal that starts with it is hot (the last commit must be rolled back).
bool hasHotJournal(const fs::path& gpkg)
{
    std::ifstream in(gpkg.string() + "-journal", std::ios::binary);
    const unsigned char magic[8] = {0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7};
    unsigned char head[8] = {};
    return in.read(reinterpret_cast<char*>(head), sizeof(head)) && std::equal(head, head + 8, magic);
}

TEST_F(Analyze, KilledAtAnyMomentLeavesAFileGdalOpens)
{
    TempDir work;
    // A frame every metre, one worker: a run of a few seconds, killed at different moments.
    for (double at : {0.4, 1.1, 2.3}) {
        const auto out = work / "k.gpkg", partial = work / "k.partial.gpkg";
        char sleep[32];
        std::snprintf(sleep, sizeof(sleep), "%.1f", at);
        auto r = runCommand(shellQuoted(VOIRIE_CLI) + " " + inputs() + " --every-m 1 --threads 1 --overwrite --out " +
                            shellQuoted(out) + " & pid=$!; sleep " + sleep + "; kill -9 $pid; wait $pid");
        EXPECT_EQ(r.exit_code, 128 + 9) << "killed at " << at << " s";
        EXPECT_FALSE(fs::exists(out));
        if (fs::exists(partial)) {
            // Killed inside a commit, the file keeps a hot journal that only a writer may roll back
            // (a read-only open is refused by SQLite until then): `voirie check`, the documented way
            // to look at a partial project, rolls it back and finds the file whole.
            auto check = voirie("check --json " + shellQuoted(partial));
            EXPECT_EQ(check.exit_code, 1) << "killed at " << at << " s: a running project is not a good one";
            auto report = nlohmann::json::parse(check.out);
            EXPECT_EQ(report["integrity"], "ok") << "killed at " << at << " s: " << check.out;
            EXPECT_EQ(report["run_status"], "running") << check.out;
            EXPECT_FALSE(hasHotJournal(partial)) << "killed at " << at << " s";
            auto info = runCommand("ogrinfo -ro -al " + shellQuoted(partial) + " >/dev/null");
            EXPECT_EQ(info.exit_code, 0) << "killed at " << at << " s: " << info.err;
        }
    }
}

TEST_F(Analyze, CtrlCStopsCleanlyAndResumes)
{
    TempDir work;
    const auto out = work / "c.gpkg", partial = work / "c.partial.gpkg";
    // Interrupt once the first frames are committed.
    auto r = runCommand(shellQuoted(VOIRIE_CLI) + " " + inputs() + " --every-m 1 --threads 1 --out " + shellQuoted(out) +
                        " & pid=$!; for i in $(seq 200); do sleep 0.05; [ -f " + shellQuoted(partial) +
                        " ] && [ \"$(ogrinfo -ro -q " + shellQuoted(partial) +
                        " -sql 'SELECT frames_committed FROM run' | grep -c 'frames_committed (Integer64) = [1-9]')\" = 1 ] && "
                        "break; done; kill -INT $pid; wait $pid");
    EXPECT_EQ(r.exit_code, 130) << r.err;
    ASSERT_TRUE(fs::exists(partial));
    EXPECT_EQ(scalar(partial, "SELECT status FROM run"), "interrupted");
    auto resumed = voirie(inputs() + " --every-m 1 --threads 1 --out " + shellQuoted(out) + " --resume --json");
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_GT(nlohmann::json::parse(resumed.out)["frames_replayed"].get<int>(), 0);
    EXPECT_EQ(scalar(out, "SELECT status FROM run"), "complete");
}

TEST_F(Analyze, RefusesToOverwriteOrToWriteWhereItCannot)
{
    TempDir work;
    const auto out = work / "p.gpkg";
    writeFile(out, "precious");
    auto refused = voirie(inputs() + " --out " + shellQuoted(out));
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_CONTAINS(refused.err, "already exists; pass --overwrite");
    EXPECT_EQ(readFile(out), "precious");

    auto nowhere = voirie(inputs() + " --out /nonexistent/folder/p.gpkg");
    EXPECT_EQ(nowhere.exit_code, 1);
    EXPECT_CONTAINS(nowhere.err, "does not exist");
    auto not_gpkg = voirie(inputs() + " --out " + shellQuoted(work / "p.shp"));
    EXPECT_EQ(not_gpkg.exit_code, 1);
    EXPECT_CONTAINS(not_gpkg.err, "ending in .gpkg");
    EXPECT_EQ(voirie(inputs() + " --out x.gpkg --resume --overwrite").exit_code, 2);

    // A file-size limit stands in for a full disk: a clear error, the previous file untouched.
    auto full = runCommand("ulimit -f 400; trap '' XFSZ; " + shellQuoted(VOIRIE_CLI) + " " + inputs() +
                           " --overwrite --out " + shellQuoted(out));
    EXPECT_EQ(full.exit_code, 1) << full.err;
    EXPECT_CONTAINS(full.err, "disk full");
    EXPECT_EQ(readFile(out), "precious");

    auto replaced = voirie(inputs() + " --overwrite --out " + shellQuoted(out));
    EXPECT_EQ(replaced.exit_code, 0) << replaced.err;
    EXPECT_EQ(scalar(out, "SELECT status FROM run"), "complete");
}

TEST_F(Analyze, ImagesAreAnonymizedUnlessTheUserSaysOtherwise)
{
    TempDir work;
    auto off = voirie("analyze " + sampleSurveyInputs(survey()) + " --no-anonymize --out " + shellQuoted(work / "n.gpkg"));
    ASSERT_EQ(off.exit_code, 0) << off.err;
    EXPECT_CONTAINS(off.err, "images NOT anonymized (--no-anonymize)");
    EXPECT_EQ(scalar(work / "n.gpkg", "SELECT anonymized_by FROM run"), "none (--no-anonymize)");
    EXPECT_EQ(scalar(work / "n.gpkg", "SELECT COUNT(*) FROM run_plugins WHERE kind = 'anonymizer'"), "0");
    auto exported = voirie("export " + shellQuoted(work / "n.gpkg") + " --format geojson --out " + shellQuoted(work / "n.geojson"));
    EXPECT_EQ(exported.exit_code, 0) << exported.err;
    EXPECT_CONTAINS(exported.err, "were not anonymized");

    auto missing = voirie("analyze " + sampleSurveyInputs(survey()) + " --anonymizers no-such-anonymizer --out " +
                          shellQuoted(work / "m.gpkg"));
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_CONTAINS(missing.err, "pass --no-anonymize");
    EXPECT_FALSE(fs::exists(work / "m.gpkg"));
    EXPECT_EQ(voirie("analyze " + sampleSurveyInputs(survey()) + " --anonymizers x --no-anonymize --out " +
                     shellQuoted(work / "c.gpkg"))
                  .exit_code,
              2);

    // An anonymizer that fails: the chip is blurred whole, the run goes on and says so.
    auto failing = voirie(inputs().substr(0, inputs().find(" --anonymizers")) + " --anonymizers throws-anonymize --json --out " +
                          shellQuoted(work / "f.gpkg"));
    ASSERT_EQ(failing.exit_code, 0) << failing.err;
    auto summary = nlohmann::json::parse(failing.out);
    EXPECT_EQ(summary["anonymizer_failures"], summary["damages"]);
    EXPECT_CONTAINS(failing.err, "was blurred)");
}

// The survey's frames as a photo survey: one JPEG every 8 frames (3 m) with its time and position
// in EXIF, as a phone app or an action camera in time-lapse writes them.
void writePhotoSurvey(const fs::path& survey, const fs::path& folder)
{
    fs::create_directories(folder);
    const auto doc = nlohmann::json::parse(readFile(survey / "survey.json"));
    const double start = *voirie::parseIso8601(doc["video_start"].get<std::string>());
    voirie::TrackCleaningCounts counts;
    auto track = voirie::Track::build(voirie::readTrackFile(survey / "survey.gpx")->fixes, {}, "gpx", counts);
    ASSERT_TRUE(track.ok()) << track.error();
    cv::VideoCapture video((survey / "survey.mp4").string());
    cv::Mat frame;
    GDALAllRegister();
    for (int i = 0; video.read(frame); ++i) {
        if (i % 8)
            continue;
        const double t = start + i / doc["fps"].get<double>();
        auto at = track->at(t);
        ASSERT_TRUE(at);
        GDALDatasetUniquePtr mem(
            GetGDALDriverManager()->GetDriverByName("MEM")->Create("", frame.cols, frame.rows, 3, GDT_Byte, nullptr));
        std::vector<cv::Mat> bgr;
        cv::split(frame, bgr);
        for (int b = 0; b < 3; ++b) // GDAL bands in R, G, B order
            ASSERT_EQ(mem->GetRasterBand(b + 1)->RasterIO(GF_Write, 0, 0, frame.cols, frame.rows, bgr[2 - b].data,
                                                          frame.cols, frame.rows, GDT_Byte, 0, 0),
                      CE_None);
        auto dms = [](double v) {
            v = std::abs(v);
            const int d = int(v), m = int((v - d) * 60);
            char text[96];
            std::snprintf(text, sizeof(text), "(%d) (%d) (%.6f)", d, m, (v - d - m / 60.0) * 3600);
            return std::string(text);
        };
        const auto whole = static_cast<std::time_t>(t);
        std::tm u{};
        gmtime_r(&whole, &u);
        char date[16], time[48];
        std::snprintf(date, sizeof(date), "%04d:%02d:%02d", u.tm_year + 1900, u.tm_mon + 1, u.tm_mday);
        std::snprintf(time, sizeof(time), "(%d) (%d) (%.3f)", u.tm_hour, u.tm_min, u.tm_sec + (t - double(whole)));
        mem->SetMetadataItem("EXIF_GPSLatitude", dms(at->lat).c_str());
        mem->SetMetadataItem("EXIF_GPSLatitudeRef", "N");
        mem->SetMetadataItem("EXIF_GPSLongitude", dms(at->lon).c_str());
        mem->SetMetadataItem("EXIF_GPSLongitudeRef", "E");
        mem->SetMetadataItem("EXIF_GPSDateStamp", date);
        mem->SetMetadataItem("EXIF_GPSTimeStamp", time);
        char name[32];
        std::snprintf(name, sizeof(name), "IMG_%04d.jpg", i);
        const char* options[] = {"QUALITY=92", nullptr};
        GDALDatasetUniquePtr(GetGDALDriverManager()->GetDriverByName("JPEG")->CreateCopy(
            (folder / name).string().c_str(), mem.get(), FALSE, const_cast<char**>(options), nullptr, nullptr));
    }
}

TEST_F(Analyze, APhotoSurveyIsAnalysedLikeAVideo)
{
    TempDir work;
    writePhotoSurvey(survey(), work / "photos");
    // Positions from the photos' EXIF (no --track); the same camera.
    auto r = voirie("analyze --photos " + shellQuoted(work / "photos") + " --camera " + shellQuoted(survey() / "camera.json") +
                    " --plugins cracks,potholes --plugin-dir " + shellQuoted(VOIRIE_FAKE_PLUGIN_DIR) +
                    " --anonymizers blur-box --every-frame --smooth-s 0 --quiet --json --out " + shellQuoted(work / "p.gpkg"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto summary = nlohmann::json::parse(r.out);
    EXPECT_GT(summary["frames_analysed"].get<int>(), 40);
    EXPECT_GT(summary["damages"].get<int>(), 3);
    EXPECT_EQ(scalar(work / "p.gpkg", "SELECT COUNT(*) FROM run_inputs WHERE role = 'photo'"),
              std::to_string(summary["frames_sampled"].get<int>()));
    auto eval = voirie("eval " + shellQuoted(work / "p.gpkg") + " --truth " + shellQuoted(survey() / "ground_truth.geojson") +
                       " --json");
    ASSERT_EQ(eval.exit_code, 0) << eval.err;
    auto doc = nlohmann::json::parse(eval.out);
    EXPECT_LE(doc["overall"]["median_position_error_m"].get<double>(), 0.6) << eval.out;
    EXPECT_GE(doc["overall"]["recall"].get<double>(), 0.4) << eval.out;
}

TEST_F(Analyze, APluginThatThrowsIsCountedAndTheRunGoesOn)
{
    TempDir work;
    auto r = voirie("analyze --video " + shellQuoted(survey() / "survey.mp4") + " --track " +
                    shellQuoted(survey() / "survey.gpx") + " --plugin-dir " + shellQuoted(VOIRIE_FAKE_PLUGIN_DIR) +
                    " --plugins good,throws-detect --param good.label=D40 --out " + shellQuoted(work / "t.gpkg") + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto summary = nlohmann::json::parse(r.out);
    EXPECT_EQ(summary["plugin_failures"]["throws-detect"], summary["frames_sampled"]);
    EXPECT_CONTAINS(r.err, "model exploded on purpose");
    EXPECT_CONTAINS(r.err, "plugin throws-detect failed on");
    EXPECT_GT(summary["detections"].get<int>(), 0) << "the other plugin's detections are kept";
    EXPECT_EQ(scalar(work / "t.gpkg", "SELECT COUNT(DISTINCT plugin_id) FROM detections"), "1");
    EXPECT_EQ(scalar(work / "t.gpkg", "SELECT status FROM run"), "complete");

    // A plugin that crashes the process: one sentence naming it, exit 1, the partial file valid.
    auto crashed = voirie("analyze --video " + shellQuoted(survey() / "survey.mp4") + " --track " +
                          shellQuoted(survey() / "survey.gpx") + " --plugin-dir " + shellQuoted(VOIRIE_FAKE_PLUGIN_DIR) +
                          " --plugins crashes --anonymizers blur-box --quiet --out " + shellQuoted(work / "c.gpkg"));
    EXPECT_EQ(crashed.exit_code, 1);
    EXPECT_CONTAINS(crashed.err, "plugin 'crashes'");
    EXPECT_CONTAINS(crashed.err, "crashed");
    EXPECT_FALSE(fs::exists(work / "c.gpkg"));
    EXPECT_EQ(runCommand("ogrinfo -ro -al " + shellQuoted(work / "c.partial.gpkg") + " >/dev/null").exit_code, 0);

    auto unknown = voirie("analyze --video " + shellQuoted(survey() / "survey.mp4") + " --track " +
                          shellQuoted(survey() / "survey.gpx") + " --plugins no-such-plugin --out " +
                          shellQuoted(work / "u.gpkg"));
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_FALSE(fs::exists(work / "u.gpkg"));
    EXPECT_FALSE(fs::exists(work / "u.partial.gpkg"));
}

} // namespace
