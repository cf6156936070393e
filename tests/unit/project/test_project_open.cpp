// openProject: the one checked way into a project. A missing field, a newer schema, a file that
// is not a GeoPackage and a hot journal are each handled before anything is read.
#include "small_project.hpp"

#include "voirie/core/project/project_open.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <gtest/gtest.h>

namespace {

using namespace voirie;
using namespace voirie::test;

class ProjectOpenTest : public ::testing::Test {
protected:
    void SetUp() override { writeSmallProject(path()); }
    std::filesystem::path path() const { return dir_.path() / "small.gpkg"; }
    void sql(const std::string& statement)
    {
        GDALDatasetUniquePtr ds(GDALDataset::Open(path().c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(ds);
        ds->ExecuteSQL(statement.c_str(), nullptr, nullptr);
    }
    TempDir dir_;
};

TEST_F(ProjectOpenTest, OpensASoundProjectAndRecordsItsSchemaVersion)
{
    auto ds = openProject(path(), {ProjectAccess::read, {"damages", "frames", "run"}});
    ASSERT_TRUE(ds.ok()) << ds.error();
    const ProjectCheck check = checkProject(path());
    EXPECT_EQ(check.integrity, "ok");
    EXPECT_EQ(check.schema_version, kProjectSchemaVersion);
    for (const auto& l : check.layers)
        EXPECT_TRUE(l.present && l.missing_fields.empty() && l.features >= 0) << l.name;
}

TEST_F(ProjectOpenTest, AMissingFieldIsNamedWithItsLayer)
{
    sql("ALTER TABLE damages DROP COLUMN severity");
    auto ds = openProject(path(), {ProjectAccess::read, {"damages"}});
    ASSERT_FALSE(ds.ok());
    EXPECT_NE(ds.error().find("its 'damages' layer has no 'severity' field"), std::string::npos) << ds.error();
    // A command that does not read damages is not stopped by it.
    EXPECT_TRUE(openProject(path(), {ProjectAccess::read, {"frames"}}).ok());
    const ProjectCheck check = checkProject(path());
    EXPECT_FALSE(check.ok);
    EXPECT_NE(check.toText().find("layer 'damages' has no 'severity' field"), std::string::npos) << check.toText();
}

TEST_F(ProjectOpenTest, ANewerSchemaIsRefused)
{
    sql("UPDATE run SET schema_version = " + std::to_string(kProjectSchemaVersion + 1));
    auto ds = openProject(path(), {ProjectAccess::read, {}});
    ASSERT_FALSE(ds.ok());
    EXPECT_NE(ds.error().find("written by a newer Voirie"), std::string::npos) << ds.error();
}

TEST_F(ProjectOpenTest, AFileThatIsNotAGeoPackageIsSaidSo)
{
    const auto text = dir_ / "notes.gpkg";
    writeFile(text, "hello");
    auto ds = openProject(text, {ProjectAccess::read, {}});
    ASSERT_FALSE(ds.ok());
    EXPECT_NE(ds.error().find("too short to be a GeoPackage"), std::string::npos) << ds.error();
    writeFile(text, std::string(200, 'x'));
    EXPECT_NE(openProject(text, {ProjectAccess::read, {}}).error().find("not an SQLite file"), std::string::npos);
    EXPECT_NE(openProject(dir_ / "absent.gpkg", {ProjectAccess::read, {}}).error().find("no such file"), std::string::npos);
}

} // namespace
