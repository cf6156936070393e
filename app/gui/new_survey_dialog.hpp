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
class QDoubleSpinBox;
class QLineEdit;
class QListWidget;
class QVBoxLayout;

namespace voirie::gui {

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

private:
    struct ParameterField {
        std::string plugin, name;
        QWidget* editor = nullptr;
        std::string defaultText;
    };
    void addPluginForms(QVBoxLayout* layout);

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
