// Two campaigns of the generated sample street (voirie sample --evolve-from), and two drives of
// one campaign: `voirie compare` labels what changed as the generator's truth says,
// `voirie eval-changes` scores it, the report gets its "Since the last survey" section and the
// run's footprint, `voirie merge` makes one project that rate, report and export take; every
// refusal is one sentence and leaves nothing half-written.
#include "cli_fixtures.hpp"
#include "sample_survey.hpp"

#include "voirie/core/project/project_review.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <regex>

namespace {

using namespace voirie::test;
namespace fs = std::filesystem;

#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (needle)

class Campaigns : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        dir_ = new TempDir();
        fs::copy_file(cachedSampleProject(), oldProject());
        const fs::path cached = cachedSampleCampaigns();
        for (const char* name : {"later", "drive2"}) {
            fs::copy(cached / name, dir_->path() / name, fs::copy_options::recursive);
            fs::copy_file(cached / (std::string(name) + ".gpkg"), dir_->path() / (std::string(name) + ".gpkg"));
        }
    }
    static void TearDownTestSuite() { delete dir_; }
    static fs::path oldProject() { return dir_->path() / "old.gpkg"; }
    static fs::path newProject() { return dir_->path() / "later.gpkg"; }
    static TempDir* dir_;
    TempDir own_;
};
TempDir* Campaigns::dir_ = nullptr;

TEST_F(Campaigns, TheLaterSurveyKnowsWhatChangedOnTheRoad)
{
    const auto survey = nlohmann::json::parse(readFile(dir_->path() / "later" / "survey.json"));
    EXPECT_EQ(survey["campaign"], 1);
    EXPECT_EQ(survey["evolution_years"], nlohmann::json::array({2}));
    const auto& changes = survey["changes"];
    EXPECT_GT(changes["grown"].get<int>() + changes["repaired"].get<int>() + changes["new"].get<int>(), 0);
    EXPECT_NE(survey["drive"]["speed_kmh"].get<double>(), 40.0);
    const std::string truth = readFile(dir_->path() / "later" / "ground_truth.geojson");
    EXPECT_CONTAINS(truth, "\"change\"");
    EXPECT_CONTAINS(truth, "\"previous_id\"");
    // The same year: nothing changed but the drive.
    const auto same = nlohmann::json::parse(readFile(dir_->path() / "drive2" / "survey.json"));
    EXPECT_EQ(same["changes"]["grown"], 0);
    EXPECT_EQ(same["changes"]["new"], 0);
    EXPECT_EQ(same["changes"]["repaired"], 0);
}

