#include "voirie/core/damage/ground_projector.hpp"

#include <cpl_error.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace voirie {
namespace {

constexpr double kNearestForwardM = 0.3; // the bonnet: nothing is measured closer than this

// Straight lines in the image stay straight on the road plane (a homography), so projecting the
// vertices of a shape that lies below the horizon projects the whole shape exactly.
std::unique_ptr<OGRGeometry> pixelShape(const Detection& d)
{
    if (d.shape == ShapeKind::Polyline && d.points.size() >= 2) {
        auto line = std::make_unique<OGRLineString>();
        for (const auto& p : d.points)
            line->addPoint(p.x, p.y);
        return line;
    }
    auto ring = std::make_unique<OGRLinearRing>();
    if (d.shape == ShapeKind::Polygon && d.points.size() >= 3) {
        for (const auto& p : d.points)
            ring->addPoint(p.x, p.y);
    } else {
        const auto& b = d.box;
        ring->addPoint(b.x, b.y);
        ring->addPoint(b.x + b.width, b.y);
        ring->addPoint(b.x + b.width, b.y + b.height);
        ring->addPoint(b.x, b.y + b.height);
    }
    ring->closeRings();
    auto polygon = std::make_unique<OGRPolygon>();
    polygon->addRingDirectly(ring.release());
    // GEOS reports why an outline is invalid as a GDAL warning; it is repaired here, so quietly.
    struct QuietErrors {
        QuietErrors() { CPLPushErrorHandler(CPLQuietErrorHandler); }
        ~QuietErrors() { CPLPopErrorHandler(); }
    } quiet;
    if (!polygon->IsValid()) {
        // Self-touching outlines from contour tracing: GEOS repairs them (buffer 0).
        std::unique_ptr<OGRGeometry> repaired(polygon->Buffer(0));
        if (repaired && !repaired->IsEmpty())
            return repaired;
    }
    return polygon;
}

std::unique_ptr<OGRPolygon> rectangle(double x0, double y0, double x1, double y1)
{
    auto ring = new OGRLinearRing();
    ring->addPoint(x0, y0);
    ring->addPoint(x1, y0);
    ring->addPoint(x1, y1);
    ring->addPoint(x0, y1);
    ring->closeRings();
    auto polygon = std::make_unique<OGRPolygon>();
    polygon->addRingDirectly(ring);
    return polygon;
}

// The largest part of a clipped geometry: the longest line, or the largest polygon.
std::unique_ptr<OGRGeometry> largestPart(std::unique_ptr<OGRGeometry> g)
{
    if (!g || g->IsEmpty())
        return nullptr;
    const auto type = wkbFlatten(g->getGeometryType());
    if (type == wkbLineString || type == wkbPolygon)
        return g;
    auto* collection = dynamic_cast<OGRGeometryCollection*>(g.get());
    if (collection == nullptr)
        return nullptr;
    const OGRGeometry* best = nullptr;
    double best_size = 0;
    for (int i = 0; i < collection->getNumGeometries(); ++i) {
        const OGRGeometry* part = collection->getGeometryRef(i);
        const auto part_type = wkbFlatten(part->getGeometryType());
        double size = -1;
        if (part_type == wkbLineString)
            size = part->toLineString()->get_Length();
        else if (part_type == wkbPolygon)
            size = part->toPolygon()->get_Area();
        if (size > best_size) {
            best_size = size;
            best = part;
        }
    }
    return best ? std::unique_ptr<OGRGeometry>(best->clone()) : nullptr;
}

// Projects every vertex of a pixel line string into the vehicle frame (x forward, y right).
bool projectPoints(const OGRSimpleCurve& pixels, OGRSimpleCurve& ground, const CameraGeometry& camera)
{
    for (int i = 0; i < pixels.getNumPoints(); ++i) {
        auto p = camera.pixelToGround(pixels.getX(i), pixels.getY(i));
        if (!p)
            return false;
        ground.addPoint(p->forward, p->right);
    }
    return true;
}

double longestExtent(const OGRPolygon& polygon)
{
    const OGRLinearRing* ring = polygon.getExteriorRing();
    double best = 0;
    for (int i = 0; i < ring->getNumPoints(); ++i)
        for (int j = i + 1; j < ring->getNumPoints(); ++j)
            best = std::max(best, std::hypot(ring->getX(i) - ring->getX(j), ring->getY(i) - ring->getY(j)));
    return best;
}

std::optional<double> attribute(const Detection& d, const char* name)
{
    for (const auto& [key, value] : d.attributes)
        if (key == name && std::isfinite(value))
            return value;
    return std::nullopt;
}

} // namespace

