// `voirie export` round trips: the sample project to every format, read back with OGR and
// compared with the project (counts, attributes through the Shapefile name mapping, geometries
// within the CRS's tolerance, CRS), filters, images, styles, and every refusal.
#include "sample_survey.hpp"

#include "voirie/core/export/shapefile_names.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <gtest/gtest.h>

#include <map>

namespace {

using namespace voirie::test;
namespace fs = std::filesystem;

CommandResult voirie(const std::string& args) { return runCommand(shellQuoted(VOIRIE_CLI) + " " + args); }

#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

struct Damage {
    int64_t id;
    std::string cls, severity, review;
    double confidence, length_m, area_m2;
    std::unique_ptr<OGRGeometry> geometry; // lon/lat
};

GDALDatasetUniquePtr openVector(const fs::path& p, bool update = false)
{
    GDALAllRegister();
    return GDALDatasetUniquePtr(
        GDALDataset::Open(p.string().c_str(), GDAL_OF_VECTOR | (update ? GDAL_OF_UPDATE : GDAL_OF_READONLY)));
}

class Export : public ::testing::Test {
protected:
    // The sample project, with one damage accepted and one rejected by a reviewer.
    static void SetUpTestSuite()
    {
        dir_ = new TempDir();
        const fs::path survey = cachedSampleSurvey();
        // The fake blur-box anonymizer: exports copy the chips whatever blurred them.
        auto a = voirie("analyze " + sampleSurveyInputs(survey) + " --quiet --plugin-dir " +
                        shellQuoted(VOIRIE_FAKE_PLUGIN_DIR) + " --anonymizers blur-box --out " + shellQuoted(project()));
        ASSERT_EQ(a.exit_code, 0) << a.err;
        auto ds = openVector(project(), true);
        ASSERT_TRUE(ds);
        ds->ExecuteSQL("UPDATE damages SET review_state = 'accepted' WHERE damage_id = 1", nullptr, nullptr);
        ds->ExecuteSQL("UPDATE damages SET review_state = 'rejected' WHERE damage_id = 2", nullptr, nullptr);
    }
    static void TearDownTestSuite() { delete dir_; }
    static fs::path project() { return dir_->path() / "project.gpkg"; }

    static std::map<int64_t, Damage> damages()
    {
        std::map<int64_t, Damage> out;
        auto ds = openVector(project());
        OGRLayer* l = ds->GetLayerByName("damages");
        for (OGRFeatureUniquePtr f(l->GetNextFeature()); f; f.reset(l->GetNextFeature())) {
            Damage d{f->GetFieldAsInteger64("damage_id"), f->GetFieldAsString("class"), f->GetFieldAsString("severity"),
                     f->GetFieldAsString("review_state"), f->GetFieldAsDouble("confidence"),
                     f->GetFieldAsDouble("length_m"), f->GetFieldAsDouble("area_m2"),
                     std::unique_ptr<OGRGeometry>(f->GetGeometryRef()->clone())};
            out[d.id] = std::move(d);
        }
        return out;
    }
    static TempDir* dir_;
};
TempDir* Export::dir_ = nullptr;

// The largest distance between corresponding vertices, after bringing `expected` (lon/lat) into
// the CRS of `actual`.
double vertexDeviation(const OGRGeometry& expected_lonlat, const OGRGeometry& actual, const OGRSpatialReference* srs)
{
    std::unique_ptr<OGRGeometry> expected(expected_lonlat.clone());
    if (srs) {
        OGRSpatialReference wgs84;
        wgs84.importFromEPSG(4326);
        wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        OGRSpatialReference target(*srs);
        target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&wgs84, &target));
        expected->transform(ct.get());
    }
    auto points = [](const OGRGeometry& g) {
        std::vector<OGRPoint> out;
        if (const auto* line = dynamic_cast<const OGRSimpleCurve*>(&g))
            for (int i = 0; i < line->getNumPoints(); ++i)
                out.emplace_back(line->getX(i), line->getY(i));
        else if (const auto* polygon = dynamic_cast<const OGRPolygon*>(&g))
            for (int i = 0; i < polygon->getExteriorRing()->getNumPoints(); ++i)
                out.emplace_back(polygon->getExteriorRing()->getX(i), polygon->getExteriorRing()->getY(i));
        return out;
    };
    auto a = points(*expected), b = points(actual);
    if (a.size() != b.size() || a.empty())
        return 1e9;
    // Order-free: Shapefile writers may reverse a ring to their winding convention.
    double worst = 0;
    for (const auto* from : {&a, &b}) {
        const auto& to = from == &a ? b : a;
        for (const auto& p : *from) {
            double nearest = 1e18;
            for (const auto& q : to)
                nearest = std::min(nearest, std::hypot(p.getX() - q.getX(), p.getY() - q.getY()));
            worst = std::max(worst, nearest);
        }
    }
    return worst;
}

