// `voirie rate` on the sample project: segments along the survey and along a road network (in
// another CRS), quantities that add up to the project's damages, indexes that are the scheme's
// arithmetic, replacement in place, provenance, styles, and every refusal.
#include "cli_fixtures.hpp"
#include "sample_survey.hpp"

#include "voirie/core/rating/condition_rating.hpp"
#include "voirie/core/rating/segment_rating.hpp"

#include <gdal_priv.h>
#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>

#include <gtest/gtest.h>

namespace {

using namespace voirie::test;
namespace fs = std::filesystem;

#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

class Rate : public ::testing::Test {
protected:
    // The sample project with one damage rejected by a reviewer (it must not count); it comes
    // rated already, and each test rates it again its own way.
    static void SetUpTestSuite()
    {
        dir_ = new TempDir();
        fs::copy_file(cachedSampleProject(), project()); // analysed once per build, shared with the GUI suites
        auto ds = openVector(project(), true);
        ds->ExecuteSQL("UPDATE damages SET review_state = 'rejected' WHERE damage_id = 2", nullptr, nullptr);
    }
    static void TearDownTestSuite() { delete dir_; }
    static fs::path project() { return dir_->path() / "project.gpkg"; }

    // A copy of the project, so each test rates its own.
    fs::path freshProject()
    {
        const fs::path p = own_.path() / "project.gpkg";
        fs::copy_file(project(), p, fs::copy_options::overwrite_existing);
        return p;
    }

    static int countOf(const fs::path& p, const std::string& sql) { return int(sqlNumber(p, sql)); }

    // A road network GeoPackage in Lambert-93 (EPSG:2154) whose road "N7" follows the first
    // `share` of the survey's track, with a second road far away.
    fs::path writeNetwork(double share)
    {
        auto project_ds = openVector(project());
        OGRLayer* track = project_ds->GetLayerByName("track");
        OGRFeatureUniquePtr t(track->GetNextFeature());
        const auto* line = t->GetGeometryRef()->toLineString();
        OGRLineString road;
        for (int i = 0; i < int(line->getNumPoints() * share); ++i)
            road.addPoint(line->getX(i), line->getY(i));
        OGRSpatialReference wgs84, lambert;
        wgs84.importFromEPSG(4326);
        wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        lambert.importFromEPSG(2154);
        lambert.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&wgs84, &lambert));
        road.transform(ct.get());
        const fs::path path = own_.path() / ("roads-" + std::to_string(int(share * 100)) + ".gpkg");
        GDALDatasetUniquePtr ds(GetGDALDriverManager()->GetDriverByName("GPKG")->Create(path.string().c_str(), 0, 0, 0,
                                                                                       GDT_Unknown, nullptr));
        OGRLayer* roads = ds->CreateLayer("roads", &lambert, wkbLineString, nullptr);
        OGRFieldDefn id("ref", OFTString);
        roads->CreateField(&id);
        OGRFeatureUniquePtr f(OGRFeature::CreateFeature(roads->GetLayerDefn()));
        f->SetField("ref", "N7");
        f->SetGeometry(&road);
        EXPECT_EQ(roads->CreateFeature(f.get()), OGRERR_NONE);
        OGRLineString far;
        far.addPoint(road.getX(0) + 5000, road.getY(0));
        far.addPoint(road.getX(0) + 6000, road.getY(0));
        OGRFeatureUniquePtr g(OGRFeature::CreateFeature(roads->GetLayerDefn()));
        g->SetField("ref", "D12");
        g->SetGeometry(&far);
        EXPECT_EQ(roads->CreateFeature(g.get()), OGRERR_NONE);
        return path;
    }

    static TempDir* dir_;
    TempDir own_;
};
TempDir* Rate::dir_ = nullptr;

