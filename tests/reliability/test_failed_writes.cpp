// A failed write is never a success, and never costs the previous good file: the disk fills
// (a preloaded write hook returns ENOSPC after N bytes, support/enospc_shim.c) during a report,
// an export, an analysis and a rating; and kill -9 lands inside SQLite commits, journal hot
// (issue 32, cases 3 and 7; the reliability counts of the closing note).
#include "reliability_support.hpp"

#include <nlohmann/json.hpp>

namespace {

using namespace voirie::test;
namespace fs = std::filesystem;

class FailedWrite : public ::testing::Test {
protected:
    fs::path project()
    {
        const fs::path p = dir_ / "project.gpkg";
        if (!fs::exists(p))
            fs::copy_file(cachedSampleProject(), p);
        return p;
    }
    // Nothing half-written left beside the outputs.
    void expectNoLeftovers()
    {
        for (const auto& e : fs::directory_iterator(dir_.path()))
            EXPECT_EQ(e.path().filename().string().find(".partial-"), std::string::npos) << e.path();
    }
    TempDir dir_;
};

TEST_F(FailedWrite, AReportOnAFullDiskFailsAndKeepsThePreviousPdf)
{
    const fs::path html = dir_ / "report.html", pdf = dir_ / "report.pdf";
    const std::string report = "report " + shellQuoted(project()) + " --out " + shellQuoted(html) + " --pdf " + shellQuoted(pdf);
    auto r = runVoirie(report);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string good_pdf = readFile(pdf), good_html = readFile(html);
    ASSERT_GT(good_pdf.size(), 10000u);
    // Room for the HTML but not for the PDF after it; then no room at all.
    for (long long room : {(long long)good_html.size() + 5000, 0LL}) {
        r = runCommand(withFullDisk(dir_.path(), room) + shellQuoted(VOIRIE_CLI) + " " + report + " --overwrite");
        EXPECT_EQ(r.exit_code, 1) << r.err;
        EXPECT_CONTAINS(r.err, "the disk is full");
        EXPECT_EQ(errorLines(r.err).size(), 1u) << r.err;
        EXPECT_EQ(readFile(pdf), good_pdf) << "room " << room;
        expectNoLeftovers();
    }
}

TEST_F(FailedWrite, AnExportOnAFullDiskFailsWithOneSentenceAndLeavesNothing)
{
    for (const std::string format : {"gpkg", "geojson", "csv"}) {
        const fs::path out = dir_ / ("export." + format);
        auto r = runCommand(withFullDisk(dir_.path(), 20000) + shellQuoted(VOIRIE_CLI) + " export " + shellQuoted(project()) +
                            " --format " + format + " --out " + shellQuoted(out));
        EXPECT_EQ(r.exit_code, 1) << format << r.err;
        EXPECT_CONTAINS(r.err, "the disk is full");
        EXPECT_EQ(errorLines(r.err).size(), 1u) << r.err;
        expectNoLibraryLines(r.err);
        EXPECT_FALSE(fs::exists(out)) << out;
        expectNoLeftovers();
    }
}

// The surface (issue 31) on a full disk: its scratch pieces, its tiles or the COG itself do not fit.
TEST_F(FailedWrite, ASurfaceOnAFullDiskFailsWithOneSentenceAndLeavesNothing)
{
    const fs::path out = dir_ / "surface.tif";
    const std::string before = readFile(project());
    for (long long room : {0LL, 2000000LL, 20000000LL}) {
        auto r = runCommand(withFullDisk(dir_.path(), room) + shellQuoted(VOIRIE_CLI) + " ortho " + shellQuoted(project()) +
                            " --out " + shellQuoted(out) + " --quiet");
        EXPECT_EQ(r.exit_code, 1) << "room " << room << ": " << r.err;
        EXPECT_CONTAINS(r.err, "the disk is full");
        EXPECT_EQ(errorLines(r.err).size(), 1u) << r.err;
        expectNoLibraryLines(r.err);
        EXPECT_FALSE(fs::exists(out)) << "room " << room;
        expectNoLeftovers();
        for (const auto& e : fs::directory_iterator(dir_.path()))
            EXPECT_EQ(e.path().filename().string().find("scratch"), std::string::npos) << e.path();
    }
    EXPECT_EQ(readFile(project()), before) << "the project is untouched when its surface was not written";
}

TEST_F(FailedWrite, AnAnalysisOnAFullDiskSaysSoAndTheRatingKeepsThePreviousOne)
{
    const fs::path survey = cachedSampleSurvey();
    const fs::path out = dir_ / "new.gpkg";
    CommandResult r;
    for (long long room : {20000LL, 150000LL, 600000LL}) { // while creating the project, and later
        r = runCommand(withFullDisk(dir_.path(), room) + shellQuoted(VOIRIE_CLI) + " analyze " +
                       sampleSurveyInputs(survey) + " --no-anonymize --quiet --out " + shellQuoted(out));
        EXPECT_EQ(r.exit_code, 1) << r.err;
        EXPECT_CONTAINS(r.err, "the disk is full");
        EXPECT_EQ(errorLines(r.err).size(), 1u) << r.err;
        expectNoLibraryLines(r.err);
        EXPECT_FALSE(fs::exists(out));
        std::error_code ec;
        fs::remove(dir_ / "new.partial.gpkg", ec);
    }

    // A rating that cannot be written leaves the project and its previous rating as they were.
    const fs::path p = project();
    const long long segments = sqlNumber(p, "SELECT COUNT(*) FROM segments");
    ASSERT_GT(segments, 0);
    r = runCommand(withFullDisk(dir_.path(), 0) + shellQuoted(VOIRIE_CLI) + " rate " + shellQuoted(p) +
                   " --segment-m 50");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_CONTAINS(r.err, "the disk is full");
    expectNoLibraryLines(r.err);
    EXPECT_EQ(sqlNumber(p, "SELECT COUNT(*) FROM segments"), segments);
    EXPECT_EQ(runVoirie("check " + shellQuoted(p)).exit_code, 0);
}

// kill -9 while SQLite is writing (the hook kills instead of failing the write, at a different
// byte of the run each time, past the project's creation): the partial project opens, passes the
// integrity check, and --resume ends with exactly the damages of an uninterrupted run.
TEST_F(FailedWrite, KillNineInsideACommitLeavesAProjectThatResumesToTheSameDamages)
{
    const fs::path survey = cachedSampleSurvey();
    const std::string analyze = shellQuoted(VOIRIE_CLI) + " analyze " + sampleSurveyInputs(survey) + " --no-anonymize --quiet --out ";
    auto hooked = [&](const TempDir& run, long long bytes, const std::string& extra) {
        return "env LD_PRELOAD=" + shellQuoted(VOIRIE_TEST_ENOSPC_SHIM) + " VOIRIE_TEST_ENOSPC_DIR=" +
               shellQuoted(fs::canonical(run.path())) + " VOIRIE_TEST_ENOSPC_BYTES=" + std::to_string(bytes) + " " + extra +
               " ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 " + analyze + shellQuoted(run / "p.gpkg");
    };
    // The uninterrupted run, counting the bytes it writes.
    TempDir whole;
    auto r = runCommand(hooked(whole, 1LL << 40, "VOIRIE_TEST_ENOSPC_COUNT_FILE=" + shellQuoted(whole / "bytes")));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const long long total = std::atoll(readFile(whole / "bytes").c_str());
    const std::string damages_sql = "SELECT group_concat(class || ':' || severity || ':' || n_frames, ',') FROM "
                                    "(SELECT * FROM damages ORDER BY damage_id)";
    const std::string expected = sqlText(whole / "p.gpkg", damages_sql);
    ASSERT_FALSE(expected.empty());
    ASSERT_GT(total, 0);

    int killed = 0, with_project = 0, opened = 0, intact = 0, resumed_equal = 0;
    for (double share : {0.3, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95}) { // 0.3: while the project is created
        TempDir run;
        r = runCommand(hooked(run, (long long)(double(total) * share), "VOIRIE_TEST_ENOSPC_KILL=1"));
        if (r.exit_code != 128 + 9)
            continue;
        ++killed;
        // Killed before the first commit, there is no project yet: --resume starts afresh.
        const fs::path partial = run / "p.partial.gpkg";
        if (fs::exists(partial)) {
            ++with_project;
            auto check = runVoirie("check " + shellQuoted(partial) + " --json");
            const auto j = nlohmann::json::parse(check.out, nullptr, false);
            opened += j.is_object() && j.value("/layers/damages/present"_json_pointer, false);
            intact += j.is_object() && j.value("integrity", "") == "ok";
        }
        r = runCommand(analyze + shellQuoted(run / "p.gpkg") + " --resume");
        EXPECT_EQ(r.exit_code, 0) << r.err;
        for (const auto& e : fs::directory_iterator(run.path())) // nothing a killed writer left
            EXPECT_EQ(e.path().filename().string().find(".partial-"), std::string::npos) << e.path();
        resumed_equal += sqlText(run / "p.gpkg", damages_sql) == expected;
    }
    std::cout << "kill -9 while SQLite writes (" << total << " bytes in a whole run): " << killed << " runs killed, "
              << with_project << " after the first commit, " << opened << " partial projects open, " << intact << " pass the integrity check, " << resumed_equal
              << " resumed to the same damages\n";
    EXPECT_GE(killed, 5); // a run that writes less than the measured one may end before the last share
    EXPECT_GE(with_project, 4);
    EXPECT_EQ(opened, with_project);
    EXPECT_EQ(intact, with_project);
    EXPECT_EQ(resumed_equal, killed);
}

} // namespace
