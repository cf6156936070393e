// New survey: the inputs of `voirie analyze` as a form. Video file(s) or a photo folder, the GPS
// track, the camera clock's offset (or "work it out"), the camera file, the detector plugins with a parameter form generated from each
// plugin's manifest, anonymization (on unless explicitly turned off), and the project to write.
#pragma once

#include "voirie/core/analysis/analysis_run.hpp"

#include <QDialog>

#include <map>
#include <optional>
#include <string>
#include <vector>

class QCheckBox;
class QLabel;
class QPushButton;
class QDoubleSpinBox;
class QLineEdit;
class QListWidget;
class QVBoxLayout;

namespace voirie::gui {

class CameraPreview;

class NewSurveyDialog : public QDialog {
    Q_OBJECT
public:
    explicit NewSurveyDialog(QWidget* parent = nullptr);

    // The analysis the form describes, or an error sentence naming what is missing.
    Result<AnalysisOptions> options() const;

    void setVideos(const QStringList& files);
    void setTrack(const QString& file);
    void setCamera(const QString& file);
    void setOutput(const QString& file);
    // Seconds added to the video's times, or nothing: worked out from the footage (--time-offset auto).
    void setTimeOffset(std::optional<double> seconds);
    // Ticks exactly these detector plugins (ids).
    void setPlugins(const QStringList& ids);

    // The camera drawn over a frame of the first video (a 1 m grid and the horizon): from the
    // camera file, else worked out from the footage on request ("Work out from the footage",
    // in the background), else the analysis works it out itself. Changing height, pitch, roll or
    // field of view redraws it at once, and the analysis then uses the camera as shown.
    void estimateCamera();
    bool estimating() const { return estimating_; }
    CameraPreview* cameraPreview() const { return preview_; }

private:
    struct ParameterField {
        std::string plugin, name;
        QWidget* editor = nullptr;
        std::string defaultText;
    };
    void addPluginForms(QVBoxLayout* layout);
    QWidget* buildCameraBox();
    void refreshPreviewFrame();
    void loadCameraFile();
    void showCamera(const CameraModel& camera); // into the spin boxes, without marking it adjusted
    CameraModel cameraShown() const;
    void cameraEdited();

    enum class CameraState { automatic, file, estimated, adjusted };
    CameraPreview* preview_ = nullptr;
    QDoubleSpinBox *camera_height_ = nullptr, *camera_pitch_ = nullptr, *camera_roll_ = nullptr, *camera_hfov_ = nullptr;
    QPushButton* estimate_ = nullptr;
    QLabel* camera_note_ = nullptr;
    CameraState camera_state_ = CameraState::automatic;
    CameraModel camera_base_;   // size, principal point, lens: what the spin boxes do not show
    std::vector<std::pair<std::string, std::string>> camera_sources_;
    bool showing_camera_ = false, estimating_ = false;

    QListWidget* videos_;
    QLineEdit *photos_, *track_, *camera_, *out_;
    QDoubleSpinBox* every_m_;
    QDoubleSpinBox* time_offset_;
    QCheckBox* time_offset_auto_;
    QCheckBox* anonymize_;
    QCheckBox* overwrite_;
    std::map<std::string, QCheckBox*> plugins_;
    std::vector<ParameterField> parameters_;
};

} // namespace voirie::gui
