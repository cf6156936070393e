// A damage drawn by the reviewer, placed on the road through the frame's camera and position.
#include "voirie/core/geo/local_metric_frame.hpp"
#include "voirie/core/project/drawn_damage.hpp"

#include <gtest/gtest.h>
#include <ogr_geometry.h>

namespace {

using namespace voirie;

CameraModel dashCam()
{
    CameraModel c;
    c.width = 1280, c.height = 720;
    c.fx = c.fy = 640, c.cx = 640, c.cy = 360;
    c.height_m = 1.3, c.pitch_deg = 12;
    return c;
}

const DrawnOnFrame kFrame{42, 7.5, 100.0, 90.0, 4.8170, 45.7545}; // heading east

TEST(DrawnDamage, APotholeBoxLiesAheadOnTheRoadWithItsMeasures)
{
    auto added = placeDrawnDamage(dashCam(), kFrame, "D40", {600, 560}, {680, 600});
    ASSERT_TRUE(added.ok()) << added.error();
    EXPECT_EQ(added->class_code, "D40");
    EXPECT_EQ(added->frame, 42);
    EXPECT_GT(added->forward_m, 2.0);
    EXPECT_LT(added->forward_m, 6.0);
    EXPECT_NEAR(added->chainage_m, 100.0 + added->forward_m, 1e-9);
    EXPECT_GT(added->area_m2, 0.05);
    EXPECT_FALSE(added->severity.empty()) << "a pothole's area grades it";
    EXPECT_EQ(added->pixel_wkt.rfind("POLYGON ((600 560, 680 560", 0), 0u) << added->pixel_wkt;
    // Heading east: the footprint lies east of the frame's position, about forward_m away.
    ASSERT_TRUE(added->footprint);
    OGRPoint centre;
    ASSERT_EQ(added->footprint->Centroid(&centre), OGRERR_NONE);
    const LocalMetricFrame around(kFrame.lon, kFrame.lat);
    const MetricPoint m = around.toMetric(centre.getX(), centre.getY());
    EXPECT_NEAR(m.x, added->forward_m, 0.3);
    EXPECT_NEAR(m.y, 0.0, 0.3);
}

TEST(DrawnDamage, ACrackIsTheLineDrawnNotItsBox)
{
    auto added = placeDrawnDamage(dashCam(), kFrame, "D10", {500, 600}, {780, 590});
    ASSERT_TRUE(added.ok()) << added.error();
    EXPECT_EQ(added->pixel_wkt.rfind("LINESTRING (500 600, 780 590)", 0), 0u) << added->pixel_wkt;
    EXPECT_EQ(added->footprint->getGeometryType(), wkbLineString);
    EXPECT_EQ(added->area_m2, 0.0);
    EXPECT_GT(added->length_m, 1.0);
    const Detection d = drawnShape("D10", {500, 600}, {780, 590});
    ASSERT_EQ(d.points.size(), 2u);
    EXPECT_DOUBLE_EQ(d.points[1].x, 780);
    EXPECT_EQ(d.plugin_id, "reviewer");
}

TEST(DrawnDamage, DrawnInTheSkyIsRefusedWithASentence)
{
    auto added = placeDrawnDamage(dashCam(), kFrame, "D40", {600, 50}, {680, 90});
    ASSERT_FALSE(added.ok());
    EXPECT_NE(added.error().find("not on the road"), std::string::npos) << added.error();
}

} // namespace
