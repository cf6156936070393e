// A damaged or incomplete project is refused, by every command, with one sentence: never read
// as a smaller or emptier one (issue 32, cases 1, 2 and 7). `voirie check` says what is wrong.
#include "reliability_support.hpp"

#include <nlohmann/json.hpp>

namespace {

using namespace voirie::test;
namespace fs = std::filesystem;

class DamagedProject : public ::testing::Test {
protected:
    fs::path copyOfSample()
    {
        const fs::path p = dir_ / "project.gpkg";
        fs::copy_file(cachedSampleProject(), p, fs::copy_options::overwrite_existing);
        return p;
    }
    void dropColumn(const fs::path& p, const std::string& layer, const std::string& field)
    {
        auto ds = openVector(p, true);
        ASSERT_TRUE(ds);
        ds->ExecuteSQL(("ALTER TABLE " + layer + " DROP COLUMN " + field).c_str(), nullptr, nullptr);
        ds.reset();
        ASSERT_EQ(sqlNumber(p, "SELECT COUNT(*) FROM pragma_table_info('" + layer + "') WHERE name = '" + field + "'"), 0);
    }
    // An edit made outside Voirie, through GDAL's SQL.
    void editWithSql(const fs::path& p, const std::string& sql)
    {
        auto ds = openVector(p, true);
        ASSERT_TRUE(ds);
        ds->ExecuteSQL(sql.c_str(), nullptr, nullptr);
    }
    // Every command that reads the project, with what it needs beyond it.
    std::vector<std::pair<std::string, std::string>> readers(const fs::path& p)
    {
        const fs::path truth = cachedSampleSurvey() / "ground_truth.geojson";
        return {{"rate", "rate " + shellQuoted(p)},
                {"report", "report " + shellQuoted(p) + " --out " + shellQuoted(dir_ / "r.html")},
                {"export", "export " + shellQuoted(p) + " --format geojson --out " + shellQuoted(dir_ / "d.geojson")},
                {"eval", "eval " + shellQuoted(p) + " --truth " + shellQuoted(truth)}};
    }
    TempDir dir_;
};

TEST_F(DamagedProject, AMissingClassOrSeverityFieldIsRefusedByEveryCommand)
{
    // class and severity; sizes (eval scored them from area without length_m: 22 % instead of 14 %);
    // chainage_m (rate put every damage at 0 m: other grades).
    for (const std::string field : {"class", "severity", "length_m", "chainage_m"}) {
        const fs::path p = copyOfSample();
        dropColumn(p, "damages", field);
        for (const auto& [name, args] : readers(p)) {
            if (name == "eval" && field == "chainage_m")
                continue; // eval places damages by their geometry
            auto r = runVoirie(args);
            EXPECT_EQ(r.exit_code, 1) << name << " " << field << "\n" << r.err;
            EXPECT_CONTAINS(r.err, "'damages' layer has no '" + field + "' field");
            EXPECT_EQ(errorLines(r.err).size(), 1u) << r.err;
            expectNoLibraryLines(r.err);
        }
    }
    EXPECT_FALSE(fs::exists(dir_ / "r.html"));
    EXPECT_FALSE(fs::exists(dir_ / "d.geojson"));
}

TEST_F(DamagedProject, AnAnalysedProjectWithoutFramesIsNotScoredOverTheTrack)
{
    // Without frames eval took the track's length as the km surveyed (a third longer): refused.
    const fs::path p = copyOfSample();
    editWithSql(p, "DROP TABLE frames");
    auto r = runVoirie(readers(p)[3].second);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_CONTAINS(r.err, "has no 'frames' layer");
    EXPECT_EQ(errorLines(r.err).size(), 1u) << r.err;
}

TEST_F(DamagedProject, WithoutItsRunLayerAnExportSaysItsImagesMayNotBeAnonymized)
{
    // The run layer records whether the evidence images were anonymized; without it an export
    // that takes them along says it cannot tell, instead of passing them on as safe.
    const fs::path p = copyOfSample();
    editWithSql(p, "DROP TABLE run");
    auto r = runVoirie(readers(p)[2].second);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_CONTAINS(r.err, "it cannot be told whether the evidence images of " + p.string() + " were anonymized");
    r = runVoirie(readers(p)[2].second + " --chips none --overwrite");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("anonymized"), std::string::npos) << r.err;
}