struct Case {
    const char* format;
    const char* out;        // file or folder
    const char* crs;        // nullptr: default
    double tolerance;       // in the CRS's units
    const char* id_field;   // damage_id as the format names it
};

TEST_F(Export, RoundTripsEveryFormat)
{
    const auto source = damages();
    size_t not_rejected = 0;
    for (const auto& [id, d] : source)
        not_rejected += d.review != "rejected";
    ASSERT_GT(not_rejected, 3u);
    TempDir work;
    const Case cases[] = {
        {"gpkg", "d.gpkg", "EPSG:2154", 1e-6, "damage_id"}, {"geojson", "d.geojson", nullptr, 2e-7, "damage_id"},
        {"shp", "shp", "EPSG:32631", 1e-6, "damage_id"},     {"kml", "d.kml", nullptr, 1e-7, "damage_id"},
        {"csv", "d.csv", "EPSG:3857", 1e-6, "damage_id"},    {"fgb", "d.fgb", "EPSG:2154", 1e-6, "damage_id"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.format);
        const fs::path out = work / c.out;
        auto r = voirie("export " + shellQuoted(project()) + " --format " + c.format + " --out " + shellQuoted(out) +
                        (c.crs ? std::string(" --crs ") + c.crs : std::string()));
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(runCommand("ogrinfo -ro -al " + shellQuoted(out) + " >/dev/null").exit_code, 0);
        auto ds = openVector(out);
        ASSERT_TRUE(ds) << out;
        size_t seen = 0;
        for (int li = 0; li < ds->GetLayerCount(); ++li) {
            OGRLayer* layer = ds->GetLayer(li);
            if (layer->GetGeomType() == wkbNone && std::string(c.format) != "csv")
                continue; // layer_styles
            const OGRSpatialReference* srs = layer->GetSpatialRef();
            if (std::string(c.format) != "csv") { // CSV carries no CRS: WKT in --crs, lon/lat columns
                ASSERT_TRUE(srs);
                OGRSpatialReference expected;
                expected.SetFromUserInput(c.crs ? c.crs : "EPSG:4326");
                const char* axis_free[] = {"CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS",
                                           "IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES", nullptr};
                EXPECT_TRUE(srs->IsSame(&expected, axis_free)) << layer->GetName();
            }
            OGRSpatialReference csv_srs;
            if (std::string(c.format) == "csv") {
                csv_srs.SetFromUserInput(c.crs);
                srs = &csv_srs;
            }
            for (OGRFeatureUniquePtr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
                ++seen;
                const int64_t id = f->GetFieldAsInteger64(c.id_field);
                ASSERT_TRUE(source.count(id)) << id;
                const Damage& d = source.at(id);
                EXPECT_NE(d.review, "rejected") << "rejected damages are left out by default";
                EXPECT_EQ(f->GetFieldAsString("class"), d.cls);
                EXPECT_EQ(f->GetFieldAsString("severity"), d.severity);
                EXPECT_NEAR(f->GetFieldAsDouble("confidence"), d.confidence, 1e-9);
                EXPECT_NEAR(f->GetFieldAsDouble("length_m"), d.length_m, 1e-9) << "metres whatever the CRS";
                EXPECT_NEAR(f->GetFieldAsDouble("area_m2"), d.area_m2, 1e-9);
                ASSERT_TRUE(f->GetGeometryRef());
                const bool wgs = !c.crs || std::string(c.format) == "geojson" || std::string(c.format) == "kml";
                EXPECT_LT(vertexDeviation(*d.geometry, *f->GetGeometryRef(), wgs ? nullptr : srs), c.tolerance)
                    << "damage " << id;
                if (std::string(c.format) == "csv") {
                    OGRPoint centre;
                    d.geometry->Centroid(&centre);
                    EXPECT_NEAR(f->GetFieldAsDouble("lon"), centre.getX(), 1e-9);
                    EXPECT_NEAR(f->GetFieldAsDouble("lat"), centre.getY(), 1e-9);
                }
            }
        }
        EXPECT_EQ(seen, not_rejected);
    }
}

