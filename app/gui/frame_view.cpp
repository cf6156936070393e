#include "frame_view.hpp"

#include "map_style.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QSlider>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <ogr_geometry.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <ctime>

namespace voirie::gui {

namespace {

QImage toQImage(const cv::Mat& bgr)
{
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return QImage(rgb.data, rgb.cols, rgb.rows, int(rgb.step), QImage::Format_RGB888).copy();
}

} // namespace

QPolygonF pixelOutline(const std::string& wkt, bool& closed)
{
    QPolygonF out;
    closed = false;
    if (wkt.empty())
        return out;
    OGRGeometry* g = nullptr;
    const char* text = wkt.c_str();
    if (OGRGeometryFactory::createFromWkt(text, nullptr, &g) != OGRERR_NONE || g == nullptr)
        return out;
    std::unique_ptr<OGRGeometry> owned(g);
    const OGRLineString* line = nullptr;
    if (wkbFlatten(g->getGeometryType()) == wkbLineString)
        line = g->toLineString();
    else if (wkbFlatten(g->getGeometryType()) == wkbPolygon) {
        line = g->toPolygon()->getExteriorRing();
        closed = true;
    }
    if (line != nullptr)
        for (int i = 0; i < line->getNumPoints(); ++i)
            out << QPointF(line->getX(i), line->getY(i));
    return out;
}

namespace {

QString utcText(double unix_seconds)
{
    const time_t t = time_t(unix_seconds);
    struct tm utc {};
    gmtime_r(&t, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
    return QString::fromLatin1(text) + " UTC";
}

} // namespace

FrameCanvas::FrameCanvas(QWidget* parent) : QWidget(parent)
{
    setMinimumSize(320, 180);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void FrameCanvas::show(QImage image, std::vector<FrameDetection> detections, int64_t highlighted, QString message)
{
    image_ = std::move(image);
    detections_ = std::move(detections);
    highlighted_ = highlighted;
    message_ = std::move(message);
    update();
}

void FrameCanvas::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), QColor(0x22, 0x22, 0x26));
    if (image_.isNull()) {
        p.setPen(QColor(0xcc, 0xcc, 0xcc));
        p.drawText(rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap,
                   message_.isEmpty() ? QString("Select a damage or a frame") : message_);
        return;
    }
    // The image fitted to the widget; detections drawn in the same transform.
    const QRectF shown = imageRect();
    const double scale = shown.width() / image_.width();
    const QPointF origin = shown.topLeft();
    p.setRenderHint(QPainter::SmoothPixmapTransform, true);
    p.drawImage(shown, image_);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.save();
    p.translate(origin);
    p.scale(scale, scale);
    for (const auto& d : detections_) {
        const bool mine = highlighted_ >= 0 && d.damage_id == highlighted_;
        QColor colour = classColour(d.class_code);
        if (!mine && highlighted_ >= 0)
            colour.setAlpha(150);
        const double pen = (mine ? 3.5 : 2.0) / scale;
        bool closed = false;
        const QPolygonF outline = pixelOutline(d.pixel_wkt, closed);
        const QRectF box(d.box_x, d.box_y, d.box_width, d.box_height);
        p.setBrush(Qt::NoBrush);
        if (!outline.isEmpty()) {
            p.setPen(QPen(colour, pen, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
            QColor fill = colour;
            fill.setAlpha(mine ? 70 : 35);
            if (closed) {
                p.setBrush(fill);
                p.drawPolygon(outline);
            } else {
                p.drawPolyline(outline);
            }
            p.setBrush(Qt::NoBrush);
            p.setPen(QPen(colour, 1 / scale, Qt::DashLine));
            p.drawRect(box);
        } else {
            p.setPen(QPen(colour, pen));
            p.drawRect(box);
        }
        if (mine) {
            // A ring around the reviewed damage, at least 40 screen pixels across: a far crack
            // is a few pixels wide and must still be found at a glance.
            const double r = std::max(std::max(box.width(), box.height()) / 2 + 8 / scale, 20 / scale);
            p.setBrush(Qt::NoBrush);
            p.setPen(QPen(QColor(255, 255, 255, 200), 4 / scale));
            p.drawEllipse(box.center(), r, r);
            p.setPen(QPen(QColor(0x00, 0xb4, 0xff), 2 / scale));
            p.drawEllipse(box.center(), r, r);
        }
        // The label: class and confidence, on a tab above the box.
        const QString label = QString("%1 %2").arg(QString::fromStdString(d.class_code)).arg(d.confidence, 0, 'f', 2);
        QFont font = p.font();
        font.setPointSizeF(9 / scale);
        font.setBold(mine);
        p.setFont(font);
        const QFontMetricsF fm(font);
        const QRectF tab(box.left(), box.top() - fm.height() - 2 / scale, fm.horizontalAdvance(label) + 6 / scale,
                         fm.height() + 2 / scale);
        p.fillRect(tab, colour);
        p.setPen(Qt::white);
        p.drawText(tab, Qt::AlignCenter, label);
    }
    if (drag_from_ && drag_to_) { // the shape being drawn: a box, or a line for a crack
        p.setPen(QPen(QColor(255, 255, 255), 2 / scale, Qt::DashLine));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRectF(*drag_from_, *drag_to_).normalized());
        p.drawLine(*drag_from_, *drag_to_);
    }
    p.restore();
    if (drawing_) { // the mode must be plain to see: a frame around the image, the gesture said
        p.setPen(QPen(QColor(0xff, 0xd2, 0x7a), 3));
        p.setBrush(Qt::NoBrush);
        p.drawRect(shown.adjusted(1.5, 1.5, -1.5, -1.5));
        const QRect band(0, 0, width(), 26);
        p.fillRect(band, QColor(0, 0, 0, 190));
        p.setPen(QColor(0xff, 0xd2, 0x7a));
        const QString hint = "Draw the missed damage: drag a box (pothole, alligator) or a line (crack)";
        p.drawText(band.adjusted(8, 0, -8, 0), Qt::AlignVCenter | Qt::AlignLeft,
                   p.fontMetrics().elidedText(hint, Qt::ElideRight, band.width() - 16));
    }
    if (!message_.isEmpty()) {
        const QRect band(0, height() - 26, width(), 26);
        p.fillRect(band, QColor(0, 0, 0, 170));
        p.setPen(QColor(0xff, 0xd2, 0x7a));
        p.drawText(band.adjusted(8, 0, -8, 0), Qt::AlignVCenter | Qt::AlignLeft, message_);
    }
}

QRectF FrameCanvas::imageRect() const
{
    const double scale = std::min(width() / double(image_.width()), height() / double(image_.height()));
    const QSizeF shown(image_.width() * scale, image_.height() * scale);
    return {QPointF((width() - shown.width()) / 2, (height() - shown.height()) / 2), shown};
}

void FrameCanvas::setDrawing(bool on)
{
    drawing_ = on;
    drag_from_.reset(), drag_to_.reset();
    setCursor(on ? Qt::CrossCursor : Qt::ArrowCursor);
    update();
}

QPointF FrameCanvas::toImage(const QPointF& widget_point) const
{
    const QRectF shown = imageRect();
    return (widget_point - shown.topLeft()) / (shown.width() / image_.width());
}

QPointF FrameCanvas::toWidget(const QPointF& image_point) const
{
    const QRectF shown = imageRect();
    return shown.topLeft() + image_point * (shown.width() / image_.width());
}

void FrameCanvas::mouseMoveEvent(QMouseEvent* event)
{
    if (drawing_ && drag_from_) {
        drag_to_ = toImage(event->position());
        update();
    }
}

void FrameCanvas::mouseReleaseEvent(QMouseEvent* event)
{
    if (!drawing_ || !drag_from_ || image_.isNull())
        return;
    const QPointF from = *drag_from_, to = toImage(event->position());
    drag_from_.reset(), drag_to_.reset();
    update();
    if (QLineF(from, to).length() >= 4) // a click is no shape
        Q_EMIT shapeDrawn(from, to);
}

void FrameCanvas::mousePressEvent(QMouseEvent* event)
{
    if (image_.isNull())
        return;
    if (drawing_) {
        drag_from_ = drag_to_ = toImage(event->position());
        return;
    }
    const QRectF shown = imageRect();
    const double scale = shown.width() / image_.width();
    const QPointF at = (event->position() - shown.topLeft()) / scale;
    // The smallest box under the click: a pothole inside a crack network wins.
    const FrameDetection* hit = nullptr;
    for (const auto& d : detections_)
        if (QRectF(d.box_x, d.box_y, d.box_width, d.box_height).adjusted(-4, -4, 4, 4).contains(at) &&
            (hit == nullptr || d.box_width * d.box_height < hit->box_width * hit->box_height))
            hit = &d;
    if (hit != nullptr && hit->damage_id >= 0)
        Q_EMIT detectionClicked(hit->damage_id);
}

FrameView::FrameView(QWidget* parent) : QWidget(parent)
{
    canvas_ = new FrameCanvas(this);
    timeline_ = new QSlider(Qt::Horizontal, this);
    timeline_->setEnabled(false);
    timeline_->setToolTip("The survey's sampled frames; the camera's position shows on the map");
    play_ = new QToolButton(this);
    play_->setText("▶");
    play_->setToolTip("Play / pause through the sampled frames (Space)");
    play_->setCheckable(true);
    position_ = new QLabel(this);
    position_->setMinimumWidth(220);
    unblurred_ = new QCheckBox("Show unblurred (authorised reviewers)", this);
    unblurred_->setToolTip("Faces and number plates are blurred by default. Untick only if you are authorised "
                           "to see personal data.");
    timer_ = new QTimer(this);
    timer_->setInterval(250);

    auto* controls = new QHBoxLayout;
    controls->addWidget(play_);
    controls->addWidget(timeline_, 1);
    controls->addWidget(position_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(canvas_, 1);
    layout->addLayout(controls);
    draw_ = new QToolButton(this);
    draw_->setText("✎ Add a missed damage");
    draw_->setCheckable(true);
    draw_->setToolTip("Drag on the frame: a box for a pothole or an alligator area, a line from end to end for a "
                      "crack; it is projected to the road and measured like any damage (D)");
    draw_class_ = new QComboBox(this);
    for (const char* code : {"D40", "D20", "D00", "D10"})
        draw_class_->addItem(QString("%1 %2").arg(code, className(code)), code);
    auto* drawing = new QHBoxLayout;
    drawing->addWidget(draw_);
    drawing->addWidget(draw_class_);
    drawing->addStretch(1);
    layout->addLayout(drawing);
    layout->addWidget(unblurred_);
    connect(draw_, &QToolButton::toggled, this, &FrameView::setDrawing);
    connect(canvas_, &FrameCanvas::shapeDrawn, this, [this](QPointF from, QPointF to) {
        setDrawing(false);
        Q_EMIT damageDrawn(drawingClass(), from, to);
    });

    connect(timeline_, &QSlider::valueChanged, this, [this](int value) {
        if (value == current_frame_)
            return;
        current_frame_ = value;
        damage_id_ = -1;
        refresh();
        Q_EMIT frameChanged(value);
    });
    connect(canvas_, &FrameCanvas::detectionClicked, this, &FrameView::damageClicked);
    connect(play_, &QToolButton::toggled, this, &FrameView::setPlaying);
    connect(timer_, &QTimer::timeout, this, [this] {
        if (loading_)
            return; // playback goes no faster than frames can be decoded and anonymized
        if (timeline_->value() >= timeline_->maximum())
            setPlaying(false);
        else
            timeline_->setValue(timeline_->value() + 1);
    });
    connect(unblurred_, &QCheckBox::toggled, this, [this](bool on) {
        if (on && QMessageBox::warning(this, "Show unblurred frames",
                                       "Unblurred frames show faces and number plates: personal data. Show them "
                                       "only if you are authorised to, and never share screenshots of them.",
                                       QMessageBox::Ok | QMessageBox::Cancel) != QMessageBox::Ok) {
            QSignalBlocker block(unblurred_);
            unblurred_->setChecked(false);
            return;
        }
        refresh();
    });
}

FrameView::~FrameView()
{
    if (worker_.valid())
        worker_.wait();
}

void FrameView::setProject(const ProjectData* project)
{
    setPlaying(false);
    waitForLoad(); // the worker reads the project being replaced
    reload_ = false;
    project_ = project;
    source_ = project ? std::make_unique<FrameSource>(project) : nullptr;
    current_frame_ = -1;
    damage_id_ = -1;
    damage_frames_for_ = -1;
    {
        QSignalBlocker block(timeline_);
        timeline_->setRange(0, project && !project->frames.empty() ? int(project->frames.size()) - 1 : 0);
        timeline_->setValue(0);
    }
    timeline_->setEnabled(project && !project->frames.empty());
    canvas_->show({}, {}, -1, project ? QString() : QString("No project open"));
    position_->clear();
}

bool FrameView::anonymizing() const { return !unblurred_->isChecked(); }

void FrameView::setDrawing(bool on)
{
    if (on)
        setPlaying(false);
    QSignalBlocker block(draw_);
    draw_->setChecked(on);
    canvas_->setDrawing(on);
}

QString FrameView::drawingClass() const { return draw_class_->currentData().toString(); }

void FrameView::setDrawingClass(const QString& class_code)
{
    draw_class_->setCurrentIndex(std::max(0, draw_class_->findData(class_code)));
}

void FrameView::setAnonymizing(bool on)
{
    QSignalBlocker block(unblurred_);
    unblurred_->setChecked(!on);
    refresh();
}

bool FrameView::playing() const { return timer_->isActive(); }

void FrameView::setPlaying(bool on)
{
    if (on)
        timer_->start();
    else
        timer_->stop();
    QSignalBlocker block(play_);
    play_->setChecked(on);
    play_->setText(on ? "⏸" : "▶");
}

void FrameView::showDamage(int damage_index)
{
    if (project_ == nullptr || damage_index < 0 || damage_index >= int(project_->damages.size()))
        return;
    const DamageRecord& d = project_->damages[size_t(damage_index)];
    damage_id_ = d.damage_id;
    current_frame_ = project_->findFrame(d.evidence_frame);
    {
        QSignalBlocker block(timeline_);
        timeline_->setValue(std::max(0, current_frame_));
    }
    refresh();
    Q_EMIT frameChanged(current_frame_);
}

void FrameView::stepDamageFrame(int direction)
{
    if (project_ == nullptr || damage_id_ < 0 || current_frame_ < 0)
        return;
    if (damage_frames_for_ != damage_id_) {
        auto frames = loadDamageFrames(project_->path, damage_id_);
        damage_frames_ = frames ? std::move(*frames) : std::vector<int64_t>{};
        damage_frames_for_ = damage_id_;
    }
    const int64_t now = project_->frames[size_t(current_frame_)].index;
    int64_t to = now;
    if (direction > 0) {
        auto next = std::upper_bound(damage_frames_.begin(), damage_frames_.end(), now);
        if (next != damage_frames_.end())
            to = *next;
    } else {
        auto next = std::lower_bound(damage_frames_.begin(), damage_frames_.end(), now);
        if (next != damage_frames_.begin())
            to = *std::prev(next);
    }
    const int position = project_->findFrame(to);
    if (to == now || position < 0)
        return;
    current_frame_ = position;
    {
        QSignalBlocker block(timeline_);
        timeline_->setValue(position);
    }
    refresh();
    Q_EMIT frameChanged(current_frame_);
}

FrameImage FrameView::readShownFrame() { return readFrame(current_frame_); }

FrameImage FrameView::readFrame(int frame_position)
{
    waitForLoad(); // the worker is done with the source
    if (source_ == nullptr || frame_position < 0 || frame_position >= int(project_->frames.size()))
        return {};
    return source_->read(project_->frames[size_t(frame_position)], true);
}

void FrameView::showFrame(int frame_position)
{
    if (project_ == nullptr || frame_position < 0 || frame_position >= int(project_->frames.size()))
        return;
    damage_id_ = -1;
    current_frame_ = frame_position;
    {
        QSignalBlocker block(timeline_);
        timeline_->setValue(frame_position);
    }
    refresh();
    Q_EMIT frameChanged(current_frame_);
}

namespace {

struct LoadedFrame {
    QImage image;
    std::vector<FrameDetection> detections;
    QString message;
};

// Decoding, anonymizing and reading the detections: on a worker thread, one load at a time
// (FrameSource is not shared), touching only what the GUI thread never changes.
LoadedFrame loadFrame(FrameSource& source, const FrameRecord& frame, const std::filesystem::path& project,
                      int64_t damage_id, bool anonymize)
{
    LoadedFrame out;
    FrameImage shown = source.read(frame, anonymize);
    auto detections = loadFrameDetections(project, frame.index);
    out.message = QString::fromStdString(shown.problem);
    if (!detections)
        out.message = QString::fromStdString(detections.error());
    if (shown.image.empty() && damage_id >= 0) {
        // The stored chip was anonymized when it was written; it is all there is to show.
        const std::string chip = loadChip(project, damage_id);
        const std::vector<uchar> bytes(chip.begin(), chip.end());
        if (!bytes.empty())
            out.image = toQImage(cv::imdecode(bytes, cv::IMREAD_COLOR));
        if (!out.image.isNull())
            out.message += ": showing the stored evidence chip";
        return out;
    }
    if (!shown.anonymized && !anonymize && out.message.isEmpty())
        out.message = "Unblurred: personal data visible";
    if (!shown.image.empty())
        out.image = toQImage(shown.image);
    if (detections)
        out.detections = std::move(*detections);
    return out;
}

} // namespace

bool FrameView::loading() const { return loading_; }

void FrameView::refresh()
{
    if (project_ == nullptr || current_frame_ < 0 || current_frame_ >= int(project_->frames.size()))
        return;
    const FrameRecord& frame = project_->frames[size_t(current_frame_)];
    position_->setText(QString("frame %1 · %2 m · %3")
                           .arg(frame.index)
                           .arg(frame.chainage_m, 0, 'f', 1)
                           .arg(utcText(frame.time)));
    if (loading_) {
        reload_ = true; // the latest wish is loaded when the current load ends
        return;
    }
    loading_ = true;
    reload_ = false;
    const int position = current_frame_;
    const int64_t damage_id = damage_id_;
    worker_ = std::async(std::launch::async, [this, frame, damage_id, anonymize = anonymizing(),
                                              project = project_->path, position] {
        auto loaded = std::make_shared<LoadedFrame>(loadFrame(*source_, frame, project, damage_id, anonymize));
        QMetaObject::invokeMethod(
            this,
            [this, loaded, position, damage_id] {
                loading_ = false;
                if (reload_) {
                    refresh();
                    return;
                }
                if (position == current_frame_)
                    canvas_->show(std::move(loaded->image), std::move(loaded->detections), damage_id,
                                  std::move(loaded->message));
                Q_EMIT frameShown(position);
            },
            Qt::QueuedConnection);
    });
}

void FrameView::waitForLoad()
{
    while (loading_ && worker_.valid()) {
        worker_.wait();
        QCoreApplication::sendPostedEvents(this, QEvent::MetaCall); // shows it, or starts the next
    }
}

} // namespace voirie::gui
