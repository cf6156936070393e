// MapCanvas: the map's state (project, basemap, what is shown and selected), the view (zoom,
// pan, screen <-> map), hit-testing and input; what it draws is in map_canvas_painting.cpp.
#include "map_canvas.hpp"

#include "basemap.hpp"
#include "map_style.hpp"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace voirie::gui {

namespace {

constexpr double kMinResolution = 0.005, kMaxResolution = 20000;

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
    surface_.reset();
}

void MapCanvas::setProject(const ProjectData* project)
{
    project_ = project;
    visible_.clear();
    selected_ = -1;
    current_frame_ = -1;
    rebuildIndex();
    changesChanged(); // every symbol and the legend
    if (!view_set_ && project_ && !project_->bounds.empty())
        zoomToTrack();
    update();
}

void MapCanvas::setBasemap(std::unique_ptr<Basemap> basemap)
{
    basemap_ = std::move(basemap);
    basemap_layer_.scaled.clear();
    if (basemap_)
        basemap_->setReadyCallback([this] { QMetaObject::invokeMethod(this, [this] { update(); }, Qt::QueuedConnection); });
    if (!view_set_ && basemap_)
        zoomToRect(basemap_->bounds());
    update();
}

void MapCanvas::setSurface(std::unique_ptr<Basemap> surface)
{
    surface_ = std::move(surface);
    surface_layer_.scaled.clear();
    if (surface_)
        surface_->setReadyCallback([this] { QMetaObject::invokeMethod(this, [this] { update(); }, Qt::QueuedConnection); });
    update();
}

void MapCanvas::setShowSurface(bool show)
{
    show_surface_ = show;
    update();
}

void MapCanvas::setSurfaceOpacity(double opacity)
{
    surface_opacity_ = std::clamp(opacity, 0.0, 1.0);
    update();
}

int MapCanvas::frameThatSaw(const MapPoint& point) const
{
    if (!project_)
        return -1;
    int best = -1;
    double best_forward = 1e300;
    for (size_t i = 0; i < project_->frames.size(); ++i) {
        const FrameRecord& f = project_->frames[i];
        // Web Mercator stretches distances by 1 / cos(latitude): back to metres on the ground.
        const double scale = std::cos(std::atan(std::sinh(f.at.y / 6378137.0)));
        const double dx = (point.x - f.at.x) * scale, dy = (point.y - f.at.y) * scale;
        const double heading = f.heading_deg * M_PI / 180;
        const double forward = dx * std::sin(heading) + dy * std::cos(heading);
        const double aside = dx * std::cos(heading) - dy * std::sin(heading);
        if (forward >= 3 && forward <= 15 && std::abs(aside) <= 4 && forward < best_forward) {
            best_forward = forward;
            best = int(i);
        }
    }
    return best;
}

// A damage's symbol: its class colour, or its change label's when a comparison is attached.
DamageSymbol MapCanvas::symbolOf(int index) const
{
    DamageSymbol symbol = damageSymbol(project_->damages[size_t(index)]);
    if (const std::string label = project_->changeOf(index); !label.empty()) {
        symbol.colour = changeColour(label);
        symbol.fill = symbol.colour;
        symbol.fill.setAlpha(110);
    }
    return symbol;
}

void MapCanvas::damageChanged(int index)
{
    if (project_ && index >= 0 && index < int(symbols_.size()))
        symbols_[size_t(index)] = symbolOf(index);
    if (project_) // a reclassification may add or remove a class
        legend_ = project_->changes ? legendChanges(*project_) : legendClasses(*project_);
    update();
}

void MapCanvas::changesChanged()
{
    symbols_.clear();
    legend_.clear();
    if (project_) {
        symbols_.reserve(project_->damages.size());
        for (size_t i = 0; i < project_->damages.size(); ++i)
            symbols_.push_back(symbolOf(int(i)));
        legend_ = project_->changes ? legendChanges(*project_) : legendClasses(*project_);
    }
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
    else if (surface_ && show_surface_)
        if (const int seen = frameThatSaw(toMap(event->position())); seen >= 0)
            Q_EMIT frameClicked(seen); // a point of the road surface: the frame that saw it nearest
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