TEST_F(Export, FiltersSelectExactlyWhatTheySay)
{
    const auto source = damages();
    TempDir work;
    auto count = [&](const std::string& args, const std::function<bool(const Damage&)>& expected) {
        const fs::path out = work / "f.gpkg";
        auto r = voirie("export " + shellQuoted(project()) + " --format gpkg --overwrite --out " + shellQuoted(out) + " " + args);
        EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
        std::set<int64_t> want, got;
        for (const auto& [id, d] : source)
            if (expected(d))
                want.insert(id);
        auto ds = openVector(out);
        OGRLayer* l = ds->GetLayerByName("damages");
        for (OGRFeatureUniquePtr f(l->GetNextFeature()); f; f.reset(l->GetNextFeature()))
            got.insert(f->GetFieldAsInteger64("damage_id"));
        EXPECT_EQ(got, want) << args;
    };
    auto not_rejected = [](const Damage& d) { return d.review != "rejected"; };
    count("", not_rejected);
    count("--review all", [](const Damage&) { return true; });
    count("--review accepted", [](const Damage& d) { return d.review == "accepted"; });
    count("--classes D40,D00", [&](const Damage& d) { return not_rejected(d) && (d.cls == "D40" || d.cls == "D00"); });
    count("--min-confidence 0.8 --review all", [](const Damage& d) { return d.confidence >= 0.8; });
    count("--min-severity M", [&](const Damage& d) { return not_rejected(d) && (d.severity == "M" || d.severity == "H"); });
    count("--min-severity H --classes D40 --review all", [](const Damage& d) { return d.severity == "H" && d.cls == "D40"; });

    auto empty = voirie("export " + shellQuoted(project()) + " --format geojson --out " + shellQuoted(work / "e.geojson") +
                        " --classes D43");
    EXPECT_EQ(empty.exit_code, 1);
    EXPECT_CONTAINS(empty.err, "no damage of");
    EXPECT_CONTAINS(empty.err, "matches the filters (classes D43");
    EXPECT_FALSE(fs::exists(work / "e.geojson"));
}

TEST_F(Export, ShapefilesMapNamesSplitGeometriesAndCarryStylesAndImages)
{
    TempDir work;
    const fs::path out = work / "shp";
    auto r = voirie("export " + shellQuoted(project()) + " --format shp --out " + shellQuoted(out) +
                    " --layers damages,track,frames --review all");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* base : {"damages_lines", "damages_polygons", "track", "frames"}) {
        for (const char* ext : {".shp", ".shx", ".dbf", ".prj", ".qml"})
            EXPECT_TRUE(fs::exists(out / (std::string(base) + ext))) << base << ext;
    }
    auto ds = openVector(out / "damages_polygons.shp");
    ASSERT_TRUE(ds);
    OGRFeatureDefn* defn = ds->GetLayer(0)->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i)
        EXPECT_LE(std::string(defn->GetFieldDefn(i)->GetNameRef()).size(), 10u);
    EXPECT_EQ(defn->GetFieldDefn(defn->GetFieldIndex(voirie::shapefileFieldName("first_seen").c_str()))->GetType(), OFTDate);
    EXPECT_GE(defn->GetFieldIndex("first_utc"), 0);
    EXPECT_GE(defn->GetFieldIndex("evid_frame"), 0);
    EXPECT_GE(defn->GetFieldIndex("review"), 0);
    OGRFeatureUniquePtr f(ds->GetLayer(0)->GetNextFeature());
    ASSERT_TRUE(f);
    EXPECT_EQ(wkbFlatten(f->GetGeometryRef()->getGeometryType()), wkbPolygon);
    EXPECT_CONTAINS(std::string(f->GetFieldAsString("first_utc")), "2026/04/14");
    const fs::path chip = out / f->GetFieldAsString("chip_path");
    ASSERT_TRUE(fs::exists(chip)) << chip;
    EXPECT_EQ(readFile(chip).substr(0, 2), "\xFF\xD8") << "a JPEG";
    EXPECT_CONTAINS(readFile(out / "damages_lines.qml"), "RuleRenderer");
}

