#include "voirie/core/project/drawn_damage.hpp"

#include "voirie/core/damage/ground_projector.hpp"
#include "voirie/core/geo/local_metric_frame.hpp"
#include "voirie/core/vocabulary/severity_rules.hpp"

#include <algorithm>
#include <sstream>

namespace voirie {

namespace {

// Beyond this a pixel covers decimetres of road: a drawn damage is placed no further.
constexpr double kDrawnRangeM = 40.0;

std::string number(double v)
{
    std::ostringstream out;
    out.precision(10);
    out << v;
    return out.str();
}

// The shape in the frame's pixels as the detections layer stores it (pixel_shape): a line, or a
// closed ring.
std::string pixelWkt(const Detection& d)
{
    std::string points;
    for (const auto& p : d.points)
        points += (points.empty() ? "" : ", ") + number(p.x) + " " + number(p.y);
    if (d.shape == ShapeKind::Polyline)
        return "LINESTRING (" + points + ")";
    return "POLYGON ((" + points + ", " + number(d.points.front().x) + " " + number(d.points.front().y) + "))";
}

} // namespace

Detection drawnShape(const std::string& class_code, PixelPoint from, PixelPoint to)
{
    Detection d;
    d.plugin_id = "reviewer";
    d.class_code = class_code;
    d.confidence = 1;
    const double left = std::min(from.x, to.x), right = std::max(from.x, to.x);
    const double top = std::min(from.y, to.y), bottom = std::max(from.y, to.y);
    d.box = {left, top, right - left, bottom - top};
    if (class_code == "D00" || class_code == "D10") { // cracks along or across the road: a line
        d.shape = ShapeKind::Polyline;
        d.points = {from, to};
    } else {
        d.shape = ShapeKind::Polygon;
        d.points = {{left, top}, {right, top}, {right, bottom}, {left, bottom}};
    }
    return d;
}

Result<AddedDamage> placeDrawnDamage(const CameraModel& camera, const DrawnOnFrame& frame, const std::string& class_code,
                                     PixelPoint from, PixelPoint to)
{
    const Detection drawn = drawnShape(class_code, from, to);
    AddedDamage added;
    added.class_code = class_code;
    added.box_x = drawn.box.x, added.box_y = drawn.box.y, added.box_width = drawn.box.width, added.box_height = drawn.box.height;
    added.pixel_wkt = pixelWkt(drawn);
    // The road as the frame's camera saw it, in metres about the frame's own position.
    const LocalMetricFrame around(frame.lon, frame.lat);
    auto footprint = GroundProjector(camera, kDrawnRangeM).project(drawn, VehiclePose{{0, 0}, frame.heading_deg});
    if (!footprint)
        return fail("what was drawn is not on the road (above the horizon, or over " + number(kDrawnRangeM) +
                    " m away): draw on the road surface");
    // A crack's width is not drawn: it has no severity until a reviewer gives one.
    added.severity = severityCode(measuredSeverity(class_code, std::nullopt, footprint->area_m2, footprint->length_m)
                                      .value_or(Severity::Unknown));
    added.frame = frame.index;
    added.time = frame.time;
    added.frame_chainage_m = frame.chainage_m;
    added.chainage_m = frame.chainage_m + footprint->forward_m;
    added.forward_m = footprint->forward_m;
    added.length_m = footprint->length_m;
    added.area_m2 = footprint->area_m2;
    std::shared_ptr<OGRGeometry> on_map(footprint->metric->clone());
    if (!around.toGeographic(*on_map))
        return fail("the damage drawn cannot be placed on the map (coordinate transformation failed)");
    added.footprint = on_map;
    return added;
}

} // namespace voirie
