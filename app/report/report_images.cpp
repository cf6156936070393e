#include "report_images.hpp"

#include <map>

#include "voirie/core/rating/condition_rating.hpp"
#include "voirie/core/vocabulary/damage_classes.hpp"

#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogr_spatialref.h>

#include <QFont>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <memory>

namespace voirie::report {
namespace {

constexpr int kMapWidth = 1000, kMapHeight = 640;

QColor colourOf(std::string_view hex) { return QColor(QString::fromUtf8(hex.data(), int(hex.size()))); }

struct TransformDeleter {
    void operator()(OGRCoordinateTransformation* t) const { OCTDestroyCoordinateTransformation(t); }
};

// Lon/lat to Web Mercator metres (EPSG:3857), the map's plane.
class WebMercator {
public:
    WebMercator()
    {
        OGRSpatialReference wgs84, mercator;
        wgs84.importFromEPSG(4326);
        wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        mercator.importFromEPSG(3857);
        mercator.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        forward_.reset(OGRCreateCoordinateTransformation(&wgs84, &mercator));
    }
    QPointF operator()(const LonLat& p) const
    {
        double x = p.lon, y = p.lat;
        if (forward_)
            forward_->Transform(1, &x, &y);
        return {x, y};
    }

private:
    std::unique_ptr<OGRCoordinateTransformation, TransformDeleter> forward_;
};

struct MapFrame {
    double x0, y0, x1, y1; // Web Mercator extent
    QPointF toPixel(QPointF m) const
    {
        return {(m.x() - x0) / (x1 - x0) * kMapWidth, (y1 - m.y()) / (y1 - y0) * kMapHeight};
    }
};

// The extent of everything drawn, padded, stretched to the image's aspect ratio.
MapFrame frameFor(const ReportData& data, const WebMercator& mercator)
{
    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    auto grow = [&](const LonLat& p) {
        const QPointF m = mercator(p);
        x0 = std::min(x0, m.x()), x1 = std::max(x1, m.x()), y0 = std::min(y0, m.y()), y1 = std::max(y1, m.y());
    };
    for (const auto& line : data.track)
        for (const auto& p : line)
            grow(p);
    for (const auto& s : data.segments)
        for (const auto& p : s.path)
            grow(p);
    if (x0 > x1)
        x0 = y0 = -100, x1 = y1 = 100;
    const double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    double w = std::max(200.0, (x1 - x0) * 1.15), h = std::max(200.0, (y1 - y0) * 1.15);
    const double aspect = double(kMapWidth) / kMapHeight;
    if (w / h > aspect)
        h = w / aspect;
    else
        w = h * aspect;
    return {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
}

// The basemap warped by GDAL into the map's extent and size, or a null image.
QImage warpedBasemap(const std::filesystem::path& path, const MapFrame& f, std::string* note)
{
    GDALDatasetUniquePtr source(GDALDataset::Open(path.string().c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!source) {
        *note = "basemap " + path.string() + " cannot be read: " + CPLGetLastErrorMsg();
        return {};
    }
    const std::string te[] = {std::to_string(f.x0), std::to_string(f.y0), std::to_string(f.x1), std::to_string(f.y1)};
    const std::string w = std::to_string(kMapWidth), h = std::to_string(kMapHeight);
    const char* args[] = {"-of", "MEM", "-t_srs", "EPSG:3857", "-te", te[0].c_str(), te[1].c_str(), te[2].c_str(),
                          te[3].c_str(), "-ts", w.c_str(), h.c_str(), "-r", "bilinear", "-dstalpha", nullptr};
    std::unique_ptr<GDALWarpAppOptions, decltype(&GDALWarpAppOptionsFree)> options(
        GDALWarpAppOptionsNew(const_cast<char**>(args), nullptr), &GDALWarpAppOptionsFree);
    GDALDatasetH sources[] = {GDALDataset::ToHandle(source.get())};
    int usage_error = 0;
    GDALDatasetUniquePtr warped(GDALDataset::FromHandle(GDALWarp("", nullptr, 1, sources, options.get(), &usage_error)));
    if (!warped || warped->GetRasterCount() < 2) {
        *note = "basemap " + path.string() + " cannot be warped to Web Mercator: " + CPLGetLastErrorMsg();
        return {};
    }
    // Colour (or grey) bands, then the alpha band GDAL adds where the basemap has no data.
    QImage image(kMapWidth, kMapHeight, QImage::Format_RGBA8888);
    const int count = warped->GetRasterCount();
    const int colour_bands = count >= 4 ? 3 : 1;
    for (int b = 0; b < 4; ++b) {
        GDALRasterBand* band = warped->GetRasterBand(b == 3 ? count : (colour_bands == 3 ? b + 1 : 1));
        if (band->RasterIO(GF_Read, 0, 0, kMapWidth, kMapHeight, image.bits() + b, kMapWidth, kMapHeight, GDT_Byte, 4,
                           image.bytesPerLine(), nullptr) != CE_None) {
            *note = "basemap " + path.string() + " cannot be read: " + CPLGetLastErrorMsg();
            return {};
        }
    }
    return image;
}

void drawGrid(QPainter& p)
{
    p.fillRect(0, 0, kMapWidth, kMapHeight, QColor("#f4f1ea"));
    p.setPen(QPen(QColor("#e0dbd0"), 1));
    for (int x = 0; x < kMapWidth; x += 50)
        p.drawLine(x, 0, x, kMapHeight);
    for (int y = 0; y < kMapHeight; y += 50)
        p.drawLine(0, y, kMapWidth, y);
}

void drawScaleBar(QPainter& p, const MapFrame& f, double lat)
{
    const double metres_per_px = (f.x1 - f.x0) / kMapWidth * std::cos(lat * M_PI / 180);
    const double target = metres_per_px * 160;
    const double step = std::pow(10.0, std::floor(std::log10(target)));
    const double metres = target >= 5 * step ? 5 * step : target >= 2 * step ? 2 * step : step;
    const int px = int(metres / metres_per_px);
    const QRect box(kMapWidth - px - 36, kMapHeight - 44, px + 24, 32);
    p.fillRect(box, QColor(255, 255, 255, 220));
    p.setPen(QPen(Qt::black, 2));
    const int x0 = box.left() + 12, y = box.bottom() - 8;
    p.drawLine(x0, y, x0 + px, y);
    p.drawLine(x0, y - 5, x0, y);
    p.drawLine(x0 + px, y - 5, x0 + px, y);
    p.setFont(QFont("DejaVu Sans", 9));
    p.drawText(QRect(x0, box.top() + 2, px, 16), Qt::AlignCenter,
               metres >= 1000 ? QString("%1 km").arg(metres / 1000) : QString("%1 m").arg(metres));
}

QPainterPath mapPath(const MapFrame& frame, const WebMercator& mercator, const std::vector<LonLat>& points)
{
    QPainterPath line;
    for (size_t i = 0; i < points.size(); ++i) {
        const QPointF px = frame.toPixel(mercator(points[i]));
        i ? line.lineTo(px) : line.moveTo(px);
    }
    return line;
}

void drawTrack(QPainter& p, const MapFrame& frame, const WebMercator& mercator, const ReportData& data)
{
    p.setPen(QPen(QColor(60, 60, 60, 200), 3, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    for (const auto& line : data.track)
        p.drawPath(mapPath(frame, mercator, line));
}

// A segment: a coloured line on a white casing, as the QGIS styles draw it.
void drawCasedLine(QPainter& p, const QPainterPath& line, const QColor& colour)
{
    p.setPen(QPen(QColor(255, 255, 255, 230), 11, Qt::SolidLine, Qt::FlatCap, Qt::RoundJoin));
    p.drawPath(line);
    p.setPen(QPen(colour, 7, Qt::SolidLine, Qt::FlatCap, Qt::RoundJoin));
    p.drawPath(line);
}

void drawLegend(QPainter& p, const RatingScheme& scheme)
{
    p.setFont(QFont("DejaVu Sans", 9));
    const int row = 18, width = 250;
    const QRect box(12, kMapHeight - 12 - row * int(scheme.grades.size() + 1) - 8, width,
                    row * int(scheme.grades.size() + 1) + 8);
    p.fillRect(box, QColor(255, 255, 255, 225));
    p.setPen(Qt::black);
    p.drawText(box.left() + 8, box.top() + 16, QString::fromStdString("Grade (" + scheme.name + ")"));
    for (size_t i = 0; i < scheme.grades.size(); ++i) {
        const int y = box.top() + 4 + row * int(i + 1);
        p.fillRect(box.left() + 8, y + 4, 26, 8, colourOf(gradeColour(i, scheme.grades.size())));
        const auto& band = scheme.grades[i];
        p.drawText(box.left() + 42, y + 13, QString::fromStdString(band.grade + "  " + band.label));
    }
}

// Vertical bars with a value axis; `groups` of bars, each bar (value, colour, label below group).
struct Bar {
    double value;
    QColor colour;
};
QImage barChart(const QString& title, const std::vector<std::pair<QString, std::vector<Bar>>>& groups,
                const std::vector<std::pair<QString, QColor>>& legend)
{
    const int width = 900, height = 360, left = 56, bottom = 48, top = 40;
    QImage image(width, height, QImage::Format_RGB888);
    image.fill(Qt::white);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.setFont(QFont("DejaVu Sans", 11, QFont::Bold));
    p.drawText(QRect(0, 6, width, 24), Qt::AlignCenter, title);
    double top_value = 1;
    for (const auto& g : groups)
        for (const auto& b : g.second)
            top_value = std::max(top_value, b.value);
    const double step = std::max(1.0, std::ceil(top_value / 5));
    top_value = step * 5;
    const int plot_h = height - top - bottom, plot_w = width - left - 20;
    p.setFont(QFont("DejaVu Sans", 9));
    for (int i = 0; i <= 5; ++i) {
        const int y = top + plot_h - int(plot_h * i / 5.0);
        p.setPen(QPen(QColor("#dddddd"), 1));
        p.drawLine(left, y, left + plot_w, y);
        p.setPen(Qt::black);
        p.drawText(QRect(0, y - 8, left - 6, 16), Qt::AlignRight | Qt::AlignVCenter, QString::number(step * i));
    }
    const double group_w = double(plot_w) / std::max<size_t>(1, groups.size());
    for (size_t g = 0; g < groups.size(); ++g) {
        const auto& bars = groups[g].second;
        const double bar_w = std::min(60.0, group_w * 0.8 / std::max<size_t>(1, bars.size()));
        const double x0 = left + g * group_w + (group_w - bar_w * bars.size()) / 2;
        for (size_t b = 0; b < bars.size(); ++b) {
            const int h = int(plot_h * bars[b].value / top_value);
            const QRectF r(x0 + b * bar_w + 1, top + plot_h - h, bar_w - 2, h);
            p.fillRect(r, bars[b].colour);
            p.setPen(Qt::black);
            if (bars[b].value > 0)
                p.drawText(QRectF(r.left() - 10, r.top() - 16, r.width() + 20, 14), Qt::AlignCenter,
                           QString::number(bars[b].value));
        }
        p.drawText(QRectF(left + g * group_w, top + plot_h + 6, group_w, 36), Qt::AlignHCenter | Qt::TextWordWrap,
                   groups[g].first);
    }
    int x = left + 8;
    for (const auto& [label, colour] : legend) {
        p.fillRect(x, top - 4, 12, 12, colour);
        p.setPen(Qt::black);
        p.drawText(x + 16, top + 6, label);
        x += 24 + p.fontMetrics().horizontalAdvance(label);
    }
    return image;
}

} // namespace

QImage overviewMap(const ReportData& data, const std::optional<std::filesystem::path>& basemap, std::string* note)
{
    const WebMercator mercator;
    const MapFrame frame = frameFor(data, mercator);
    // A plain background with a grid, the basemap over it where it has data.
    QImage image(kMapWidth, kMapHeight, QImage::Format_RGB888);
    QPainter p(&image);
    drawGrid(p);
    if (basemap)
        if (const QImage tiles = warpedBasemap(*basemap, frame, note); !tiles.isNull())
            p.drawImage(0, 0, tiles);
    p.setRenderHint(QPainter::Antialiasing);
    drawTrack(p, frame, mercator, data);
    for (const auto& s : data.segments)
        drawCasedLine(p, mapPath(frame, mercator, s.path),
                      colourOf(gradeColour(bandIndex(data.scheme, s.grade), data.scheme.grades.size())));
    // Damages as small dots in their class colour, over the segments.
    for (const auto& [id, d] : data.damages) {
        QColor colour("#555555");
        for (const auto& c : kDamageClasses)
            if (c.code == d.class_code)
                colour = colourOf(c.colour);
        p.setPen(QPen(Qt::white, 1));
        p.setBrush(colour);
        p.drawEllipse(frame.toPixel(mercator(d.at)), 3.5, 3.5);
    }
    const double lat = data.track.empty() || data.track[0].empty() ? 0 : data.track[0][0].lat;
    drawScaleBar(p, frame, lat);
    drawLegend(p, data.scheme);
    p.setPen(QPen(QColor("#888888"), 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(0, 0, kMapWidth - 1, kMapHeight - 1);
    return image;
}

QColor changeColour(const std::string& label)
{
    static const std::map<std::string, const char*> colours{
        {"new", "#d7191c"},  {"grown", "#fdae61"}, {"unchanged", "#2c7bb6"}, {"repaired", "#1a9641"},
        {"worse", "#d7191c"}, {"better", "#1a9641"}, {"same", "#2c7bb6"}};
    const auto it = colours.find(label);
    return colourOf(it == colours.end() ? "#999999" : it->second);
}

QImage changeMap(const ReportData& data, const ComparisonRecord& changes)
{
    const WebMercator mercator;
    const MapFrame frame = frameFor(data, mercator);
    QImage image(kMapWidth, kMapHeight, QImage::Format_RGB888);
    QPainter p(&image);
    drawGrid(p);
    p.setRenderHint(QPainter::Antialiasing);
    drawTrack(p, frame, mercator, data);
    for (const auto& s : changes.segments)
        drawCasedLine(p, mapPath(frame, mercator, s.path), changeColour(s.change));
    for (const auto& d : changes.defects) {
        p.setPen(QPen(Qt::black, 1));
        p.setBrush(changeColour(d.change));
        p.drawEllipse(frame.toPixel(mercator(d.at)), 5, 5);
    }
    const double lat = data.track.empty() || data.track[0].empty() ? 0 : data.track[0][0].lat;
    drawScaleBar(p, frame, lat);
    // Legend: segments, then defects.
    const std::vector<std::pair<std::string, bool>> entries{
        {"worse", true}, {"same", true}, {"better", true}, {"not covered", true},
        {"new", false},  {"grown", false}, {"unchanged", false}, {"repaired", false}, {"not covered", false}};
    const int row = 17;
    const QRect box(12, kMapHeight - 12 - row * int(entries.size() + 2) - 8, 230, row * int(entries.size() + 2) + 8);
    p.fillRect(box, QColor(255, 255, 255, 225));
    p.setFont(QFont("DejaVu Sans", 9));
    int y = box.top() + 14;
    for (const auto& [label, segment] : entries) {
        if (segment && label == "worse") {
            p.setPen(Qt::black);
            p.drawText(box.left() + 8, y, "Segment grade since then");
            y += row;
        } else if (!segment && label == "new") {
            p.setPen(Qt::black);
            p.drawText(box.left() + 8, y, "Defect");
            y += row;
        }
        if (segment) {
            p.fillRect(box.left() + 8, y - 8, 26, 7, changeColour(label));
        } else {
            p.setPen(QPen(Qt::black, 1));
            p.setBrush(changeColour(label));
            p.drawEllipse(QPointF(box.left() + 21, y - 4.5), 5, 5);
        }
        p.setPen(Qt::black);
        p.drawText(box.left() + 42, y, QString::fromStdString(label));
        y += row;
    }
    p.setPen(QPen(QColor("#888888"), 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(0, 0, kMapWidth - 1, kMapHeight - 1);
    return image;
}

QImage damageChart(const ReportData& data)
{
    std::vector<std::pair<QString, std::vector<Bar>>> groups;
    for (const auto& c : kDamageClasses) {
        std::array<double, 3> counts{};
        bool any = false;
        for (const auto& [id, d] : data.damages)
            if (d.class_code == c.code) {
                any = true;
                counts[d.severity == "H" ? 2 : d.severity == "M" ? 1 : 0] += 1;
            }
        if (!any && c.code != "D00" && c.code != "D10" && c.code != "D20" && c.code != "D40")
            continue;
        QColor base = colourOf(c.colour);
        std::vector<Bar> bars;
        for (int s = 0; s < 3; ++s) {
            QColor shade = base;
            shade.setAlphaF(0.35 + 0.325 * s);
            bars.push_back({counts[size_t(s)], shade});
        }
        groups.emplace_back(QString::fromUtf8(c.code.data(), int(c.code.size())) + " " +
                                QString::fromUtf8(c.name.data(), int(c.name.size())),
                            bars);
    }
    return barChart("Damages by class and severity", groups,
                    {{"L (light shade)", QColor(90, 90, 90, 90)}, {"M", QColor(90, 90, 90, 170)}, {"H (full colour)", QColor(90, 90, 90)}});
}

QImage gradeChart(const ReportData& data)
{
    std::vector<std::pair<QString, std::vector<Bar>>> groups;
    for (size_t i = 0; i < data.scheme.grades.size(); ++i) {
        const auto& band = data.scheme.grades[i];
        double n = 0;
        for (const auto& s : data.segments)
            n += s.grade == band.grade;
        groups.push_back({QString::fromStdString(band.grade + " " + band.label),
                          {{n, colourOf(gradeColour(i, data.scheme.grades.size()))}}});
    }
    return barChart("Segments by grade (" + QString::fromStdString(data.scheme.name) + ")", groups, {});
}

} // namespace voirie::report
