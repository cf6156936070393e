#include "camera_preview.hpp"

#include "voirie/core/geo/camera_file.hpp"
#include "voirie/core/geo/camera_geometry.hpp"
#include "voirie/core/ingest/lens_undistortion.hpp"

#include <QPainter>
#include <QPainterPath>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <optional>

namespace voirie::gui {

CameraPreview::CameraPreview(QWidget* parent) : QWidget(parent)
{
    setMinimumSize(320, 180);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void CameraPreview::setFrame(const cv::Mat& bgr)
{
    if (bgr.empty()) {
        frame_ = QImage();
    } else {
        cv::Mat rgb;
        cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
        frame_ = QImage(rgb.data, rgb.cols, rgb.rows, int(rgb.step), QImage::Format_RGB888).copy();
    }
    update();
}

void CameraPreview::setCamera(const CameraModel& camera)
{
    camera_ = camera;
    update();
}

QImage CameraPreview::composed() const
{
    const int width = frame_.isNull() ? std::max(camera_.width, 1) : frame_.width();
    const int height = frame_.isNull() ? std::max(camera_.height, 1) : frame_.height();
    QImage out = frame_.isNull() ? QImage(width, height, QImage::Format_RGB888) : frame_.convertToFormat(QImage::Format_RGB888);
    if (frame_.isNull())
        out.fill(QColor(90, 90, 90));
    if (camera_.width <= 0 || camera_.height <= 0)
        return out;
    CameraModel camera = scaledTo(camera_, width, height);
    if (auto undistortion = LensUndistortion::forCamera(camera)) { // drawn on the frame as the analysis will see it
        if (!frame_.isNull()) {
            const QImage rgb = frame_.convertToFormat(QImage::Format_RGB888);
            const cv::Mat in(rgb.height(), rgb.width(), CV_8UC3, const_cast<uchar*>(rgb.constBits()), size_t(rgb.bytesPerLine()));
            const cv::Mat straight = undistortion->apply(in);
            out = QImage(straight.data, straight.cols, straight.rows, int(straight.step), QImage::Format_RGB888).copy();
        }
        camera = undistortion->pinhole();
    }
    const CameraGeometry geometry(camera);
    QPainter p(&out);
    p.setRenderHint(QPainter::Antialiasing);
    // A line on the road, drawn as a polyline of points 0.25 m apart (a rolled camera bends nothing,
    // but the near end may fall below the frame).
    auto roadLine = [&](double f0, double r0, double f1, double r1) {
        QPainterPath path;
        bool drawing = false;
        for (int i = 0; i <= 80; ++i) {
            const double t = i / 80.0;
            auto px = geometry.groundToPixel({f0 + t * (f1 - f0), r0 + t * (r1 - r0)});
            if (!px) {
                drawing = false;
                continue;
            }
            const QPointF at(px->first, px->second);
            drawing ? path.lineTo(at) : path.moveTo(at);
            drawing = true;
        }
        p.drawPath(path);
    };
    const double scale = std::max(1.0, width / 640.0);
    p.setPen(QPen(QColor(255, 220, 0, 200), 1.5 * scale));
    for (int f = 2; f <= 20; ++f)
        roadLine(f, -3, f, 3);
    for (int r = -3; r <= 3; ++r)
        roadLine(2, r, 20, r);
    p.setPen(QPen(QColor(255, 80, 40), 2.5 * scale)); // every 5 m and the centre line stand out
    for (int f : {5, 10, 15, 20})
        roadLine(f, -3, f, 3);
    roadLine(2, 0, 20, 0);
    p.setPen(QPen(QColor(0, 200, 255), 2 * scale, Qt::DashLine));
    p.drawLine(QPointF(0, geometry.horizonRow(0)), QPointF(width, geometry.horizonRow(width)));
    p.setPen(Qt::white);
    QFont font = p.font();
    font.setPixelSize(int(14 * scale));
    p.setFont(font);
    p.drawText(QPointF(8 * scale, 20 * scale), QString("height %1 m, pitch %2°, roll %3° — grid 1 m, red every 5 m; "
                                                       "horizon dashed")
                                                   .arg(camera_.height_m, 0, 'f', 2)
                                                   .arg(camera_.pitch_deg, 0, 'f', 1)
                                                   .arg(camera_.roll_deg, 0, 'f', 1));
    return out;
}

void CameraPreview::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    const QImage image = composed();
    const QSize fitted = image.size().scaled(size(), Qt::KeepAspectRatio);
    p.drawImage(QRect(QPoint((width() - fitted.width()) / 2, (height() - fitted.height()) / 2), fitted), image);
}

cv::Mat previewFrame(const std::string& video, double seconds)
{
    cv::VideoCapture capture(video, cv::CAP_FFMPEG);
    if (!capture.isOpened())
        return {};
    cv::Mat frame, last;
    const double fps = capture.get(cv::CAP_PROP_FPS) > 0 ? capture.get(cv::CAP_PROP_FPS) : 30;
    for (int i = 0; i <= int(seconds * fps) && capture.read(frame); ++i)
        last = frame.clone();
    return last;
}

} // namespace voirie::gui