TEST_F(Campaigns, CompareLabelsTheChangesAsTheTruthSays)
{
    const fs::path out = own_.path() / "changes.gpkg";
    auto r = runVoirie("compare " + shellQuoted(oldProject()) + " " + shellQuoted(newProject()) + " --out " +
                       shellQuoted(out) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto summary = nlohmann::json::parse(r.out);
    int labelled = 0;
    for (const auto& [label, n] : summary["labels"].items())
        labelled += n.get<int>();
    EXPECT_EQ(labelled, sqlNumber(out, "SELECT COUNT(*) FROM changes"));
    EXPECT_GT(summary["labels"]["grown"].get<int>(), 0);
    EXPECT_EQ(summary["segments"].size(), size_t(sqlNumber(out, "SELECT COUNT(*) FROM segment_changes")));
    EXPECT_EQ(sqlNumber(out, "SELECT COUNT(*) FROM layer_styles"), 2);

    r = runVoirie("eval-changes " + shellQuoted(out) + " --old-truth " + shellQuoted(cachedSampleSurvey()) +
                  " --new-truth " + shellQuoted(dir_->path() / "later") + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto scores = nlohmann::json::parse(r.out);
    const auto& overall = scores["labels"]["overall"];
    // A perfect GPS: given the detections, the change logic is right about nine rows in ten.
    EXPECT_GE(overall["precision"].get<double>(), 0.8) << r.out;
    EXPECT_GE(overall["recall"].get<double>(), 0.8) << r.out;
    EXPECT_GE(scores["scored_rows"].get<int>(), 6) << r.out;
    EXPECT_LT(scores["gps_offset"]["error_m"].get<double>(), 0.5) << r.out;
    EXPECT_GE(scores["segments"]["share_correct"].get<double>(), 0.6) << r.out;
    // Every scored segment is listed with the grades behind its verdict: the right ones are
    // those counted correct, and a verdict follows from its grades.
    const auto& segments = scores["segment_scores"];
    ASSERT_EQ(segments.size(), size_t(scores["segments"]["total"].get<int>())) << r.out;
    int right = 0;
    for (const auto& s : segments) {
        right += s["predicted"] == s["truth"];
        const int then = std::stoi(s["truth_grade_then"].get<std::string>()), now = std::stoi(s["truth_grade_now"].get<std::string>());
        EXPECT_EQ(s["truth"], now > then ? "worse" : now < then ? "better" : "same") << s.dump();
        EXPECT_GE(s["index_then"].get<double>(), 0) << s.dump();
        EXPECT_LE(s["truth_index_now"].get<double>(), 100) << s.dump();
    }
    EXPECT_EQ(right, scores["segments"]["grade_change_correct"].get<int>()) << r.out;
}

TEST_F(Campaigns, TheReportSaysWhatChangedAndWhatTheAnalysisCost)
{
    const fs::path project = own_.path() / "later.gpkg", changes = own_.path() / "changes.gpkg",
                   html = own_.path() / "report.html";
    fs::copy_file(newProject(), project);
    ASSERT_EQ(runVoirie("rate " + shellQuoted(project) + " --quiet").exit_code, 0);
    auto r = runVoirie("compare " + shellQuoted(oldProject()) + " " + shellQuoted(project) + " --out " +
                       shellQuoted(changes) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto labels = nlohmann::json::parse(r.out)["labels"];
    r = runVoirie("report " + shellQuoted(project) + " --out " + shellQuoted(html) + " --changes " + shellQuoted(changes));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string text = readFile(html);
    EXPECT_CONTAINS(text, "id=\"since-last-survey\"");
    EXPECT_CONTAINS(text, "Segments that got worse most");
    EXPECT_CONTAINS(text, "id=\"footprint\"");
    EXPECT_CONTAINS(text, "Green Algorithms");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(text, m, std::regex(R"(<script type="application/json" id="voirie-report-data">(.*?)</script>)")));
    const auto figures = nlohmann::json::parse(m[1].str());
    EXPECT_EQ(figures["changes"], labels);
    EXPECT_GT(figures["energy_wh"].get<double>(), 0);
    // The analysis recorded its cost and footprint as columns of its run.
    EXPECT_GT(sqlText(project, "SELECT energy_wh FROM run").size(), 0u);
    EXPECT_GT(std::stod(sqlText(project, "SELECT co2e_g FROM run")), 0);
}

TEST_F(Campaigns, MergeMakesOneProjectOfTwoDrivesThatRateReportAndExportTake)
{
    const fs::path network = own_.path() / "network.gpkg";
    auto r = runVoirie("merge " + shellQuoted(oldProject()) + " " + shellQuoted(dir_->path() / "drive2.gpkg") +
                       " --out " + shellQuoted(network) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto summary = nlohmann::json::parse(r.out);
    EXPECT_EQ(summary["drives"], 2);
    // The same street driven twice: most defects are seen by both drives and counted once.
    const long long first = sqlNumber(oldProject(), "SELECT COUNT(*) FROM damages");
    const long long second = sqlNumber(dir_->path() / "drive2.gpkg", "SELECT COUNT(*) FROM damages");
    EXPECT_GE(summary["merged_damages"].get<int>(), std::min(first, second) / 2) << r.out;
    EXPECT_EQ(summary["damages"].get<long long>(), first + second - summary["merged_damages"].get<long long>());
    EXPECT_EQ(sqlNumber(network, "SELECT COUNT(*) FROM drives"), 2);
    EXPECT_NEAR(summary["footprint"]["cpu_s"].get<double>(),
                std::stod(sqlText(oldProject(), "SELECT cpu_s FROM run")) +
                    std::stod(sqlText(dir_->path() / "drive2.gpkg", "SELECT cpu_s FROM run")),
                1e-6);
    EXPECT_EQ(runVoirie("check " + shellQuoted(network)).exit_code, 0);
    r = runVoirie("rate " + shellQuoted(network) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["unmatched_damages"].size(), 0u);
    EXPECT_EQ(sqlNumber(network, "SELECT COUNT(DISTINCT road_id) FROM segments"), 2); // one chainage per drive
    r = runVoirie("report " + shellQuoted(network) + " --out " + shellQuoted(own_.path() / "network.html"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = runVoirie("export " + shellQuoted(network) + " --out " + shellQuoted(own_.path() / "network.geojson") +
                  " --format geojson --layers damages");
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

// The reviewer merges two damages of a network project: each drive's evidence goes with them, and
// the drives that saw the merged damage are those of both; undone, all is as it was.
TEST_F(Campaigns, AReviewMergeInANetworkProjectKeepsEachDrivesEvidence)
{
    const fs::path network = own_.path() / "network.gpkg";
    ASSERT_EQ(runVoirie("merge " + shellQuoted(oldProject()) + " " + shellQuoted(dir_->path() / "drive2.gpkg") +
                        " --out " + shellQuoted(network)).exit_code, 0);
    // One seen by one drive only, one of its class by both (its second drive's evidence in
    // damage_evidence). Which drive saw the first depends on the detections of the generated drives.
    const long long kept = sqlNumber(network, "SELECT MIN(a.damage_id) FROM damages a WHERE a.drives IN ('1', '2') AND EXISTS "
                                              "(SELECT 1 FROM damages b WHERE b.drives = '1,2' AND b.class = a.class)");
    ASSERT_GT(kept, 0) << "the drives' damages give no pair to merge";
    const long long other = sqlNumber(network, "SELECT MIN(damage_id) FROM damages WHERE drives = '1,2' AND class = "
                                               "(SELECT class FROM damages WHERE damage_id = " + std::to_string(kept) + ")");
    const long long rows = sqlNumber(network, "SELECT COUNT(*) FROM damage_evidence WHERE damage_id IN (" +
                                                  std::to_string(kept) + "," + std::to_string(other) + ")");
    ASSERT_GT(sqlNumber(network, "SELECT COUNT(*) FROM damage_evidence WHERE damage_id = " + std::to_string(other)), 0);
    const std::string kept_drives = sqlText(network, "SELECT drives FROM damages WHERE damage_id = " + std::to_string(kept));
    auto review = voirie::ProjectReview::open(network);
    ASSERT_TRUE(review.ok()) << review.error();
    auto undo = (*review)->merge(kept, {other});
    ASSERT_TRUE(undo.ok()) << undo.error();
    EXPECT_EQ(sqlNumber(network, "SELECT COUNT(*) FROM damage_evidence WHERE damage_id = " + std::to_string(kept)), rows);
    const std::string drives = sqlText(network, "SELECT drives FROM damages WHERE damage_id = " + std::to_string(kept));
    EXPECT_TRUE(drives == "1,2" || drives == "2,1") << drives;
    ASSERT_TRUE((*review)->unmerge(*undo).ok());
    EXPECT_EQ(sqlNumber(network, "SELECT COUNT(*) FROM damage_evidence WHERE damage_id = " + std::to_string(other)),
              rows - sqlNumber(network, "SELECT COUNT(*) FROM damage_evidence WHERE damage_id = " + std::to_string(kept)));
    EXPECT_GT(sqlNumber(network, "SELECT COUNT(*) FROM damage_evidence WHERE damage_id = " + std::to_string(other)), 0);
    EXPECT_EQ(sqlText(network, "SELECT drives FROM damages WHERE damage_id = " + std::to_string(kept)), kept_drives);
}

TEST_F(Campaigns, EveryRefusalIsOneSentenceAndWritesNothing)
{
    const fs::path out = own_.path() / "changes.gpkg";
    auto r = runVoirie("compare " + shellQuoted(oldProject()) + " " + shellQuoted(newProject()));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_CONTAINS(r.err, "--out");
    writeFile(own_.path() / "broken.gpkg", std::string(8192, '\0'));
    r = runVoirie("compare " + shellQuoted(oldProject()) + " " + shellQuoted(own_.path() / "broken.gpkg") + " --out " +
                  shellQuoted(out));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.err, "broken.gpkg");
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(out));
    r = runVoirie("merge " + shellQuoted(oldProject()) + " --out " + shellQuoted(own_.path() / "n.gpkg"));
    EXPECT_EQ(r.exit_code, 2);
    r = runVoirie("sample --evolve-from " + shellQuoted(cachedSampleSurvey()) + " --seed 9 --out " +
                  shellQuoted(own_.path() / "x"));
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_CONTAINS(r.err, "--seed cannot be given with --evolve-from");
    r = runVoirie("sample --evolve-from " + shellQuoted(own_.path() / "nowhere") + " --out " + shellQuoted(own_.path() / "x"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.err, "survey.json");
}

} // namespace