TEST_F(DamagedProject, AnIncompleteAnalysisIsSaidByEveryCommandThatReadsIt)
{
    // An interrupted run's project read knowingly: the figures are computed, and a line says they
    // cover only the footage analysed (the report also says it at its top).
    const fs::path p = copyOfSample();
    editWithSql(p, "UPDATE run SET status = 'interrupted'");
    for (const auto& [name, args] : readers(p)) {
        auto r = runVoirie(args);
        EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.err;
        EXPECT_CONTAINS(r.err, "voirie " + name + ": warning: the analysis in " + p.string() + " is 'interrupted', not complete");
    }
    // A complete one says nothing of the kind.
    const fs::path whole = copyOfSample();
    auto r = runVoirie(readers(whole)[0].second);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("not complete"), std::string::npos) << r.err;
}

TEST_F(DamagedProject, CorruptPagesAreRefusedByEveryCommandAndNamedByCheck)
{
    // Several runs of damage: random bytes over a few pages past the schema.
    for (unsigned seed : {1u, 2u, 3u}) {
        const fs::path p = copyOfSample();
        const auto size = std::streamoff(fs::file_size(p));
        for (int k = 0; k < 3; ++k)
            damageFile(p, size / 2 + std::streamoff(k) * 9000 + std::streamoff(seed) * 1000, 2000, -1, seed * 10 + unsigned(k));
        for (const auto& [name, args] : readers(p)) {
            auto r = runVoirie(args);
            EXPECT_EQ(r.exit_code, 1) << name << " seed " << seed << "\n" << r.err;
            EXPECT_CONTAINS(r.err, "is damaged");
            EXPECT_EQ(errorLines(r.err).size(), 1u) << r.err;
            expectNoLibraryLines(r.err);
        }
        auto r = runVoirie("check " + shellQuoted(p) + " --json");
        EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
        const auto j = nlohmann::json::parse(r.out, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << r.out;
        EXPECT_FALSE(j["ok"].get<bool>());
        EXPECT_NE(j["integrity"], "ok");
    }
}

TEST_F(DamagedProject, CheckPassesASoundProjectAndNamesAMissingField)
{
    const fs::path p = copyOfSample();
    auto r = runVoirie("check " + shellQuoted(p) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_TRUE(j["ok"].get<bool>());
    EXPECT_EQ(j["integrity"], "ok");
    EXPECT_EQ(j["run_status"], "complete");
    EXPECT_GT(j["layers"]["damages"]["features"].get<int>(), 0);
    EXPECT_TRUE(j["layers"]["damages"]["trusted"].get<bool>());

    dropColumn(p, "damages", "severity");
    r = runVoirie("check " + shellQuoted(p));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.out, "layer 'damages' has no 'severity' field");
    EXPECT_CONTAINS(r.out, "layer frames: ");
}

TEST_F(DamagedProject, NotAGeoPackageIsOneSentence)
{
    const fs::path text = dir_ / "notes.gpkg";
    writeFile(text, "these are not the damages you are looking for\n");
    const fs::path empty = dir_ / "empty.gpkg";
    writeFile(empty, "");
    for (const auto& [file, says] : {std::pair{text, "not an SQLite file"}, std::pair{empty, "the file is empty"}}) {
        for (const std::string command : {"rate ", "report ", "check "}) {
            auto r = runVoirie(command + shellQuoted(file) + (command == "report " ? " --out " + shellQuoted(dir_ / "x.html") : ""));
            EXPECT_EQ(r.exit_code, 1) << command << r.err;
            EXPECT_CONTAINS(r.err + r.out, says);
            expectNoLibraryLines(r.err);
        }
    }
}

} // namespace