TEST_F(Export, KmlPlacemarksAreNamedStyledAndShowTheEvidence)
{
    TempDir work;
    auto r = voirie("export " + shellQuoted(project()) + " --format kml --out " + shellQuoted(work / "d.kml") +
                    " --chips embedded");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string kml = readFile(work / "d.kml");
    EXPECT_CONTAINS(kml, "<name>D");
    EXPECT_CONTAINS(kml, "data:image/jpeg;base64,/9j/");
    EXPECT_CONTAINS(kml, "<LineStyle>");
    EXPECT_CONTAINS(kml, "<td>confidence</td>");
    auto files = voirie("export " + shellQuoted(project()) + " --format kml --out " + shellQuoted(work / "f.kml"));
    ASSERT_EQ(files.exit_code, 0) << files.err;
    EXPECT_CONTAINS(readFile(work / "f.kml"), "<img src=\"f_chips/damage_");
    EXPECT_TRUE(fs::is_directory(work / "f_chips"));

    auto gj = voirie("export " + shellQuoted(project()) + " --format geojson --out " + shellQuoted(work / "g.geojson"));
    ASSERT_EQ(gj.exit_code, 0) << gj.err;
    EXPECT_TRUE(fs::exists(work / "g.qml"));
    EXPECT_CONTAINS(readFile(work / "g.geojson"), "\"chip_path\": \"g_chips/damage_");
    auto embedded = voirie("export " + shellQuoted(project()) + " --format gpkg --out " + shellQuoted(work / "e.gpkg"));
    ASSERT_EQ(embedded.exit_code, 0);
    auto ds = openVector(work / "e.gpkg");
    OGRLayer* result = ds->ExecuteSQL("SELECT COUNT(*) FROM damages WHERE length(chip) > 1000", nullptr, nullptr);
    OGRFeatureUniquePtr row(result->GetNextFeature());
    EXPECT_GT(row->GetFieldAsInteger(0), 0);
    ds->ReleaseResultSet(result);
    result = ds->ExecuteSQL("SELECT COUNT(*) FROM layer_styles WHERE f_table_name = 'damages'", nullptr, nullptr);
    row.reset(result->GetNextFeature());
    EXPECT_EQ(row->GetFieldAsInteger(0), 1) << "the GeoPackage export opens styled too";
    ds->ReleaseResultSet(result);
}

TEST_F(Export, RefusalsAreOneSentenceAndLeaveNothingBehind)
{
    TempDir work;
    const std::string base = "export " + shellQuoted(project()) + " ";
    struct Refusal {
        std::string args;
        int exit_code;
        const char* says;
    };
    writeFile(work / "taken.gpkg", "precious");
    const Refusal refusals[] = {
        {"--format gpkg --out " + shellQuoted(work / "a.gpkg") + " --crs EPSG:999999", 1, "unknown CRS 'EPSG:999999'"},
        {"--format dwg --out " + shellQuoted(work / "a.dwg"), 2, "unknown format 'dwg'"},
        {"--format geojson --out " + shellQuoted(work / "a.geojson") + " --crs EPSG:2154", 1, "always WGS 84"},
        {"--format geojson --out " + shellQuoted(work / "a.geojson") + " --chips embedded", 1, "cannot embed images"},
        {"--format gpkg --out " + shellQuoted(work / "taken.gpkg"), 1, "already exists; pass --overwrite"},
        {"--format gpkg --out /nonexistent/a.gpkg", 1, "does not exist"},
        {"--format gpkg --out " + shellQuoted(work / "a.gpkg") + " --layers segments", 1, "has no 'segments' layer"},
        {"--format gpkg --out " + shellQuoted(work / "a.gpkg") + " --layers roads", 1, "unknown layer 'roads'"},
        {"--format gpkg --out " + shellQuoted(work / "a.gpkg") + " --classes D99", 1, "unknown damage class 'D99'"},
        {"--format csv --out " + shellQuoted(work / "a.txt"), 1, "must end in .csv"},
        {"--format gpkg --out " + shellQuoted(work / "a.gpkg") + " --min-severity X", 2, "L, M or H"},
    };
    for (const auto& r : refusals) {
        auto result = voirie(base + r.args);
        EXPECT_EQ(result.exit_code, r.exit_code) << r.args << ": " << result.err;
        EXPECT_CONTAINS(result.err, r.says);
    }
    auto missing = voirie("export " + shellQuoted(work / "none.gpkg") + " --format gpkg --out " + shellQuoted(work / "b.gpkg"));
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_CONTAINS(missing.err, "no such file");
    EXPECT_EQ(readFile(work / "taken.gpkg"), "precious");
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(work.path()))
        left.push_back(e.path().filename().string());
    EXPECT_EQ(left, std::vector<std::string>{"taken.gpkg"}) << "nothing half-written is left behind";

    auto replaced = voirie(base + "--format gpkg --overwrite --out " + shellQuoted(work / "taken.gpkg"));
    EXPECT_EQ(replaced.exit_code, 0) << replaced.err;
    EXPECT_TRUE(openVector(work / "taken.gpkg"));
}

} // namespace
