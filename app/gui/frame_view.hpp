// The frame view: the selected damage's evidence frame with every detection of that frame drawn
// (box, polyline or polygon, class and confidence; the selected damage's own ones emphasised),
// anonymized by default with a toggle for authorised reviewers, and a timeline over the survey's
// sampled frames with play/pause. Falls back to the stored evidence chip when the survey's video
// is not at hand.
#pragma once

#include "frame_source.hpp"
#include "project_data.hpp"

#include <QImage>
#include <QPolygonF>
#include <QWidget>

#include <future>
#include <memory>
#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QTimer;
class QToolButton;

namespace voirie::gui {

// A detection's pixel outline, as the plugin gave it (WKT); empty for a box-only detection.
QPolygonF pixelOutline(const std::string& wkt, bool& closed);

class FrameCanvas : public QWidget {
    Q_OBJECT
public:
    explicit FrameCanvas(QWidget* parent = nullptr);
    void show(QImage image, std::vector<FrameDetection> detections, int64_t highlighted_damage, QString message);
    const std::vector<FrameDetection>& detections() const { return detections_; }
    const QImage& image() const { return image_; }
    // Drawing: a drag on the frame gives a shape (its two ends, in the frame's pixels) instead of
    // selecting.
    void setDrawing(bool on);
    bool drawing() const { return drawing_; }
    QPointF toImage(const QPointF& widget_point) const;
    QPointF toWidget(const QPointF& image_point) const;

Q_SIGNALS:
    // A detection clicked in the frame: its damage (-1 when it was not merged into one).
    void detectionClicked(int64_t damage_id);
    void shapeDrawn(QPointF from, QPointF to);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    QRectF imageRect() const;
    bool drawing_ = false;
    std::optional<QPointF> drag_from_, drag_to_; // frame pixels
    QImage image_;
    std::vector<FrameDetection> detections_;
    int64_t highlighted_ = -1;
    QString message_;
};

class FrameView : public QWidget {
    Q_OBJECT
public:
    explicit FrameView(QWidget* parent = nullptr);
    ~FrameView() override;

    void setProject(const ProjectData* project);
    // Shows the damage's evidence frame (index into the project's damages).
    void showDamage(int damage_index);
    // Shows a sampled frame (index into the project's frames).
    void showFrame(int frame_position);
    // The previous or next frame that saw the damage shown (its detections), which stays shown.
    void stepDamageFrame(int direction);
    int currentFrame() const { return current_frame_; }
    // The frame shown, read again anonymized on this thread (after the worker's load): what a
    // chip is cut from.
    FrameImage readShownFrame();
    FrameImage readFrame(int frame_position); // any frame, alike
    int64_t shownDamageId() const { return damage_id_; }
    bool anonymizing() const;
    void setAnonymizing(bool on);
    bool playing() const;
    void setPlaying(bool on);
    // Frames are decoded and anonymized on a worker thread; the canvas shows one when it is ready.
    bool loading() const;
    void waitForLoad(); // blocks until the frame asked for last is shown
    const FrameCanvas* canvas() const { return canvas_; }

    // "Add a missed damage": the next drag on the frame draws one, of the class chosen beside it.
    void setDrawing(bool on);
    QString drawingClass() const;
    void setDrawingClass(const QString& class_code);

Q_SIGNALS:
    // A damage drawn on the frame shown: its class and the drag's ends in the frame's pixels.
    void damageDrawn(QString class_code, QPointF from, QPointF to);
    void frameChanged(int frame_position);
    void frameShown(int frame_position); // its pixels are on the canvas
    void damageClicked(int64_t damage_id);

private:
    void refresh();

    const ProjectData* project_ = nullptr;
    std::unique_ptr<FrameSource> source_;
    int current_frame_ = -1;
    int64_t damage_id_ = -1;
    std::vector<int64_t> damage_frames_; // frame indices that saw damage_frames_for_
    int64_t damage_frames_for_ = -1;
    FrameCanvas* canvas_;
    QSlider* timeline_;
    QToolButton* play_;
    QLabel* position_;
    QCheckBox* unblurred_;
    QToolButton* draw_;
    QComboBox* draw_class_;
    QTimer* timer_;
    std::future<void> worker_;
    bool loading_ = false, reload_ = false;
};

} // namespace voirie::gui
