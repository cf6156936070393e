// The camera a survey will be analysed with, drawn over a frame of its video: a 1 m grid on the
// road from 2 to 20 m ahead and 3 m each side, and the horizon. Whether the grid lies flat on the
// road and the horizon where the road vanishes shows at once whether height, pitch and roll are
// right; it redraws as they change.
#pragma once

#include "voirie/core/geo/camera_model.hpp"

#include <QImage>
#include <QWidget>

#include <opencv2/core.hpp>

namespace voirie::gui {

class CameraPreview : public QWidget {
    Q_OBJECT
public:
    explicit CameraPreview(QWidget* parent = nullptr);
    void setFrame(const cv::Mat& bgr); // empty: a grey field of the camera's size
    void setCamera(const CameraModel& camera);
    const CameraModel& camera() const { return camera_; }
    QSize frameSize() const { return frame_.size(); } // invalid without a frame
    // The frame with the grid and horizon drawn, at the frame's size (what paintEvent scales).
    QImage composed() const;
    QSize sizeHint() const override { return {480, 270}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QImage frame_;
    CameraModel camera_;
};

// A frame `seconds` into the video (or its last), BGR; empty when it cannot be decoded.
cv::Mat previewFrame(const std::string& video, double seconds = 3.0);

} // namespace voirie::gui
