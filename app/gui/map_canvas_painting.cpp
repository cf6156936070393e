// MapCanvas, what it draws: the background, the basemap, segments, the track and its frames,
// damages by class and severity, the selection, the scale bar and the legend (split from the
// canvas's state, view and input by concern).
#include "map_canvas.hpp"

#include "basemap.hpp"
#include "map_style.hpp"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace voirie::gui {

namespace {

constexpr int kOccupancyCell = 3; // at low zoom, one symbol per class per 3x3 pixels

// A round length for the scale bar: 1, 2 or 5 times a power of ten, not longer than `max_m`.
double niceLength(double max_m)
{
    const double power = std::pow(10.0, std::floor(std::log10(max_m)));
    for (double step : {5.0, 2.0, 1.0})
        if (step * power <= max_m)
            return step * power;
    return power;
}

// Cohen-Sutherland: the part of segment a-b inside `r`, if any.
bool clipSegment(MapPoint& a, MapPoint& b, const MapRect& r)
{
    auto code = [&](const MapPoint& p) {
        return (p.x < r.min_x ? 1 : 0) | (p.x > r.max_x ? 2 : 0) | (p.y < r.min_y ? 4 : 0) | (p.y > r.max_y ? 8 : 0);
    };
    int ca = code(a), cb = code(b);
    while (true) {
        if ((ca | cb) == 0)
            return true;
        if (ca & cb)
            return false;
        const int out = ca ? ca : cb;
        MapPoint p;
        if (out & 8)
            p = {a.x + (b.x - a.x) * (r.max_y - a.y) / (b.y - a.y), r.max_y};
        else if (out & 4)
            p = {a.x + (b.x - a.x) * (r.min_y - a.y) / (b.y - a.y), r.min_y};
        else if (out & 2)
            p = {r.max_x, a.y + (b.y - a.y) * (r.max_x - a.x) / (b.x - a.x)};
        else
            p = {r.min_x, a.y + (b.y - a.y) * (r.min_x - a.x) / (b.x - a.x)};
        if (out == ca)
            a = p, ca = code(a);
        else
            b = p, cb = code(b);
    }
}

QString lengthText(double metres)
{
    return metres >= 1000 ? QString("%1 km").arg(metres / 1000) : QString("%1 m").arg(metres);
}


} // namespace

std::vector<QPolygonF> MapCanvas::visibleRuns(const std::vector<MapPoint>& line) const
{
    // Clipped to the view (and a margin for pen widths): the raster engine strokes whatever it
    // is given, and a kilometre of track off screen costs as much as one on it.
    MapRect r = viewRect();
    const double margin = 20 * resolution_;
    r = MapRect{r.min_x - margin, r.min_y - margin, r.max_x + margin, r.max_y + margin};
    std::vector<QPolygonF> runs;
    QPolygonF run;
    for (size_t i = 1; i < line.size(); ++i) {
        MapPoint a = line[i - 1], b = line[i];
        const bool whole_a = a.x >= r.min_x && a.x <= r.max_x && a.y >= r.min_y && a.y <= r.max_y;
        if (!clipSegment(a, b, r)) {
            if (run.size() >= 2)
                runs.push_back(std::move(run));
            run.clear();
            continue;
        }
        if (!whole_a || run.isEmpty()) {
            if (run.size() >= 2)
                runs.push_back(std::move(run));
            run.clear();
            run << toScreen(a);
        }
        run << toScreen(b);
    }
    if (run.size() >= 2)
        runs.push_back(std::move(run));
    return runs;
}


void MapCanvas::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    drawBackground(p);
    drawRaster(p, basemap_layer_);
    if (show_surface_ && surface_) {
        p.setOpacity(surface_opacity_);
        drawRaster(p, surface_layer_);
        p.setOpacity(1.0);
    }
    p.setRenderHint(QPainter::Antialiasing, true);
    if (show_segments_)
        drawSegments(p);
    drawTrackAndFrames(p);
    drawDamages(p);
    drawGoneDefects(p);
    drawSelection(p);
    p.setRenderHint(QPainter::Antialiasing, false);
    drawScaleBar(p);
    drawLegend(p);
}

