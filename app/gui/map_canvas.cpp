#include "map_canvas.hpp"

#include "basemap.hpp"
#include "map_style.hpp"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace voirie::gui {

namespace {

constexpr double kMinResolution = 0.005, kMaxResolution = 20000;
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

MapCanvas::MapCanvas(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(200, 150);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

MapCanvas::~MapCanvas()
{
    basemap_.reset(); // joins its worker while this widget can still receive its callbacks
}

void MapCanvas::setProject(const ProjectData* project)
{
    project_ = project;
    visible_.clear();
    selected_ = -1;
    current_frame_ = -1;
    rebuildIndex();
    symbols_.clear();
    if (project_)
        for (const auto& d : project_->damages)
            symbols_.push_back(damageSymbol(d));
    legend_ = project_ ? legendClasses(*project_) : decltype(legend_){};
    if (!view_set_ && project_ && !project_->bounds.empty())
        zoomToTrack();
    update();
}

void MapCanvas::setBasemap(std::unique_ptr<Basemap> basemap)
{
    basemap_ = std::move(basemap);
    scaled_tiles_.clear();
    if (basemap_)
        basemap_->setReadyCallback([this] { QMetaObject::invokeMethod(this, [this] { update(); }, Qt::QueuedConnection); });
    if (!view_set_ && basemap_)
        zoomToRect(basemap_->bounds());
    update();
}

void MapCanvas::damageChanged(int index)
{
    if (project_ && index >= 0 && index < int(symbols_.size()))
        symbols_[size_t(index)] = damageSymbol(project_->damages[size_t(index)]);
    if (project_)
        legend_ = legendClasses(*project_); // a reclassification may add or remove a class
    update();
}

void MapCanvas::setVisibleDamages(std::vector<char> visible)
{
    visible_ = std::move(visible);
    update();
}

void MapCanvas::setSelectedDamage(int index)
{
    if (index == selected_)
        return;
    selected_ = index;
    update();
}

void MapCanvas::setCurrentFrame(int index)
{
    if (index == current_frame_)
        return;
    current_frame_ = index;
    update();
}

void MapCanvas::setShowSegments(bool show)
{
    show_segments_ = show;
    update();
}

void MapCanvas::rebuildIndex()
{
    cells_.clear();
    grid_bounds_ = MapRect{};
    if (project_ == nullptr || project_->damages.empty())
        return;
    for (const auto& d : project_->damages)
        grid_bounds_.extend(d.centre);
    // About 16 damages per cell, at most 512 cells a side.
    const int side = std::clamp(int(std::sqrt(double(project_->damages.size()) / 16.0)), 1, 512);
    grid_columns_ = grid_rows_ = side;
    cell_w_ = std::max(1e-6, (grid_bounds_.max_x - grid_bounds_.min_x) / side);
    cell_h_ = std::max(1e-6, (grid_bounds_.max_y - grid_bounds_.min_y) / side);
    cells_.assign(size_t(side) * side, {});
    for (size_t i = 0; i < project_->damages.size(); ++i) {
        const auto& c = project_->damages[i].centre;
        const int col = std::clamp(int((c.x - grid_bounds_.min_x) / cell_w_), 0, side - 1);
        const int row = std::clamp(int((c.y - grid_bounds_.min_y) / cell_h_), 0, side - 1);
        cells_[size_t(row) * side + col].push_back(int(i));
    }
}

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

QPointF MapCanvas::toScreen(const MapPoint& p) const
{
    return {(p.x - centre_.x) / resolution_ + width() / 2.0, height() / 2.0 - (p.y - centre_.y) / resolution_};
}

MapPoint MapCanvas::toMap(QPointF s) const
{
    return {centre_.x + (s.x() - width() / 2.0) * resolution_, centre_.y - (s.y() - height() / 2.0) * resolution_};
}

void MapCanvas::forEachDamageIn(const MapRect& area, const std::function<void(int)>& visit) const
{
    if (project_ == nullptr || cells_.empty())
        return;
    const int c0 = std::max(0, int(std::floor((area.min_x - grid_bounds_.min_x) / cell_w_)));
    const int c1 = std::min(grid_columns_ - 1, int(std::floor((area.max_x - grid_bounds_.min_x) / cell_w_)));
    const int r0 = std::max(0, int(std::floor((area.min_y - grid_bounds_.min_y) / cell_h_)));
    const int r1 = std::min(grid_rows_ - 1, int(std::floor((area.max_y - grid_bounds_.min_y) / cell_h_)));
    for (int row = r0; row <= r1; ++row)
        for (int col = c0; col <= c1; ++col)
            for (int i : cells_[size_t(row) * grid_columns_ + col])
                if (damageVisible(size_t(i)))
                    visit(i);
}

MapRect MapCanvas::viewRect() const
{
    MapRect r;
    r.extend(toMap(QPointF(0, 0)));
    r.extend(toMap(QPointF(width(), height())));
    return r;
}

void MapCanvas::zoomToRect(const MapRect& rect)
{
    if (rect.empty())
        return;
    view_set_ = true;
    auto_fit_ = false;
    centre_ = rect.centre();
    const double w = std::max(rect.max_x - rect.min_x, 20.0), h = std::max(rect.max_y - rect.min_y, 20.0);
    resolution_ = std::clamp(std::max(w / std::max(width() - 40, 50), h / std::max(height() - 40, 50)),
                             kMinResolution, kMaxResolution);
    update();
}

void MapCanvas::zoomToTrack()
{
    if (project_ == nullptr)
        return;
    zoomToRect(project_->bounds);
    auto_fit_ = true;
}

void MapCanvas::zoomToSelection()
{
    if (project_ == nullptr || selected_ < 0)
        return;
    MapRect r = project_->damages[size_t(selected_)].bounds;
    const MapPoint c = r.centre();
    r.extend(MapPoint{c.x - 15, c.y - 15}); // at least 30 m across, so the road around shows
    r.extend(MapPoint{c.x + 15, c.y + 15});
    zoomToRect(r);
}

void MapCanvas::centreOn(const MapPoint& p)
{
    view_set_ = true;
    auto_fit_ = false;
    centre_ = p;
    update();
}

void MapCanvas::zoomBy(double factor, QPointF anchor)
{
    const MapPoint before = toMap(anchor);
    resolution_ = std::clamp(resolution_ / factor, kMinResolution, kMaxResolution);
    const MapPoint after = toMap(anchor);
    centre_.x += before.x - after.x;
    centre_.y += before.y - after.y;
    view_set_ = true;
    auto_fit_ = false;
    update();
}

void MapCanvas::panBy(QPointF pixels)
{
    centre_.x -= pixels.x() * resolution_;
    centre_.y += pixels.y() * resolution_;
    view_set_ = true;
    auto_fit_ = false;
    update();
}

int MapCanvas::damageAt(QPointF screen, double tolerance) const
{
    if (project_ == nullptr || cells_.empty())
        return -1;
    const MapPoint at = toMap(screen);
    const double reach = tolerance * resolution_;
    int best = -1;
    double best_d2 = 1e300;
    forEachDamageIn(MapRect{at.x - reach, at.y - reach, at.x + reach, at.y + reach}, [&](int i) {
        const auto& d = project_->damages[size_t(i)];
        // Distance to the footprint's box, so long cracks are hit anywhere along them.
        const double dx = std::max({d.bounds.min_x - at.x, 0.0, at.x - d.bounds.max_x});
        const double dy = std::max({d.bounds.min_y - at.y, 0.0, at.y - d.bounds.max_y});
        const double cx = d.centre.x - at.x, cy = d.centre.y - at.y;
        const double d2 = std::min(dx * dx + dy * dy, cx * cx + cy * cy);
        if (d2 <= reach * reach && d2 < best_d2) {
            best_d2 = d2;
            best = i;
        }
    });
    return best;
}

int MapCanvas::frameAt(QPointF screen, double tolerance) const
{
    if (project_ == nullptr || resolution_ > kFramesVisibleBelow)
        return -1;
    int best = -1;
    double best_d = tolerance;
    for (size_t i = 0; i < project_->frames.size(); ++i) {
        const QPointF s = toScreen(project_->frames[i].at);
        if (const double d = std::hypot(s.x() - screen.x(), s.y() - screen.y()); d <= best_d) {
            best_d = d;
            best = int(i);
        }
    }
    return best;
}

void MapCanvas::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    drawBackground(p);
    drawBasemap(p);
    p.setRenderHint(QPainter::Antialiasing, true);
    if (show_segments_)
        drawSegments(p);
    drawTrackAndFrames(p);
    drawDamages(p);
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

void MapCanvas::drawBasemap(QPainter& p)
{
    if (!basemap_)
        return;
    const int zoom = Basemap::zoomFor(resolution_);
    const double span = Basemap::tileSpan(zoom);
    const double world = Basemap::tileSpan(0) / 2;
    MapRect v = viewRect();
    const MapRect b = basemap_->bounds();
    v = MapRect{std::max(v.min_x, b.min_x), std::max(v.min_y, b.min_y), std::min(v.max_x, b.max_x),
                std::min(v.max_y, b.max_y)};
    if (v.empty())
        return;
    const int x0 = int(std::floor((v.min_x + world) / span)), x1 = int(std::floor((v.max_x + world) / span));
    const int y0 = int(std::floor((world - v.max_y) / span)), y1 = int(std::floor((world - v.min_y) / span));
    // Tiles are kept scaled to the current resolution, so a repaint at the same zoom (a pan) is
    // a plain blit; a zoom rescales each visible tile once.
    if (scaled_resolution_ != resolution_) {
        scaled_tiles_.clear();
        scaled_resolution_ = resolution_;
    }
    const int side = int(std::ceil(span / resolution_)) + 1; // one pixel of overlap: no seams
    std::vector<quint64> wanted;
    for (int y = y0; y <= y1; ++y)
        for (int x = x0; x <= x1; ++x) {
            const quint64 key = Basemap::key(zoom, x, y);
            const QPointF top_left = toScreen(MapPoint{-world + x * span, world - y * span});
            const QPoint at(int(std::floor(top_left.x())), int(std::floor(top_left.y())));
            if (const QImage* scaled = scaled_tiles_.object(key)) {
                p.drawImage(at, *scaled);
                continue;
            }
            if (const QImage* tile = basemap_->tileIfReady(zoom, x, y)) {
                auto* image = new QImage(tile->scaled(side, side, Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
                p.drawImage(at, *image);
                scaled_tiles_.insert(key, image);
                continue;
            }
            wanted.push_back(key);
            // Until it arrives, the nearest coarser tile stands in, stretched.
            for (int up = 1; up <= 4 && zoom - up >= 0; ++up) {
                const int px = x >> up, py = y >> up, parts = 1 << up;
                if (const QImage* parent = basemap_->tileIfReady(zoom - up, px, py)) {
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
    basemap_->want(std::move(wanted));
}

bool MapCanvas::basemapComplete() const { return !basemap_ || basemap_->idle(); }

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

void MapCanvas::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    zoomBy(std::pow(1.25, steps), event->position());
    event->accept();
}

void MapCanvas::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton) {
        dragging_ = true;
        dragged_ = false;
        drag_start_ = last_mouse_ = event->position();
    }
}

void MapCanvas::mouseMoveEvent(QMouseEvent* event)
{
    if (dragging_) {
        const QPointF delta = event->position() - last_mouse_;
        if ((event->position() - drag_start_).manhattanLength() > 3)
            dragged_ = true;
        if (dragged_)
            panBy(delta);
        last_mouse_ = event->position();
    }
    double lon, lat;
    fromMercator(toMap(event->position()), lon, lat);
    Q_EMIT cursorMoved(lon, lat);
}

void MapCanvas::mouseReleaseEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || !dragging_)
        return;
    dragging_ = false;
    if (dragged_)
        return;
    if (const int d = damageAt(event->position()); d >= 0)
        Q_EMIT damageClicked(d);
    else if (const int f = frameAt(event->position()); f >= 0)
        Q_EMIT frameClicked(f);
}

void MapCanvas::keyPressEvent(QKeyEvent* event)
{
    const double step = std::min(width(), height()) / 4.0;
    switch (event->key()) {
    case Qt::Key_Left: panBy(QPointF(step, 0)); break;
    case Qt::Key_Right: panBy(QPointF(-step, 0)); break;
    case Qt::Key_Up: panBy(QPointF(0, step)); break;
    case Qt::Key_Down: panBy(QPointF(0, -step)); break;
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomBy(1.5, rect().center()); break;
    case Qt::Key_Minus: zoomBy(1 / 1.5, rect().center()); break;
    case Qt::Key_Home: zoomToTrack(); break;
    default: QWidget::keyPressEvent(event); return;
    }
    event->accept();
}

void MapCanvas::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    if ((auto_fit_ || !view_set_) && project_)
        zoomToTrack();
}

} // namespace voirie::gui
