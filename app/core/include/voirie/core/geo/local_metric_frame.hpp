// A local metric frame (metres east, north) around a point: a transverse Mercator projection
// through OGR, centred on the survey so scale error stays negligible over tens of kilometres.
// Interpolation, distances and headings are computed here, never in degrees.
#pragma once

#include <memory>

class OGRCoordinateTransformation;
class OGRGeometry;

namespace voirie {

struct MetricPoint {
    double x = 0; // metres east
    double y = 0; // metres north
};

class LocalMetricFrame {
public:
    LocalMetricFrame(double origin_lon, double origin_lat);
    ~LocalMetricFrame();
    LocalMetricFrame(LocalMetricFrame&&) noexcept;
    LocalMetricFrame& operator=(LocalMetricFrame&&) noexcept;

    MetricPoint toMetric(double lon, double lat) const;
    void toGeographic(const MetricPoint& p, double& lon, double& lat) const;
    // Transforms a lon/lat geometry into this frame (in place); false when PROJ fails.
    bool toMetric(OGRGeometry& geometry) const;
    // Transforms a geometry in this frame back to lon/lat (in place); false when PROJ fails.
    bool toGeographic(OGRGeometry& geometry) const;
    double originLon() const { return origin_lon_; }
    double originLat() const { return origin_lat_; }

private:
    struct TransformDeleter {
        void operator()(OGRCoordinateTransformation* t) const;
    };
    double origin_lon_, origin_lat_;
    std::unique_ptr<OGRCoordinateTransformation, TransformDeleter> forward_, inverse_;
};

// Moves every vertex of `geometry` by (dx, dy) in its own units, in place (metres in a metric
// frame; degrees in lon/lat, for steps small enough that the difference does not matter).
void translate(OGRGeometry& geometry, double dx, double dy);

// Heading in degrees clockwise from north of the vector (dx east, dy north), in [0, 360).
double headingDegrees(double dx, double dy);

} // namespace voirie
