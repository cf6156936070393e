// `voirie report` on the rated sample project: a self-contained HTML whose figures equal the
// GeoPackage's, a PDF, the basemap beside the project used (or its failure said), refusals.
#include "cli_fixtures.hpp"
#include "sample_survey.hpp"

#include <gdal_priv.h>
#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>

#include <gtest/gtest.h>

#include <regex>

namespace {

using namespace voirie::test;
namespace fs = std::filesystem;

#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (needle)

class Report : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        dir_ = new TempDir();
        fs::copy_file(cachedSampleProject(), project()); // analysed once per build, shared with the GUI suites
        auto ds = openVector(project(), true);
        ds->ExecuteSQL("UPDATE damages SET review_state = 'rejected' WHERE damage_id = 1", nullptr, nullptr);
        ds.reset();
        auto r = runVoirie("rate " + shellQuoted(project()) + " --quiet");
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    static void TearDownTestSuite() { delete dir_; }
    static fs::path project() { return dir_->path() / "project.gpkg"; }

    static long long sqlNumber(const std::string& sql) { return voirie::test::sqlNumber(project(), sql); }

    static TempDir* dir_;
    TempDir own_;
};
TempDir* Report::dir_ = nullptr;

nlohmann::json reportFigures(const std::string& html)
{
    std::smatch m;
    const std::regex data(R"(<script type="application/json" id="voirie-report-data">(.*?)</script>)");
    EXPECT_TRUE(std::regex_search(html, m, data));
    return nlohmann::json::parse(m[1].str());
}

TEST_F(Report, HtmlIsSelfContainedAndItsTotalsEqualTheGeoPackages)
{
    const fs::path html = own_.path() / "report.html", pdf = own_.path() / "report.pdf";
    auto r = runVoirie("report " + shellQuoted(project()) + " --out " + shellQuoted(html) + " --pdf " + shellQuoted(pdf) +
                    " --title 'Rue des Tests'");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string text = readFile(html);
    for (const char* section : {"<h1>Rue des Tests</h1>", "Survey summary", "Overview map", "Damages by class and severity",
                                "Segment grades", "Worst segments first", "All segments", "How to read this report",
                                "pci-proxy", "survey.mp4"})
        EXPECT_CONTAINS(text, section);
    // Self-contained: every image inline, nothing fetched.
    EXPECT_GE(std::count(text.begin(), text.end(), '\n'), 10);
    const std::regex inline_image(R"(<img src="data:image/(png|jpeg);base64,)");
    const auto images = std::distance(std::sregex_iterator(text.begin(), text.end(), inline_image), std::sregex_iterator());
    EXPECT_GE(images, 3 + 1) << "map, two charts and evidence chips";
    EXPECT_EQ(text.find("src=\"http"), std::string::npos);
    EXPECT_EQ(text.find("voirie-image:"), std::string::npos);

    const auto figures = reportFigures(text);
    const long long kept = sqlNumber("SELECT COUNT(*) FROM damages WHERE review_state IS NOT 'rejected'");
    EXPECT_EQ(figures["damages"].get<long long>(), kept);
    EXPECT_CONTAINS(text, "<span id=\"damage-total\">" + std::to_string(kept) + "</span>");
    for (const auto& [code, counts] : figures["damages_by_class"].items()) {
        EXPECT_EQ(counts["total"].get<long long>(),
                  sqlNumber("SELECT COUNT(*) FROM damages WHERE review_state IS NOT 'rejected' AND class = '" + code + "'"))
            << code;
        for (const char* s : {"L", "M", "H"})
            EXPECT_EQ(counts[s].get<long long>(),
                      sqlNumber("SELECT COUNT(*) FROM damages WHERE review_state IS NOT 'rejected' AND class = '" + code +
                                "' AND severity = '" + s + "'"))
                << code << " " << s;
    }
    EXPECT_EQ(figures["segments"].get<long long>(), sqlNumber("SELECT COUNT(*) FROM segments"));
    for (const auto& [grade, n] : figures["segments_by_grade"].items())
        EXPECT_EQ(n.get<long long>(), sqlNumber("SELECT COUNT(*) FROM segments WHERE grade = '" + grade + "'")) << grade;
    EXPECT_NEAR(figures["surveyed_m"].get<double>(), double(sqlNumber("SELECT CAST(ROUND(SUM(surveyed_m)) AS INTEGER) FROM segments")), 1.0);
    // One table row per segment in the full table, below its header row.
    std::string table = text.substr(text.find("<table id=\"segments\">"));
    table = table.substr(0, table.find("</table>"));
    long long rows = 0;
    for (size_t at = table.find("<tr>"); at != std::string::npos; at = table.find("<tr>", at + 1))
        ++rows;
    EXPECT_EQ(rows, sqlNumber("SELECT COUNT(*) FROM segments") + 1);

    const std::string pdf_bytes = readFile(pdf);
    ASSERT_GT(pdf_bytes.size(), 10000u);
    EXPECT_EQ(pdf_bytes.substr(0, 5), "%PDF-");
    const std::regex page(R"(/Type\s*/Page[^s])");
    EXPECT_GE(std::distance(std::sregex_iterator(pdf_bytes.begin(), pdf_bytes.end(), page), std::sregex_iterator()), 2);
}

TEST_F(Report, ABasemapThatCannotBeReadIsSaidAndTheReportStillWritten)
{
    writeFile(own_.path() / "broken.tif", "not a raster");
    const fs::path html = own_.path() / "r.html";
    auto r = runVoirie("report " + shellQuoted(project()) + " --out " + shellQuoted(html) + " --basemap " +
                    shellQuoted(own_.path() / "broken.tif"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_CONTAINS(r.err, "warning: basemap");
    EXPECT_CONTAINS(readFile(html), "No basemap:");

    // The sample's basemap (Web Mercator GeoTIFF) warps without complaint.
    r = runVoirie("report " + shellQuoted(project()) + " --out " + shellQuoted(html) + " --overwrite --basemap " +
               shellQuoted(cachedSampleSurvey() / "basemap.tif"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
}

TEST_F(Report, RefusesUnratedProjectsAndExistingOutputs)
{
    const fs::path unrated = own_.path() / "unrated.gpkg";
    auto a = runVoirie("analyze " + sampleSurveyInputs(cachedSampleSurvey()) + " --no-anonymize --quiet --out " +
                    shellQuoted(unrated));
    ASSERT_EQ(a.exit_code, 0) << a.err;
    const fs::path html = own_.path() / "r.html";
    auto r = runVoirie("report " + shellQuoted(unrated) + " --out " + shellQuoted(html));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.err, "has no rated segments: rate it first (voirie rate");
    EXPECT_FALSE(fs::exists(html));

    writeFile(html, "keep me");
    r = runVoirie("report " + shellQuoted(project()) + " --out " + shellQuoted(html));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.err, "already exists; pass --overwrite");
    EXPECT_EQ(readFile(html), "keep me");
}

} // namespace
