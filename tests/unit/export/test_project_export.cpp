// exportProject on a project written through the store: formats, CRS, filters, chips, and an
// existing output kept unless --overwrite.
#include "small_project.hpp"

#include "voirie/core/export/project_export.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <gtest/gtest.h>

namespace {

using namespace voirie;
using namespace voirie::test;

class ExportTest : public ::testing::Test {
protected:
    void SetUp() override { writeSmallProject(project()); }
    std::filesystem::path project() const { return dir_.path() / "small.gpkg"; }
    ExportOptions options(const std::string& out, ExportFormat format) const
    {
        ExportOptions o;
        o.project = project();
        o.out = dir_.path() / out;
        o.format = format;
        return o;
    }
    static GDALDatasetUniquePtr open(const std::filesystem::path& p)
    {
        return GDALDatasetUniquePtr(GDALDataset::Open(p.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    }
    TempDir dir_;
};

TEST_F(ExportTest, GeoJsonInWgs84WithChipFilesBeside)
{
    auto summary = exportProject(options("damages.geojson", ExportFormat::GeoJSON));
    ASSERT_TRUE(summary) << summary.error();
    ASSERT_EQ(summary->layers.size(), 1u);
    EXPECT_EQ(summary->layers[0].features, 3);
    EXPECT_EQ(summary->chips_written, 3);
    auto ds = open(dir_.path() / "damages.geojson");
    ASSERT_TRUE(ds);
    EXPECT_EQ(ds->GetLayer(0)->GetFeatureCount(), 3);
    EXPECT_TRUE(std::filesystem::is_directory(dir_.path() / "damages_chips"));
}

TEST_F(ExportTest, AnotherCrsAndAClassFilter)
{
    auto o = options("potholes.gpkg", ExportFormat::GeoPackage);
    o.crs = "EPSG:2154";
    o.classes = {"D40"};
    auto summary = exportProject(o);
    ASSERT_TRUE(summary) << summary.error();
    auto ds = open(o.out);
    ASSERT_TRUE(ds);
    OGRLayer* damages = ds->GetLayerByName("damages");
    ASSERT_NE(damages, nullptr);
    EXPECT_EQ(damages->GetFeatureCount(), 1);
    OGRSpatialReference lambert;
    lambert.importFromEPSG(2154);
    EXPECT_TRUE(damages->GetSpatialRef()->IsSame(&lambert));
    OGRFeatureUniquePtr f(damages->GetNextFeature());
    ASSERT_TRUE(f);
    OGRPoint c;
    f->GetGeometryRef()->Centroid(&c);
    EXPECT_GT(c.getX(), 600000); // Paris in Lambert-93: about (652000, 6862000)
    EXPECT_LT(c.getX(), 700000);
    EXPECT_GT(c.getY(), 6800000);
}

TEST_F(ExportTest, ShapefilesSplitLinesAndPolygons)
{
    auto summary = exportProject(options("shp", ExportFormat::Shapefile));
    ASSERT_TRUE(summary) << summary.error();
    EXPECT_TRUE(std::filesystem::exists(dir_.path() / "shp" / "damages_lines.shp"));
    EXPECT_TRUE(std::filesystem::exists(dir_.path() / "shp" / "damages_polygons.shp"));
    auto polygons = open(dir_.path() / "shp" / "damages_polygons.shp");
    ASSERT_TRUE(polygons);
    EXPECT_EQ(polygons->GetLayer(0)->GetFeatureCount(), 2);
}

TEST_F(ExportTest, AnExistingOutputIsKeptUnlessOverwrite)
{
    auto first = exportProject(options("damages.geojson", ExportFormat::GeoJSON));
    ASSERT_TRUE(first) << first.error();
    auto again = exportProject(options("damages.geojson", ExportFormat::GeoJSON));
    ASSERT_FALSE(again);
    auto o = options("damages.geojson", ExportFormat::GeoJSON);
    o.overwrite = true;
    o.classes = {"D00"};
    auto replaced = exportProject(o);
    ASSERT_TRUE(replaced) << replaced.error();
    EXPECT_EQ(open(o.out)->GetLayer(0)->GetFeatureCount(), 1);
}

TEST_F(ExportTest, UnknownLayersAndClassesAreRefusedBeforeAnythingIsWritten)
{
    auto o = options("x.gpkg", ExportFormat::GeoPackage);
    o.layers = {"damages", "nonsense"};
    EXPECT_FALSE(exportProject(o));
    o.layers = {"damages"};
    o.classes = {"D99"};
    EXPECT_FALSE(exportProject(o));
    EXPECT_FALSE(std::filesystem::exists(o.out));
}

} // namespace