void MapCanvas::drawBackground(QPainter& p)
{
    p.fillRect(rect(), QColor(0xf2, 0xef, 0xe9));
    if (basemap_)
        return;
    // A metric grid, so distances read without a basemap.
    const double step = niceLength(resolution_ * 120);
    const MapRect v = viewRect();
    p.setPen(QPen(QColor(0xdc, 0xd7, 0xcd), 1));
    for (double x = std::floor(v.min_x / step) * step; x <= v.max_x; x += step) {
        const double sx = toScreen(MapPoint{x, 0}).x();
        p.drawLine(QPointF(sx, 0), QPointF(sx, height()));
    }
    for (double y = std::floor(v.min_y / step) * step; y <= v.max_y; y += step) {
        const double sy = toScreen(MapPoint{0, y}).y();
        p.drawLine(QPointF(0, sy), QPointF(width(), sy));
    }
}

void MapCanvas::drawRaster(QPainter& p, RasterLayer& layer)
{
    if (!layer.source)
        return;
    Basemap& raster = *layer.source;
    const int zoom = Basemap::zoomFor(resolution_);
    const double span = Basemap::tileSpan(zoom);
    const double world = Basemap::tileSpan(0) / 2;
    MapRect v = viewRect();
    const MapRect b = raster.bounds();
    v = MapRect{std::max(v.min_x, b.min_x), std::max(v.min_y, b.min_y), std::min(v.max_x, b.max_x),
                std::min(v.max_y, b.max_y)};
    if (v.empty())
        return;
    const int x0 = int(std::floor((v.min_x + world) / span)), x1 = int(std::floor((v.max_x + world) / span));
    const int y0 = int(std::floor((world - v.max_y) / span)), y1 = int(std::floor((world - v.min_y) / span));
    // Tiles are kept scaled to the current resolution, so a repaint at the same zoom (a pan) is
    // a plain blit; a zoom rescales each visible tile once.
    if (layer.scaled_resolution != resolution_) {
        layer.scaled.clear();
        layer.scaled_resolution = resolution_;
    }
    const int side = int(std::ceil(span / resolution_)) + 1; // one pixel of overlap: no seams
    std::vector<quint64> wanted;
    for (int y = y0; y <= y1; ++y)
        for (int x = x0; x <= x1; ++x) {
            const quint64 key = Basemap::key(zoom, x, y);
            const QPointF top_left = toScreen(MapPoint{-world + x * span, world - y * span});
            const QPoint at(int(std::floor(top_left.x())), int(std::floor(top_left.y())));
            if (const QImage* scaled = layer.scaled.object(key)) {
                p.drawImage(at, *scaled);
                continue;
            }
            if (const QImage* tile = raster.tileIfReady(zoom, x, y)) {
                auto* image = new QImage(tile->scaled(side, side, Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
                p.drawImage(at, *image);
                layer.scaled.insert(key, image);
                continue;
            }
            wanted.push_back(key);
            // Until it arrives, the nearest coarser tile stands in, stretched.
            for (int up = 1; up <= 4 && zoom - up >= 0; ++up) {
                const int px = x >> up, py = y >> up, parts = 1 << up;
                if (const QImage* parent = raster.tileIfReady(zoom - up, px, py)) {
                    const double part = 256.0 / parts;
                    const QRectF source((x - px * parts) * part, (y - py * parts) * part, part, part);
                    p.drawImage(QRectF(at, QSizeF(side, side)), *parent, source);
                    break;
                }
            }
        }
    // Tiles nearest the centre first.
    const double cx = (centre_.x + world) / span, cy = (world - centre_.y) / span;
    std::sort(wanted.begin(), wanted.end(), [&](quint64 a, quint64 b) {
        auto distance = [&](quint64 k) {
            const double dx = double((k >> 28) & 0xfffffff) + 0.5 - cx, dy = double(k & 0xfffffff) + 0.5 - cy;
            return dx * dx + dy * dy;
        };
        return distance(a) < distance(b);
    });
    raster.want(std::move(wanted));
}

bool MapCanvas::basemapComplete() const
{
    return (!basemap_ || basemap_->idle()) && (!surface_ || !show_surface_ || surface_->idle());
}

void MapCanvas::drawSegments(QPainter& p)
{
    if (project_ == nullptr)
        return;
    for (const auto& s : project_->segments) {
        if (s.map_path.size() < 2)
            continue;
        QColor c(QString::fromStdString(s.colour));
        c.setAlpha(150);
        p.setPen(QPen(c, 11, Qt::SolidLine, Qt::FlatCap, Qt::RoundJoin));
        for (const auto& run : visibleRuns(s.map_path))
            p.drawPolyline(run);
    }
}

void MapCanvas::drawTrackAndFrames(QPainter& p)
{
    if (project_ == nullptr)
        return;
    p.setPen(QPen(QColor(0x30, 0x30, 0x38), 2.5, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    for (const auto& part : project_->track)
        for (const auto& run : visibleRuns(part))
            p.drawPolyline(run);
    if (resolution_ <= kFramesVisibleBelow) {
        p.setPen(QPen(Qt::white, 1));
        p.setBrush(QColor(0x30, 0x30, 0x38));
        const MapRect v = viewRect();
        for (const auto& f : project_->frames)
            if (f.at.x >= v.min_x && f.at.x <= v.max_x && f.at.y >= v.min_y && f.at.y <= v.max_y)
                p.drawEllipse(toScreen(f.at), 2.5, 2.5);
    }
    if (current_frame_ >= 0 && current_frame_ < int(project_->frames.size())) {
        // The camera: a triangle pointing along the heading.
        const auto& f = project_->frames[size_t(current_frame_)];
        const QPointF at = toScreen(f.at);
        p.save();
        p.translate(at);
        p.rotate(f.heading_deg);
        QPolygonF arrow;
        arrow << QPointF(0, -11) << QPointF(7, 7) << QPointF(0, 3) << QPointF(-7, 7);
        p.setPen(QPen(Qt::white, 1.5));
        p.setBrush(QColor(0x00, 0x7a, 0xcc));
        p.drawPolygon(arrow);
        p.restore();
    }
}

// The old survey's defects this one no longer has (repaired) or did not look at: rings.
void MapCanvas::drawGoneDefects(QPainter& p)
{
    if (project_ == nullptr || !project_->changes)
        return;
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setBrush(Qt::NoBrush);
    const auto& view = *project_->changes;
    for (size_t k = 0; k < view.gone.size(); ++k) {
        const QPointF at = toScreen(view.gone_at[k]);
        if (!rect().adjusted(-10, -10, 10, 10).contains(at.toPoint()))
            continue;
        p.setPen(QPen(changeColour(view.record.defects[size_t(view.gone[k])].change), 3));
        p.drawEllipse(at, 7, 7);
    }
}

void MapCanvas::drawDamages(QPainter& p)
{
    if (project_ == nullptr || cells_.empty())
        return;
    const MapRect v = viewRect();
    const bool shapes = resolution_ <= kShapesVisibleBelow;
    const int occupancy_w = width() / kOccupancyCell + 1, occupancy_h = height() / kOccupancyCell + 1;
    std::vector<uint16_t> occupied(shapes ? 0 : size_t(occupancy_w) * occupancy_h, 0);
    // Damages are bucketed by their centre: reach out for markers and footprints (a long crack's
    // centre may be off screen while part of it is on).
    const double margin = std::max(20 * resolution_, 10.0);
    p.setRenderHint(QPainter::Antialiasing, shapes);
    forEachDamageIn(MapRect{v.min_x - margin, v.min_y - margin, v.max_x + margin, v.max_y + margin}, [&](int i) {
        const auto& d = project_->damages[size_t(i)];
        if (!d.bounds.intersects(v))
            return;
        const DamageSymbol& symbol = symbols_[size_t(i)];
        if (shapes && d.shape != ShapeKind::Point && d.points.size() >= 2) {
            QPolygonF outline;
            outline.reserve(qsizetype(d.points.size()));
            for (const auto& point : d.points)
                outline << toScreen(point);
            p.setPen(QPen(symbol.colour, symbol.line_width, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
            if (d.shape == ShapeKind::Polygon) {
                p.setBrush(symbol.fill);
                p.drawPolygon(outline);
            } else {
                p.setBrush(Qt::NoBrush);
                p.drawPolyline(outline);
            }
            return;
        }
        const QPointF at = toScreen(d.centre);
        if (!shapes) {
            const int ox = int(at.x()) / kOccupancyCell, oy = int(at.y()) / kOccupancyCell;
            if (ox < 0 || oy < 0 || ox >= occupancy_w || oy >= occupancy_h)
                return;
            uint16_t& cell = occupied[size_t(oy) * occupancy_w + ox];
            if (cell & symbol.class_bit)
                return;
            cell |= symbol.class_bit;
        }
        blitDamageMarker(p, at, symbol);
    });
}

void MapCanvas::drawSelection(QPainter& p)
{
    if (project_ == nullptr || selected_ < 0 || selected_ >= int(project_->damages.size()))
        return;
    const auto& d = project_->damages[size_t(selected_)];
    p.setRenderHint(QPainter::Antialiasing, true);
    QRectF box(toScreen(MapPoint{d.bounds.min_x, d.bounds.max_y}), toScreen(MapPoint{d.bounds.max_x, d.bounds.min_y}));
    const QPointF c = box.center();
    const double radius = std::max({box.width(), box.height(), 14.0}) / 2 + 6;
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(QColor(255, 255, 255, 230), 5));
    p.drawEllipse(c, radius, radius);
    p.setPen(QPen(QColor(0x00, 0xb4, 0xff), 2.5));
    p.drawEllipse(c, radius, radius);
    drawDamageMarker(p, toScreen(d.centre), damageSymbol(d));
}

void MapCanvas::drawScaleBar(QPainter& p)
{
    // Web Mercator stretches distances by 1/cos(latitude): measure at the view's latitude.
    double lon, lat;
    fromMercator(centre_, lon, lat);
    const double ground_m_per_px = resolution_ * std::cos(lat * M_PI / 180.0);
    const double length_m = niceLength(ground_m_per_px * 140);
    const double length_px = length_m / ground_m_per_px;
    const QPointF origin(14, height() - 16);
    p.setRenderHint(QPainter::Antialiasing, false);
    p.fillRect(QRectF(origin.x() - 6, origin.y() - 22, length_px + 60, 30), QColor(255, 255, 255, 200));
    p.setPen(QPen(Qt::black, 2));
    p.drawLine(origin, origin + QPointF(length_px, 0));
    p.drawLine(origin, origin + QPointF(0, -6));
    p.drawLine(origin + QPointF(length_px, 0), origin + QPointF(length_px, -6));
    p.drawText(QPointF(origin.x() + length_px + 6, origin.y() + 1), lengthText(length_m));
}

void MapCanvas::drawLegend(QPainter& p)
{
    if (project_ == nullptr)
        return;
    std::vector<std::pair<QString, QColor>> rows = legend_;
    if (show_segments_)
        for (const auto& g : project_->grades)
            rows.emplace_back(QString("Grade %1 — %2").arg(QString::fromStdString(g.grade), QString::fromStdString(g.label)),
                              QColor(QString::fromStdString(g.colour)));
    if (rows.empty())
        return;
    const QFontMetrics fm(font());
    int text_w = 0;
    for (const auto& r : rows)
        text_w = std::max(text_w, fm.horizontalAdvance(r.first));
    const int row_h = fm.height() + 3;
    const QRect box(width() - text_w - 44, 10, text_w + 34, row_h * int(rows.size()) + 10);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setPen(QPen(QColor(0, 0, 0, 60), 1));
    p.setBrush(QColor(255, 255, 255, 225));
    p.drawRoundedRect(box, 4, 4);
    for (size_t i = 0; i < rows.size(); ++i) {
        const int y = box.top() + 5 + int(i) * row_h;
        p.setPen(Qt::NoPen);
        p.setBrush(rows[i].second);
        p.drawRoundedRect(QRect(box.left() + 8, y + 3, 14, row_h - 6), 3, 3);
        p.setPen(Qt::black);
        p.drawText(QRect(box.left() + 28, y, text_w + 4, row_h), Qt::AlignVCenter | Qt::AlignLeft, rows[i].first);
    }
}


} // namespace voirie::gui
