// The map: basemap tiles (or a plain background with a grid), rated segments by grade, the
// track, the sampled frames at high zoom, the current frame, and the damages with their class
// colour, sized by severity. Drawn with QPainter in Web Mercator; damages are bucketed in a grid
// so a repaint touches only what is on screen, and at low zoom each class draws at most one
// symbol per few pixels, so 20,000 damages repaint in a few milliseconds.
#pragma once

#include "map_style.hpp"
#include "project_data.hpp"

#include <QCache>
#include <QImage>
#include <QWidget>

#include <functional>
#include <memory>
#include <vector>

namespace voirie::gui {

class Basemap;

class MapCanvas : public QWidget {
    Q_OBJECT
public:
    explicit MapCanvas(QWidget* parent = nullptr);
    ~MapCanvas() override;

    // The project is not owned; call again (or with nullptr) when it changes.
    void setProject(const ProjectData* project);
    void setBasemap(std::unique_ptr<Basemap> basemap); // nullptr: plain background with a grid
    const Basemap* basemap() const { return basemap_.get(); }
    // The road-surface mosaic (voirie ortho), drawn over the basemap and under everything else.
    void setSurface(std::unique_ptr<Basemap> surface); // nullptr: none
    const Basemap* surface() const { return surface_.get(); }
    void setShowSurface(bool show);
    bool showSurface() const { return show_surface_; }
    void setSurfaceOpacity(double opacity); // 0..1
    double surfaceOpacity() const { return surface_opacity_; }
    // The frame that saw a map point best: it lay 3-15 m ahead of it, at most 4 m aside, nearest
    // first (as the surface mosaic takes it); -1 if none did.
    int frameThatSaw(const MapPoint& point) const;
    // Every basemap and surface tile the last repaint asked for has been rendered (or there is none).
    bool basemapComplete() const;
    // Which damages to draw (e.g. the table's filter); empty = all.
    void setVisibleDamages(std::vector<char> visible);
    void setSelectedDamage(int index); // -1: none
    // A damage was edited (class, severity, review state): its symbol is redrawn.
    void damageChanged(int index);
    void setCurrentFrame(int index);   // index into project frames, -1: none
    int currentFrame() const { return current_frame_; }
    void setShowSegments(bool show);
    // The project's comparison was attached or dropped: damages coloured by change label (or by
    // class again), and the old survey's defects that are gone drawn as rings.
    void changesChanged();
    bool showSegments() const { return show_segments_; }

    void zoomToRect(const MapRect& rect);
    void zoomToTrack();
    void zoomToSelection();
    void centreOn(const MapPoint& p);
    void zoomBy(double factor, QPointF anchor);
    void panBy(QPointF pixels);

    double metresPerPixel() const { return resolution_; }
    MapPoint centre() const { return centre_; }
    QPointF toScreen(const MapPoint& p) const;
    MapPoint toMap(QPointF screen) const;
    // The damage drawn nearest to a screen point, within `tolerance` pixels; -1 if none.
    int damageAt(QPointF screen, double tolerance = 8) const;
    int frameAt(QPointF screen, double tolerance = 6) const;

Q_SIGNALS:
    void damageClicked(int index);
    void frameClicked(int index);
    void cursorMoved(double lon, double lat);

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void rebuildIndex();
    MapRect viewRect() const;
    // The visible damages whose centre lies in `area` (through the grid, not all of them).
    void forEachDamageIn(const MapRect& area, const std::function<void(int)>& visit) const;
    std::vector<QPolygonF> visibleRuns(const std::vector<MapPoint>& line) const;
    bool damageVisible(size_t i) const { return visible_.empty() || visible_[i]; }
    void drawBackground(QPainter& p);
    // Basemap and surface alike: tiles warped to Web Mercator, kept scaled to the resolution.
    struct RasterLayer {
        std::unique_ptr<Basemap> source;
        QCache<quint64, QImage> scaled{400};
        double scaled_resolution = 0;
    };
    void drawRaster(QPainter& p, RasterLayer& layer);
    void drawSegments(QPainter& p);
    void drawTrackAndFrames(QPainter& p);
    void drawDamages(QPainter& p);
    void drawGoneDefects(QPainter& p);
    DamageSymbol symbolOf(int index) const;
    void drawSelection(QPainter& p);
    void drawScaleBar(QPainter& p);
    void drawLegend(QPainter& p);

    const ProjectData* project_ = nullptr;
    RasterLayer basemap_layer_, surface_layer_;
    std::unique_ptr<Basemap>& basemap_ = basemap_layer_.source;
    std::unique_ptr<Basemap>& surface_ = surface_layer_.source;
    bool show_surface_ = true;
    double surface_opacity_ = 1.0;
    std::vector<char> visible_;
    std::vector<DamageSymbol> symbols_; // per damage, computed once, not per repaint
    int selected_ = -1, current_frame_ = -1;
    bool show_segments_ = true;
    MapPoint centre_{0, 0};
    double resolution_ = 1.0; // metres per pixel
    bool view_set_ = false;  // the view shows something chosen (not the default)
    bool auto_fit_ = false;  // the view fits the track until the user moves it

    // Damages bucketed by their centre on a fixed grid over the project's bounds.
    MapRect grid_bounds_;
    int grid_columns_ = 1, grid_rows_ = 1;
    double cell_w_ = 1, cell_h_ = 1;
    std::vector<std::vector<int>> cells_;

    std::vector<std::pair<QString, QColor>> legend_; // classes present, computed when set
    QPointF drag_start_, last_mouse_;
    bool dragging_ = false, dragged_ = false;
};

} // namespace voirie::gui
