// GroundProjector: pixels -> metres on the road -> the survey's metric frame, against geometry
// known in advance.
#include "voirie/core/damage/ground_projector.hpp"
#include "voirie/core/geo/camera_file.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace {

using namespace voirie;

CameraModel camera(double roll = 0)
{
    CameraModel c = defaultDashcamCamera(1280, 720);
    c.roll_deg = roll;
    return c;
}

// A detection whose pixels are where the camera sees the given road points (forward, right).
Detection seen(const GroundProjector& p, const std::vector<GroundPoint>& ground, ShapeKind shape, const char* cls)
{
    Detection d;
    d.class_code = cls;
    d.confidence = 0.8;
    d.shape = shape;
    double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
    for (const auto& g : ground) {
        auto px = p.geometry().groundToPixel(g);
        d.points.push_back({px->first, px->second});
        x0 = std::min(x0, px->first), y0 = std::min(y0, px->second);
        x1 = std::max(x1, px->first), y1 = std::max(y1, px->second);
    }
    d.box = {x0, y0, x1 - x0, y1 - y0};
    return d;
}

TEST(GroundPlane, DirectionsAndPixelsRoundTripForARolledPitchedCamera)
{
    const CameraGeometry g(camera(2.5));
    for (auto [x, y] : {std::pair{100.0, 50.0}, {640.0, 300.0}, {1200.0, 700.0}}) {
        const auto d = g.pixelToDirection(x, y);
        EXPECT_NEAR(std::hypot(d[0], std::hypot(d[1], d[2])), 1.0, 1e-12);
        auto back = g.directionToPixel(5 * d[0], 5 * d[1], 5 * d[2]); // any distance
        ASSERT_TRUE(back);
        EXPECT_NEAR(back->first, x, 1e-9);
        EXPECT_NEAR(back->second, y, 1e-9);
    }
    // A level direction lies on the horizon; the road point's pixel is its direction's.
    auto level = g.directionToPixel(1, 0.3, 0);
    ASSERT_TRUE(level);
    EXPECT_NEAR(level->second, g.horizonRow(level->first), 1e-9);
    EXPECT_FALSE(g.directionToPixel(-1, 0, 0)) << "behind the camera";
}

TEST(GroundProjector, PlacesRoadPointsByPositionAndHeading)
{
    for (double roll : {0.0, 2.5}) {
        GroundProjector projector(camera(roll), 25);
        // Heading east: forward is +x, right is -y (south).
        const VehiclePose east{{100, 200}, 90};
        auto f = projector.project(seen(projector, {{6, 1}, {8, 1}}, ShapeKind::Polyline, "D00"), east);
        ASSERT_TRUE(f);
        const auto* line = f->metric->toLineString();
        ASSERT_EQ(line->getNumPoints(), 2);
        EXPECT_NEAR(line->getX(0), 106, 1e-6);
        EXPECT_NEAR(line->getY(0), 199, 1e-6);
        EXPECT_NEAR(line->getX(1), 108, 1e-6);
        EXPECT_NEAR(f->length_m, 2.0, 1e-6);
        EXPECT_NEAR(f->distance_m, 6.0, 1e-6);
        EXPECT_NEAR(f->forward_m, 7.0, 1e-6);
        // Heading north-east (45 degrees): 10 m ahead lands at (+7.07, +7.07).
        auto g = projector.project(seen(projector, {{10, -0.5}, {10, 0.5}, {11, 0.5}, {11, -0.5}}, ShapeKind::Polygon, "D40"),
                                   {{0, 0}, 45});
        ASSERT_TRUE(g);
        EXPECT_NEAR(g->area_m2, 1.0, 1e-6);
        EXPECT_NEAR(g->length_m, std::sqrt(2.0), 1e-6); // the longest extent: the diagonal
        EXPECT_NEAR(g->centroid.x, 10.5 / std::sqrt(2.0), 1e-6);
        EXPECT_NEAR(g->centroid.y, 10.5 / std::sqrt(2.0), 1e-6);
    }
}

TEST(GroundProjector, NothingAboveTheHorizonOrBeyondRange)
{
    GroundProjector projector(camera(), 25);
    const VehiclePose pose{{0, 0}, 0};
    const double horizon = projector.geometry().horizonRow(640);
    Detection sky;
    sky.class_code = "D40";
    sky.box = {600, horizon - 100, 80, 60};
    EXPECT_FALSE(projector.project(sky, pose));
    // A box from far beyond the range down to 10 m ahead is cut at 25 m.
    auto near_px = projector.geometry().groundToPixel({10, 0});
    Detection tall;
    tall.class_code = "D40";
    tall.box = {600, horizon - 20, 80, near_px->second - (horizon - 20)};
    auto f = projector.project(tall, pose);
    ASSERT_TRUE(f);
    OGREnvelope e;
    f->metric->getEnvelope(&e);
    EXPECT_NEAR(e.MaxY, 25.0, 1e-6); // heading north: forward is +y
    EXPECT_NEAR(e.MinY, 10.0, 1e-6);
}

TEST(GroundProjector, CrackWidthInMillimetresAtItsDistance)
{
    GroundProjector projector(camera(), 25);
    Detection d = seen(projector, {{8, 0.5}, {10, 0.5}}, ShapeKind::Polyline, "D00");
    d.attributes = {{"width_px", 2.0}};
    auto f = projector.project(d, {{0, 0}, 0});
    ASSERT_TRUE(f && f->width_mm);
    // Longitudinal: across the view, 2 px at 9 m with fx 640 = 2 * 9 / 640 m.
    EXPECT_NEAR(*f->width_mm, 2 * 9.0 / 640.0 * 1000, 1.0);
}

} // namespace
