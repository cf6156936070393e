// Detections in pixels -> footprints on the road in metres (docs/ARCHITECTURE.md: GroundProjector).
// Pixel -> road plane through the camera model (height, pitch, roll, intrinsics) -> metres ahead
// and right of the camera -> the survey's local metric frame through the frame's position and
// heading. Nothing at or above the horizon, and nothing beyond max_range_m, is projected: far
// pixels cover decimetres of road and their position is dominated by pitch error.
#pragma once

#include "voirie/core/geo/camera_geometry.hpp"
#include "voirie/core/geo/local_metric_frame.hpp"
#include "voirie/core/vocabulary/detection.hpp"

#include <ogr_geometry.h>

#include <memory>
#include <optional>

namespace voirie {

// The camera's place on the map when the frame was taken (GPS antenna and camera taken as one).
struct VehiclePose {
    MetricPoint position;
    double heading_deg = 0; // clockwise from north
};

struct GroundFootprint {
    std::unique_ptr<OGRGeometry> metric; // LineString (cracks) or Polygon, local metric frame
    double length_m = 0;   // along a polyline; the longest extent of a polygon
    double area_m2 = 0;    // polygons only
    std::optional<double> width_mm; // crack width, from the plugin's width_px (or width_mm)
    double distance_m = 0; // the nearest projected point's distance ahead of the camera
    double forward_m = 0;  // the centroid's distance ahead of the camera
    MetricPoint centroid;
};

class GroundProjector {
public:
    GroundProjector(const CameraModel& camera, double max_range_m);

    // The detection's shape (polyline, polygon, else its box) on the road; nothing when no part
    // of it lies on the road within range.
    std::optional<GroundFootprint> project(const Detection& detection, const VehiclePose& pose) const;

    MetricPoint toMetric(const GroundPoint& p, const VehiclePose& pose) const;
    const CameraGeometry& geometry() const { return geometry_; }
    double maxRangeMetres() const { return max_range_m_; }

private:
    CameraGeometry geometry_;
    double max_range_m_;
};

} // namespace voirie
