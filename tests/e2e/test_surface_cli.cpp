// `voirie ortho` and `voirie analyze --ortho` as a user runs them on the sample survey: the COG
// written and recorded in the project's run, what --crs and the options do, and every refusal
// (a project without frames or camera, a geographic CRS, an existing output, a bad range).
#include "cli_fixtures.hpp"
#include "sample_survey.hpp"

#include <gdal_priv.h>
#include <nlohmann/json.hpp>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>

namespace {

using namespace voirie::test;
namespace fs = std::filesystem;

#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

nlohmann::json runSummary(const fs::path& project)
{
    return nlohmann::json::parse(sqlText(project, "SELECT summary FROM run"), nullptr, false);
}

class Ortho : public ::testing::Test {
protected:
    fs::path project()
    {
        const fs::path p = dir_ / "project.gpkg";
        if (!fs::exists(p))
            fs::copy_file(cachedSampleProject(), p);
        return p;
    }
    TempDir dir_;
};

TEST_F(Ortho, WritesACogAndRecordsItInTheProjectsRun)
{
    const fs::path out = dir_ / "surface.tif";
    auto r = runVoirie("ortho " + shellQuoted(project()) + " --out " + shellQuoted(out) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.out;
    for (const char* key : {"path", "resolution_m", "crs", "extent", "width", "height", "overviews", "frames",
                            "frames_registered", "seams_before", "seams_after", "left_out_share", "anonymized_by",
                            "regions_blurred", "bands_blurred_whole", "bytes"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j["crs"], "EPSG:32631");
    EXPECT_DOUBLE_EQ(j["resolution_m"].get<double>(), 0.02);
    EXPECT_GT(j["frames"].get<int>(), 40);
    EXPECT_LT(j["seams_after"]["median_m"].get<double>(), 0.05);
    ASSERT_TRUE(fs::exists(out));
    EXPECT_EQ(fs::file_size(out), j["bytes"].get<uint64_t>());

    const auto run = runSummary(project());
    ASSERT_TRUE(run.contains("surface")) << run.dump();
    EXPECT_EQ(fs::path(run["surface"]["path"].get<std::string>()), fs::absolute(out));
    EXPECT_EQ(run["surface"]["crs"], "EPSG:32631");
    EXPECT_EQ(run["surface"]["extent"].size(), 4u);
    EXPECT_EQ(run["surface"]["left_out_share"], j["left_out_share"]);
    // The road mask: little of the generated road (no traffic) is left out; no anonymizer asked.
    EXPECT_LT(j["left_out_share"].get<double>(), 0.1);
    EXPECT_TRUE(j["anonymized_by"].empty());
    EXPECT_EQ(runVoirie("check " + shellQuoted(project())).exit_code, 0) << "the project stays valid";

    // The text summary states the seams before and after registration.
    r = runVoirie("ortho " + shellQuoted(project()) + " --out " + shellQuoted(dir_ / "again.tif"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_CONTAINS(r.out, "seams between consecutive frames");
    EXPECT_CONTAINS(r.out, "after registration");
    EXPECT_CONTAINS(r.out, "road pixels left out");

    // Asked to, the anonymizers search each road band too; the project says which.
    r = runVoirie("ortho " + shellQuoted(project()) + " --out " + shellQuoted(dir_ / "blurred.tif") + " --anonymize --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto blurred = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_EQ(blurred["anonymized_by"].size(), 1u) << r.out;
    EXPECT_EQ(blurred["anonymized_by"][0].get<std::string>().rfind("cascade-anonymizer", 0), 0u);
    EXPECT_EQ(runSummary(project())["surface"]["anonymized_by"], blurred["anonymized_by"]);
    r = runVoirie("ortho " + shellQuoted(project()) + " --out " + shellQuoted(dir_ / "x.tif") + " --anonymizers cascade-anonymizer");
    EXPECT_EQ(r.exit_code, 2) << "--anonymizers without --anonymize";
    r = runVoirie("ortho " + shellQuoted(project()) + " --out " + shellQuoted(dir_ / "x.tif") +
                  " --anonymize --anonymizers no-such-anonymizer");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.err, "no-such-anonymizer");
    EXPECT_FALSE(fs::exists(dir_ / "x.tif"));
}

TEST_F(Ortho, InTheCrsAsked)
{
    const fs::path out = dir_ / "lambert.tif";
    auto r = runVoirie("ortho " + shellQuoted(project()) + " --out " + shellQuoted(out) + " --crs EPSG:2154 --resolution-m 0.05 --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(out.c_str(), GDAL_OF_RASTER));
    ASSERT_TRUE(ds);
    ASSERT_TRUE(ds->GetSpatialRef());
    EXPECT_STREQ(ds->GetSpatialRef()->GetAuthorityCode(nullptr), "2154");
    double gt[6];
    ds->GetGeoTransform(gt);
    EXPECT_DOUBLE_EQ(gt[1], 0.05);
}

TEST_F(Ortho, RefusesInOneSentenceAndWritesNothing)
{
    const fs::path out = dir_ / "surface.tif";
    auto r = runVoirie("ortho " + shellQuoted(project()) + " --out " + shellQuoted(out) + " --crs EPSG:4326");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.err, "not a projected CRS");
    EXPECT_FALSE(fs::exists(out));

    r = runVoirie("ortho " + shellQuoted(project()) + " --out " + shellQuoted(out) + " --range-m 15..3");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_CONTAINS(r.err, "--range-m");

    { std::ofstream(out) << "an earlier file"; }
    r = runVoirie("ortho " + shellQuoted(project()) + " --out " + shellQuoted(out));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.err, "--overwrite");
    fs::remove(out);

    // Without frames, or without a camera, the frames cannot be put on the ground.
    const fs::path no_frames = dir_ / "no-frames.gpkg", no_camera = dir_ / "no-camera.gpkg";
    fs::copy_file(project(), no_frames);
    fs::copy_file(project(), no_camera);
    {
        auto ds = openVector(no_frames, true);
        ds->ExecuteSQL("DELETE FROM frames", nullptr, nullptr);
        auto cam = openVector(no_camera, true);
        cam->ExecuteSQL("UPDATE run SET camera = ''", nullptr, nullptr);
    }
    r = runVoirie("ortho " + shellQuoted(no_frames) + " --out " + shellQuoted(out));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.err, "has no placed frames");
    r = runVoirie("ortho " + shellQuoted(no_camera) + " --out " + shellQuoted(out));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.err, "records no camera");
    EXPECT_FALSE(fs::exists(out));
    for (const auto& e : fs::directory_iterator(dir_.path()))
        EXPECT_EQ(e.path().filename().string().find("scratch"), std::string::npos) << e.path();
}

// Each damage's centroid (lon, lat) by damage id.
std::map<int64_t, std::pair<double, double>> damageCentres(const fs::path& project)
{
    std::map<int64_t, std::pair<double, double>> centres;
    auto ds = openVector(project, false);
    OGRLayer* damages = ds->GetLayerByName("damages");
    for (OGRFeatureUniquePtr f(damages->GetNextFeature()); f; f.reset(damages->GetNextFeature())) {
        OGRPoint c;
        if (f->GetGeometryRef() && f->GetGeometryRef()->Centroid(&c) == OGRERR_NONE)
            centres[f->GetFieldAsInteger64("damage_id")] = {c.getX(), c.getY()};
    }
    return centres;
}

TEST_F(Ortho, AlignDamagesMovesThemOnceByTheRegistrationAndRecordsIt)
{
    const auto before = damageCentres(project());
    ASSERT_FALSE(before.empty());
    auto r = runVoirie("ortho " + shellQuoted(project()) + " --out " + shellQuoted(dir_ / "surface.tif") + " --align-damages --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_TRUE(j.contains("damages_aligned")) << r.out;
    const auto& aligned = j["damages_aligned"];
    EXPECT_GT(aligned["damages_moved"].get<int>(), 0);
    EXPECT_GT(aligned["mean_shift_m"].get<double>(), 0.0);
    EXPECT_GE(aligned["max_shift_m"].get<double>(), aligned["mean_shift_m"].get<double>());
    EXPECT_LT(aligned["max_shift_m"].get<double>(), 3.0);

    // Each damage moved by the shift the run records for it, in metres east and north.
    const auto run = runSummary(project());
    ASSERT_TRUE(run.contains("damages_aligned")) << run.dump();
    const auto& shifts = run["damages_aligned"]["shifts_m"];
    EXPECT_EQ(int(shifts.size()), aligned["damages_moved"].get<int>());
    const auto after = damageCentres(project());
    ASSERT_EQ(after.size(), before.size());
    for (const auto& [id, c] : before) {
        const double lat_m = 111132.954 - 559.822 * std::cos(2 * c.second * M_PI / 180);
        const double lon_m = 111412.84 * std::cos(c.second * M_PI / 180);
        const double east = (after.at(id).first - c.first) * lon_m, north = (after.at(id).second - c.second) * lat_m;
        const std::string key = std::to_string(id);
        const double want_east = shifts.contains(key) ? shifts[key][0].get<double>() : 0.0;
        const double want_north = shifts.contains(key) ? shifts[key][1].get<double>() : 0.0;
        EXPECT_NEAR(east, want_east, 0.01) << "damage " << id;
        EXPECT_NEAR(north, want_north, 0.01) << "damage " << id;
    }

    // Aligning again replaces the earlier shift: the damages stay where the first one put them.
    r = runVoirie("ortho " + shellQuoted(project()) + " --out " + shellQuoted(dir_ / "surface.tif") +
                  " --overwrite --align-damages --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto again = damageCentres(project());
    for (const auto& [id, c] : after) {
        EXPECT_NEAR(again.at(id).first, c.first, 1e-8) << "damage " << id;
        EXPECT_NEAR(again.at(id).second, c.second, 1e-8) << "damage " << id;
    }
    r = runVoirie("check " + shellQuoted(project()));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

    // Without the registration there is nothing to align to: refused before anything is written.
    r = runVoirie("ortho " + shellQuoted(project()) + " --out " + shellQuoted(dir_ / "gps.tif") + " --no-register --align-damages");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_CONTAINS(r.err, "--no-register");
    EXPECT_FALSE(fs::exists(dir_ / "gps.tif"));
}

TEST_F(Ortho, ExportCarriesTheSurfaceAlongInTheCrsAsked)
{
    // Before a surface exists, asking for it is refused and nothing is written.
    auto r = runVoirie("export " + shellQuoted(project()) + " --format gpkg --out " + shellQuoted(dir_ / "x.gpkg") +
                       " --layers damages,surface");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.err, "records no surface");
    EXPECT_FALSE(fs::exists(dir_ / "x.gpkg"));

    r = runVoirie("ortho " + shellQuoted(project()) + " --out " + shellQuoted(dir_ / "surface.tif") + " --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = runVoirie("export " + shellQuoted(project()) + " --format gpkg --out " + shellQuoted(dir_ / "x.gpkg") +
                  " --layers damages,surface --crs EPSG:2154");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_CONTAINS(r.err, "surface: ");
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open((dir_ / "x_surface.tif").c_str(), GDAL_OF_RASTER));
    ASSERT_TRUE(ds);
    EXPECT_STREQ(ds->GetSpatialRef()->GetAuthorityCode(nullptr), "2154");
    EXPECT_STREQ(ds->GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE"), "COG");
    EXPECT_GE(ds->GetRasterBand(1)->GetOverviewCount(), 1);

    // Several one-layer files: a folder, the surface in it as it is (no --crs: its own CRS).
    r = runVoirie("export " + shellQuoted(project()) + " --format geojson --out " + shellQuoted(dir_ / "folder") +
                  " --layers damages,track,surface");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    GDALDatasetUniquePtr copy(GDALDataset::Open((dir_ / "folder" / "surface.tif").c_str(), GDAL_OF_RASTER));
    ASSERT_TRUE(copy);
    EXPECT_STREQ(copy->GetSpatialRef()->GetAuthorityCode(nullptr), "32631");

    // The surface alone: --out is the GeoTIFF.
    r = runVoirie("export " + shellQuoted(project()) + " --format gpkg --out " + shellQuoted(dir_ / "alone.tif") + " --layers surface");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(fs::exists(dir_ / "alone.tif"));
}

TEST_F(Ortho, TheReportShowsTheRoadAlongEachWorstSegment)
{
    auto r = runVoirie("report " + shellQuoted(project()) + " --out " + shellQuoted(dir_ / "before.html"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(readFile(dir_ / "before.html").find("class=\"strip\""), std::string::npos) << "no surface, no strip";
    r = runVoirie("ortho " + shellQuoted(project()) + " --out " + shellQuoted(dir_ / "surface.tif") + " --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = runVoirie("report " + shellQuoted(project()) + " --out " + shellQuoted(dir_ / "report.html"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string html = readFile(dir_ / "report.html");
    size_t strips = 0;
    for (size_t at = html.find("class=\"strip\""); at != std::string::npos; at = html.find("class=\"strip\"", at + 1))
        ++strips;
    EXPECT_GE(strips, 1u);
    EXPECT_LE(strips, size_t(sqlNumber(project(), "SELECT COUNT(*) FROM segments")));
}

TEST(AnalyzeOrtho, MakesTheSurfaceInTheSamePassAndRecordsIt)
{
    TempDir dir;
    const fs::path survey = cachedSampleSurvey();
    auto r = runVoirie("analyze " + sampleSurveyInputs(survey) + " --no-anonymize --quiet --json --out " +
                       shellQuoted(dir / "p.gpkg") + " --ortho " + shellQuoted(dir / "surface.tif"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_TRUE(j.contains("surface")) << r.out;
    EXPECT_TRUE(j["cpu_s_by_stage"].contains("surface"));
    EXPECT_TRUE(fs::exists(dir / "surface.tif"));
    const auto run = runSummary(dir / "p.gpkg");
    ASSERT_TRUE(run.contains("surface"));
    EXPECT_EQ(run["surface"]["frames"], j["frames_analysed"]);
    EXPECT_TRUE(j["surface"]["anonymized_by"].empty());
    EXPECT_EQ(runVoirie("analyze " + sampleSurveyInputs(survey) + " --no-anonymize --ortho-anonymize --quiet --out " +
                        shellQuoted(dir / "n.gpkg") + " --ortho " + shellQuoted(dir / "n.tif")).exit_code, 2);

    // --ortho-anonymize: the road bands go through their own anonymizer set.
    r = runVoirie("analyze " + sampleSurveyInputs(survey) + " --quiet --json --out " + shellQuoted(dir / "a.gpkg") +
                  " --ortho " + shellQuoted(dir / "anonymized.tif") + " --ortho-anonymize");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto anonymized = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_EQ(anonymized["surface"]["anonymized_by"].size(), 1u) << r.out;
    EXPECT_EQ(runSummary(dir / "a.gpkg")["surface"]["anonymized_by"], anonymized["surface"]["anonymized_by"]);

    // A surface that may not be replaced is refused before anything is analysed or written.
    r = runVoirie("analyze " + sampleSurveyInputs(survey) + " --no-anonymize --quiet --out " + shellQuoted(dir / "q.gpkg") +
                  " --ortho " + shellQuoted(dir / "surface.tif"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.err, "--overwrite");
    EXPECT_FALSE(fs::exists(dir / "q.gpkg"));
    EXPECT_FALSE(fs::exists(dir / "q.partial.gpkg"));
}

} // namespace