GroundProjector::GroundProjector(const CameraModel& camera, double max_range_m)
    : geometry_(camera), max_range_m_(max_range_m)
{
}

MetricPoint GroundProjector::toMetric(const GroundPoint& p, const VehiclePose& pose) const
{
    const double h = pose.heading_deg * M_PI / 180.0;
    // Forward points along the heading (east = sin, north = cos); right is 90 degrees clockwise.
    return {pose.position.x + p.forward * std::sin(h) + p.right * std::cos(h),
            pose.position.y + p.forward * std::cos(h) - p.right * std::sin(h)};
}

std::optional<GroundFootprint> GroundProjector::project(const Detection& detection, const VehiclePose& pose) const
{
    const auto& cam = geometry_.camera();
    const double width = double(cam.cx) * 2, height = double(cam.cy) * 2;
    // Only rows safely below the horizon (2 px margin) reach the road within a finite distance.
    const double horizon = std::max(geometry_.horizonRow(0), geometry_.horizonRow(width)) + 2.0;
    if (horizon >= height)
        return std::nullopt;
    auto shape = pixelShape(detection);
    auto below = rectangle(-1e4, std::max(horizon, -1e4), width + 1e4, height + 1e4);
    auto visible = largestPart(std::unique_ptr<OGRGeometry>(shape->Intersection(below.get())));
    if (!visible)
        return std::nullopt;

    // Into the vehicle frame, then clipped to the measuring range.
    std::unique_ptr<OGRGeometry> vehicle;
    if (wkbFlatten(visible->getGeometryType()) == wkbLineString) {
        auto line = std::make_unique<OGRLineString>();
        if (!projectPoints(*visible->toLineString(), *line, geometry_))
            return std::nullopt;
        vehicle = std::move(line);
    } else {
        auto ring = new OGRLinearRing();
        if (!projectPoints(*visible->toPolygon()->getExteriorRing(), *ring, geometry_)) {
            delete ring;
            return std::nullopt;
        }
        auto polygon = std::make_unique<OGRPolygon>();
        polygon->addRingDirectly(ring);
        vehicle = std::move(polygon);
    }
    auto range = rectangle(kNearestForwardM, -max_range_m_, max_range_m_, max_range_m_);
    auto in_range = largestPart(std::unique_ptr<OGRGeometry>(vehicle->Intersection(range.get())));
    if (!in_range)
        return std::nullopt;

    GroundFootprint out;
    OGREnvelope envelope;
    in_range->getEnvelope(&envelope);
    out.distance_m = envelope.MinX;
    const bool is_line = wkbFlatten(in_range->getGeometryType()) == wkbLineString;
    OGRPoint centre;
    in_range->Centroid(&centre);
    if (is_line) {
        out.length_m = in_range->toLineString()->get_Length();
    } else {
        out.area_m2 = in_range->toPolygon()->get_Area();
        out.length_m = longestExtent(*in_range->toPolygon());
    }
    // A crack's width in pixels becomes millimetres at the crack's own distance: across the view
    // for a longitudinal crack, along it for a transverse one.
    if (auto width_px = attribute(detection, "width_px")) {
        const double d = std::max(centre.getX(), kNearestForwardM);
        const double m_per_px = detection.class_code == "D10" ? geometry_.forwardMetresPerPixel(d)
                                                              : geometry_.lateralMetresPerPixel(d);
        out.width_mm = *width_px * m_per_px * 1000.0;
    } else if (auto width_mm = attribute(detection, "width_mm")) {
        out.width_mm = *width_mm;
    }

    // Vehicle frame -> the survey's metric frame: x forward / y right are rotated by the heading.
    auto toMap = [&](OGRSimpleCurve& curve) {
        for (int i = 0; i < curve.getNumPoints(); ++i) {
            const MetricPoint m = toMetric({curve.getX(i), curve.getY(i)}, pose);
            curve.setPoint(i, m.x, m.y);
        }
    };
    if (is_line) {
        toMap(*in_range->toLineString());
    } else {
        for (auto* ring : *in_range->toPolygon())
            toMap(*ring);
    }
    out.forward_m = centre.getX();
    out.centroid = toMetric({centre.getX(), centre.getY()}, pose);
    out.metric = std::move(in_range);
    return out;
}

} // namespace voirie
