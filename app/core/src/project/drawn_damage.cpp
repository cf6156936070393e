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

} // namespace

bool drawnAsLine(const std::string& class_code)
{
    return class_code == "D00" || class_code == "D10";
}

Detection drawnDetection(const AddedDamage& added)
{
    Detection d;
    d.plugin_id = "reviewer";
    d.class_code = added.class_code;
    d.confidence = 1;
    d.box = {added.box_x, added.box_y, added.box_width, added.box_height};
    const double left = added.box_x, top = added.box_y, right = left + added.box_width, bottom = top + added.box_height;
    if (drawnAsLine(added.class_code) && added.pixel_wkt.rfind("LINESTRING", 0) == 0) {
        d.shape = ShapeKind::Polyline;
        std::istringstream in(added.pixel_wkt.substr(added.pixel_wkt.find('(') + 1));
        PixelPoint a, b;
        char comma = 0;
        if (in >> a.x >> a.y >> comma >> b.x >> b.y)
            d.points = {a, b};
    } else {
        d.shape = ShapeKind::Polygon;
        d.points = {{left, top}, {right, top}, {right, bottom}, {left, bottom}};
    }
    return d;
}

Result<AddedDamage> placeDrawnDamage(const CameraModel& camera, const DrawnOnFrame& frame, const std::string& class_code,
                                     PixelPoint from, PixelPoint to)
{
    AddedDamage added;
    added.class_code = class_code;
    const double left = std::min(from.x, to.x), right = std::max(from.x, to.x);
    const double top = std::min(from.y, to.y), bottom = std::max(from.y, to.y);
    added.box_x = left, added.box_y = top, added.box_width = right - left, added.box_height = bottom - top;
    if (drawnAsLine(class_code))
        added.pixel_wkt = "LINESTRING (" + number(from.x) + " " + number(from.y) + ", " + number(to.x) + " " +
                          number(to.y) + ")";
    else
        added.pixel_wkt = "POLYGON ((" + number(left) + " " + number(top) + ", " + number(right) + " " + number(top) +
                          ", " + number(right) + " " + number(bottom) + ", " + number(left) + " " + number(bottom) +
                          ", " + number(left) + " " + number(top) + "))";
    // The road as the frame's camera saw it, in metres about the frame's own position.
    const LocalMetricFrame around(frame.lon, frame.lat);
    auto footprint = GroundProjector(camera, kDrawnRangeM).project(drawnDetection(added), VehiclePose{{0, 0}, frame.heading_deg});
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
