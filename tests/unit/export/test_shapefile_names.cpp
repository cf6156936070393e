// Shapefile field names: at most 10 characters, one name per field, the documented table.
#include "voirie/core/export/shapefile_names.hpp"

#include <gtest/gtest.h>

#include <set>

namespace {

using namespace voirie;

TEST(ShapefileNames, EveryNameFitsDbaseAndNoTwoFieldsShareOne)
{
    std::set<std::string> from, to;
    for (const auto& [project, shapefile] : shapefileNameTable()) {
        EXPECT_LE(shapefile.size(), 10u) << project;
        EXPECT_TRUE(from.insert(project).second) << project << " listed twice";
        EXPECT_TRUE(to.insert(shapefile).second) << shapefile << " given to two fields";
        EXPECT_EQ(shapefileFieldName(project), shapefile);
    }
}

TEST(ShapefileNames, TheTableNamesAreTheDocumentedOnes)
{
    EXPECT_EQ(shapefileFieldName("evidence_frame"), "evid_frame");
    EXPECT_EQ(shapefileFieldName("review_state"), "review");
    EXPECT_EQ(shapefileFieldName("frame_chainage_m"), "frame_ch_m");
    EXPECT_EQ(shapefileFieldName("class"), "class"); // short names stay as they are
}

TEST(ShapefileNames, NamesOutsideTheTableAreCutToTenCharacters)
{
    EXPECT_EQ(shapefileFieldName("a_very_long_field_name"), "a_very_lon");
    EXPECT_EQ(shapefileFieldName("severity"), "severity");
}

TEST(ShapefileNames, TimeFieldsKeepTheirUtcTimeBesideTheDate)
{
    EXPECT_EQ(shapefileTimeFieldName("first_seen"), "first_utc");
    EXPECT_EQ(shapefileTimeFieldName("last_seen"), "last_utc");
    EXPECT_EQ(shapefileTimeFieldName("start_time"), "start_utc");
    EXPECT_EQ(shapefileTimeFieldName("time"), "time_utc");
    for (const auto& [project, shapefile] : shapefileNameTable())
        EXPECT_LE(shapefileTimeFieldName(project).size(), 10u) << project;
}

} // namespace