// Each segment's index is the scheme's arithmetic on the quantities the segment reports.
void expectIndexesFollowFromQuantities(const fs::path& p, const std::string& scheme_name)
{
    auto scheme = voirie::loadRatingScheme(scheme_name);
    ASSERT_TRUE(scheme);
    auto ds = openVector(p);
    OGRLayer* segments = ds->GetLayerByName("segments");
    ASSERT_TRUE(segments);
    const std::map<std::string, std::string> units = {{"D00", "m"}, {"D10", "m"}, {"D20", "m2"}, {"D40", "n"}};
    for (OGRFeatureUniquePtr f(segments->GetNextFeature()); f; f.reset(segments->GetNextFeature())) {
        voirie::SegmentDamage damage;
        for (const auto& [code, unit] : units)
            for (int s = 0; s < 3; ++s) {
                const double q = f->GetFieldAsDouble((code + "_" + "LMH"[s] + "_" + unit).c_str());
                if (q > 0)
                    damage.add(code, voirie::Severity(s + 1), q);
            }
        const auto rating = voirie::rateSegment(*scheme, damage, f->GetFieldAsDouble("area_m2"));
        EXPECT_NEAR(f->GetFieldAsDouble("condition_index"), rating.index, 1e-9) << f->GetFieldAsString("label");
        EXPECT_EQ(std::string(f->GetFieldAsString("grade")), rating.band.grade);
        EXPECT_EQ(std::string(f->GetFieldAsString("treatment")), rating.band.treatment);
        EXPECT_NEAR(f->GetFieldAsDouble("area_m2"), f->GetFieldAsDouble("surveyed_m") * 3.5, 1e-6);
        EXPECT_LE(f->GetFieldAsDouble("surveyed_m"), 100.0 + 1e-9);
        EXPECT_TRUE(f->GetGeometryRef() && f->GetGeometryRef()->toLineString()->getNumPoints() >= 2);
        EXPECT_EQ(nlohmann::json::parse(f->GetFieldAsString("damage_ids")).size(), size_t(f->GetFieldAsInteger("n_damages")));
    }
}

