#include "surface_strip.hpp"

#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/vocabulary/damage_classes.hpp"

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <opencv2/imgproc.hpp>

#include <QFont>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace voirie::report {
namespace {

constexpr double kAcrossM = 12.0; // road shown across the strip
constexpr double kMarginM = 2.0;  // beyond the segment's ends

QColor classColour(const std::string& code)
{
    for (const auto& c : kDamageClasses)
        if (c.code == code)
            return QColor(QString::fromUtf8(c.colour.data(), int(c.colour.size())));
    return QColor("#999999");
}

} // namespace

QImage surfaceStrip(const std::filesystem::path& surface, const ReportData& data, const ReportSegment& segment, int width_px,
                    std::string* why)
{
    auto no = [&](const std::string& reason) {
        if (why)
            *why = reason;
        return QImage();
    };
    if (segment.path.size() < 2)
        return no("the segment has no line");
    GDALAllRegister();
    GdalErrorTrap trap;
    GDALDatasetUniquePtr ds(GDALDataset::Open(surface.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    double gt[6];
    if (!ds || ds->GetRasterCount() < 3 || !ds->GetSpatialRef() || ds->GetGeoTransform(gt) != CE_None || gt[2] != 0 || gt[4] != 0)
        return no("the surface " + surface.string() + " cannot be read");
    const CoordinateTransform to_crs = makeTransform(wgs84LonLat(), *ds->GetSpatialRef());
    if (!to_crs)
        return no("the surface's CRS cannot be reached from WGS 84");
    auto project = [&](const GeoPosition& p) {
        double x = p.lon, y = p.lat;
        to_crs->Transform(1, &x, &y);
        return cv::Point2d(x, y);
    };

    // The strip: from the segment's first point to its last, 12 m across.
    const cv::Point2d a = project(segment.path.front()), b = project(segment.path.back());
    const double along = std::hypot(b.x - a.x, b.y - a.y) + 2 * kMarginM;
    if (along < 3)
        return no("the segment is too short to show");
    const double metres_per_px = along / width_px;
    const int height_px = int(std::lround(kAcrossM / metres_per_px));
    const cv::Point2d centre = (a + b) * 0.5;
    const double angle = std::atan2(b.y - a.y, b.x - a.x); // from east, counter-clockwise

    // Read the box around the strip at the strip's resolution (GDAL takes an overview for it).
    const double half_diagonal = 0.5 * std::hypot(along, kAcrossM);
    const double x0 = centre.x - half_diagonal, y1 = centre.y + half_diagonal;
    int col = int(std::floor((x0 - gt[0]) / gt[1])), row = int(std::floor((y1 - gt[3]) / gt[5]));
    int side = int(std::ceil(2 * half_diagonal / gt[1]));
    const cv::Rect box = cv::Rect(col, row, side, side) & cv::Rect(0, 0, ds->GetRasterXSize(), ds->GetRasterYSize());
    if (box.empty())
        return no("the surface does not cover this segment");
    const cv::Size read(std::max(1, int(std::lround(box.width * gt[1] / metres_per_px))),
                        std::max(1, int(std::lround(box.height * gt[1] / metres_per_px))));
    cv::Mat planes[4];
    for (int band = 0; band < 4; ++band) {
        planes[band].create(read, CV_8U);
        GDALRasterBand* source = band < 3 ? ds->GetRasterBand(band + 1) : ds->GetRasterBand(1)->GetMaskBand();
        GDALRasterIOExtraArg extra;
        INIT_RASTERIO_EXTRA_ARG(extra);
        extra.eResampleAlg = GRIORA_Average;
        if (source->RasterIO(GF_Read, box.x, box.y, box.width, box.height, planes[band].data, read.width, read.height, GDT_Byte,
                             0, 0, &extra) != CE_None)
            return no("the surface " + surface.string() + " cannot be read: " + trap.reason());
    }
    // Pavement over white.
    cv::Mat rgb;
    cv::merge(planes, 3, rgb);
    cv::Mat white(rgb.size(), CV_8UC3, cv::Scalar::all(255));
    rgb.copyTo(white, planes[3]);

    // CRS -> read-box pixel, then turned so that the segment runs left to right, centred.
    const double read_res = box.width * gt[1] / read.width;
    auto toBox = [&](const cv::Point2d& p) {
        return cv::Point2d((p.x - (gt[0] + box.x * gt[1])) / read_res, ((gt[3] + box.y * gt[5]) - p.y) / read_res);
    };
    const cv::Point2d c = toBox(centre);
    cv::Mat turn = cv::getRotationMatrix2D(c, -angle * 180 / M_PI, 1.0); // image y is down: turning by -angle aligns it
    turn.at<double>(0, 2) += width_px / 2.0 - c.x;
    turn.at<double>(1, 2) += height_px / 2.0 - c.y;
    cv::Mat strip;
    cv::warpAffine(white, strip, turn, {width_px, height_px}, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(255));
    cv::Mat rgba;
    cv::cvtColor(strip, rgba, cv::COLOR_RGB2RGBA);
    QImage image(rgba.data, rgba.cols, rgba.rows, int(rgba.step), QImage::Format_RGBA8888);
    image = image.copy();
    if (cv::countNonZero(planes[3]) == 0)
        return no("the surface does not cover this segment");

    // The segment's damages, ringed in their class colour with their number.
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    QFont font = p.font();
    font.setPixelSize(std::max(11, height_px / 12));
    font.setBold(true);
    p.setFont(font);
    const double radius = std::max(6.0, 0.6 / metres_per_px);
    for (const auto id : segment.damage_ids) {
        const auto it = data.damages.find(id);
        if (it == data.damages.end())
            continue;
        const cv::Point2d at = toBox(project(it->second.at));
        const double x = turn.at<double>(0, 0) * at.x + turn.at<double>(0, 1) * at.y + turn.at<double>(0, 2);
        const double y = turn.at<double>(1, 0) * at.x + turn.at<double>(1, 1) * at.y + turn.at<double>(1, 2);
        if (x < 0 || x >= width_px || y < 0 || y >= height_px)
            continue;
        p.setPen(QPen(classColour(it->second.class_code), 3));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(QPointF(x, y), radius, radius);
        p.setPen(QPen(Qt::black));
        p.drawText(QPointF(x + radius + 2, y - radius), "#" + QString::number(id));
    }
    // North is wherever the road goes: a scale bar says how long.
    const double bar_m = along > 60 ? 10 : along > 20 ? 5 : 1;
    p.setPen(QPen(Qt::black, 2));
    p.drawLine(QPointF(10, height_px - 10), QPointF(10 + bar_m / metres_per_px, height_px - 10));
    p.drawText(QPointF(14 + bar_m / metres_per_px, height_px - 6), QString("%1 m").arg(bar_m));
    return image;
}

} // namespace voirie::report
