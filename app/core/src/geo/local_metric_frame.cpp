#include "voirie/core/geo/local_metric_frame.hpp"

#include <ogr_geometry.h>
#include <ogr_spatialref.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace voirie {

void translate(OGRGeometry& geometry, double dx, double dy)
{
    struct Shift : OGRDefaultGeometryVisitor {
        double dx, dy;
        Shift(double x, double y) : dx(x), dy(y) {}
        using OGRDefaultGeometryVisitor::visit;
        void visit(OGRPoint* p) override { p->setX(p->getX() + dx), p->setY(p->getY() + dy); }
    } shift(dx, dy);
    geometry.accept(&shift);
}

void LocalMetricFrame::TransformDeleter::operator()(OGRCoordinateTransformation* t) const
{
    OGRCoordinateTransformation::DestroyCT(t);
}

LocalMetricFrame::LocalMetricFrame(double origin_lon, double origin_lat)
    : origin_lon_(origin_lon), origin_lat_(origin_lat)
{
    OGRSpatialReference wgs84;
    wgs84.SetWellKnownGeogCS("WGS84");
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER); // lon, lat
    OGRSpatialReference local;
    const std::string proj = "+proj=tmerc +lat_0=" + std::to_string(origin_lat) + " +lon_0=" +
                             std::to_string(origin_lon) + " +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs";
    if (local.importFromProj4(proj.c_str()) != OGRERR_NONE)
        throw std::runtime_error("cannot build a local metric projection around " + std::to_string(origin_lon) +
                                 ", " + std::to_string(origin_lat));
    local.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    forward_.reset(OGRCreateCoordinateTransformation(&wgs84, &local));
    inverse_.reset(OGRCreateCoordinateTransformation(&local, &wgs84));
    if (!forward_ || !inverse_)
        throw std::runtime_error("PROJ cannot transform between WGS 84 and a local metric frame");
}

LocalMetricFrame::~LocalMetricFrame() = default;
LocalMetricFrame::LocalMetricFrame(LocalMetricFrame&&) noexcept = default;
LocalMetricFrame& LocalMetricFrame::operator=(LocalMetricFrame&&) noexcept = default;

MetricPoint LocalMetricFrame::toMetric(double lon, double lat) const
{
    double x = lon, y = lat;
    if (!forward_->Transform(1, &x, &y))
        throw std::runtime_error("cannot project " + std::to_string(lon) + ", " + std::to_string(lat));
    return {x, y};
}

void LocalMetricFrame::toGeographic(const MetricPoint& p, double& lon, double& lat) const
{
    double x = p.x, y = p.y;
    if (!inverse_->Transform(1, &x, &y))
        throw std::runtime_error("cannot unproject a local metric point");
    lon = x;
    lat = y;
}

bool LocalMetricFrame::toMetric(OGRGeometry& geometry) const
{
    return geometry.transform(forward_.get()) == OGRERR_NONE;
}

bool LocalMetricFrame::toGeographic(OGRGeometry& geometry) const
{
    return geometry.transform(inverse_.get()) == OGRERR_NONE;
}

double headingDegrees(double dx, double dy)
{
    double h = std::atan2(dx, dy) * 180.0 / M_PI;
    if (h < 0)
        h += 360.0;
    return h >= 360.0 ? 0.0 : h;
}

} // namespace voirie