TEST_F(Rate, SegmentsAlongTheSurveyAddUpToTheProjectsDamages)
{
    const fs::path p = freshProject();
    auto r = runVoirie("rate " + shellQuoted(p) + " --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto summary = nlohmann::json::parse(r.out);
    const int kept = countOf(p, "SELECT COUNT(*) FROM damages WHERE review_state IS NULL OR review_state <> 'rejected'");
    ASSERT_GT(kept, 3);
    EXPECT_EQ(summary["damages_rated"], kept);
    EXPECT_EQ(countOf(p, "SELECT SUM(n_damages) FROM segments"), kept) << "every damage in exactly one segment";
    EXPECT_EQ(countOf(p, "SELECT SUM(D40_n) FROM segments"),
              countOf(p, "SELECT COUNT(*) FROM damages WHERE class = 'D40' AND review_state IS NOT 'rejected'"));
    EXPECT_EQ(countOf(p, "SELECT COUNT(*) FROM segments"), summary["segments"].get<int>());
    EXPECT_EQ(countOf(p, "SELECT COUNT(*) FROM segments WHERE label = '0+100 - 0+200' AND from_m = 100"), 1);
    expectIndexesFollowFromQuantities(p, "pci-proxy");

    EXPECT_EQ(countOf(p, "SELECT COUNT(*) FROM rating WHERE scheme = 'pci-proxy' AND scheme_source = 'built-in' "
                         "AND scheme_json LIKE '%deducts%'"), 1);
    EXPECT_EQ(countOf(p, "SELECT COUNT(*) FROM layer_styles WHERE f_table_name = 'segments' AND styleQML LIKE "
                         "'%grade 5 Very poor%'"), 1);

    // Rating again with another scheme replaces the layer and the record, in place.
    r = runVoirie("rate " + shellQuoted(p) + " --scheme paser-like --segment-m 50 --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(countOf(p, "SELECT COUNT(*) FROM rating"), 1);
    EXPECT_EQ(countOf(p, "SELECT COUNT(*) FROM segments WHERE scheme <> 'paser-like'"), 0);
    EXPECT_EQ(countOf(p, "SELECT COUNT(*) FROM layer_styles WHERE f_table_name = 'segments'"), 1);
    EXPECT_EQ(countOf(p, "SELECT SUM(n_damages) FROM segments"), kept);
    expectIndexesFollowFromQuantities(p, "paser-like");

    // The segments export like any other layer.
    r = runVoirie("export " + shellQuoted(p) + " --format geojson --layers segments --out " +
               shellQuoted(own_.path() / "segments.geojson"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_CONTAINS(readFile(own_.path() / "segments.geojson"), "\"condition_index\"");
}

TEST_F(Rate, ANetworkInAnotherCrsReferencesSegmentsAlongEachRoad)
{
    const fs::path p = freshProject();
    auto r = runVoirie("rate " + shellQuoted(p) + " --network " + shellQuoted(writeNetwork(1.0)) +
                    " --road-id-field ref --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto summary = nlohmann::json::parse(r.out);
    EXPECT_TRUE(summary["unmatched_damages"].empty()) << r.out;
    EXPECT_EQ(countOf(p, "SELECT COUNT(*) FROM segments WHERE road_id <> 'N7'"), 0);
    EXPECT_EQ(countOf(p, "SELECT SUM(n_damages) FROM segments"), summary["damages_rated"].get<int>());
    EXPECT_EQ(countOf(p, "SELECT COUNT(*) FROM rating WHERE options LIKE '%road_id_field%'"), 1);
    expectIndexesFollowFromQuantities(p, "pci-proxy");

    // A network that covers only the first part of the drive: the rest is reported, not forced.
    r = runVoirie("rate " + shellQuoted(p) + " --network " + shellQuoted(writeNetwork(0.4)) +
               " --road-id-field ref --snap-m 10 --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    summary = nlohmann::json::parse(r.out);
    EXPECT_FALSE(summary["unmatched_damages"].empty());
    EXPECT_GT(summary["frames_unmatched"].get<int>(), 0);
    EXPECT_CONTAINS(r.err, "farther than 10 m from every road or beyond the surveyed stretches and are not rated");
    EXPECT_EQ(summary["damages_rated"].get<int>() + int(summary["unmatched_damages"].size()),
              countOf(p, "SELECT COUNT(*) FROM damages WHERE review_state IS NOT 'rejected'"));

    // What the app's "rate again" reads back: the same network, field, tolerance and scheme.
    auto recorded = voirie::recordedRateOptions(p);
    ASSERT_TRUE(recorded) << recorded.error();
    ASSERT_TRUE(recorded->network);
    EXPECT_EQ(recorded->network->filename(), "roads-40.gpkg");
    EXPECT_EQ(recorded->road_id_field, "ref");
    EXPECT_EQ(recorded->snap_m, 10);
    EXPECT_EQ(recorded->segment_m, 100);
    EXPECT_EQ(recorded->scheme, "pci-proxy");
}

TEST_F(Rate, EveryRefusalIsOneSentenceAndLeavesTheProjectAsItWas)
{
    const fs::path p = freshProject();
    ASSERT_EQ(runVoirie("rate " + shellQuoted(p) + " --quiet").exit_code, 0);
    const std::string before = readFile(p);
    writeFile(own_.path() / "bad.json", R"({"name": "bad", "index": {"min": 0, "max": 100}})");
    auto r = runVoirie("rate " + shellQuoted(p) + " --scheme " + shellQuoted(own_.path() / "bad.json"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.err, "bad.json is incomplete or mistyped");
    r = runVoirie("rate " + shellQuoted(p) + " --scheme nonesuch");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.err, "neither a built-in scheme");
    r = runVoirie("rate " + shellQuoted(p) + " --network " + shellQuoted(writeNetwork(1.0)) + " --road-id-field nope");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.err, "has no field 'nope'");
    r = runVoirie("rate " + shellQuoted(p) + " --segment-m 0");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.err, "--segment-m must be at least 1 m");
    EXPECT_EQ(readFile(p), before) << "a refused rating leaves the project untouched";

    writeFile(own_.path() / "not.gpkg", "not a geopackage");
    r = runVoirie("rate " + shellQuoted(own_.path() / "not.gpkg"));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_CONTAINS(r.err, "cannot open project");

    r = runVoirie("rate --print-scheme paser-like");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(nlohmann::json::parse(r.out).contains("grades"));
}

} // namespace
