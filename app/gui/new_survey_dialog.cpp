#include "new_survey_dialog.hpp"

#include "voirie/core/ingest/track.hpp"
#include "voirie/core/plugin_host/detector_set.hpp"
#include "voirie/core/plugin_host/plugin_registry.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace voirie::gui {

namespace {

QHBoxLayout* pathRow(QWidget* parent, QLineEdit* edit, std::function<QString()> choose)
{
    auto* row = new QHBoxLayout;
    auto* browse = new QPushButton("Browse…", parent);
    row->addWidget(edit, 1);
    row->addWidget(browse);
    QObject::connect(browse, &QPushButton::clicked, parent, [edit, choose] {
        if (const QString chosen = choose(); !chosen.isEmpty())
            edit->setText(chosen);
    });
    return row;
}

} // namespace

NewSurveyDialog::NewSurveyDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle("New survey");
    resize(760, 720);
    videos_ = new QListWidget(this);
    videos_->setMaximumHeight(80);
    auto* add_videos = new QPushButton("Add videos…", this);
    auto* clear_videos = new QPushButton("Clear", this);
    auto* video_buttons = new QVBoxLayout;
    video_buttons->addWidget(add_videos);
    video_buttons->addWidget(clear_videos);
    video_buttons->addStretch();
    auto* video_row = new QHBoxLayout;
    video_row->addWidget(videos_, 1);
    video_row->addLayout(video_buttons);
    photos_ = new QLineEdit(this);
    photos_->setPlaceholderText("or a folder of geotagged photos");
    track_ = new QLineEdit(this);
    track_->setPlaceholderText("optional: GPX, NMEA, SRT, CSV, GeoJSON or KML; empty: the video's own GPS, else a sidecar beside it");
    // The camera's clock against the track's: given in seconds, or worked out from the footage.
    time_offset_ = new QDoubleSpinBox(this);
    time_offset_->setObjectName("time_offset");
    time_offset_->setRange(-86400, 86400);
    time_offset_->setDecimals(1);
    time_offset_->setSuffix(" s");
    time_offset_auto_ = new QCheckBox("work it out from the footage (turns and stops against the track)", this);
    time_offset_auto_->setObjectName("time_offset_auto");
    connect(time_offset_auto_, &QCheckBox::toggled, time_offset_, [this](bool on) { time_offset_->setEnabled(!on); });
    auto* offset_row = new QHBoxLayout;
    offset_row->addWidget(time_offset_);
    offset_row->addWidget(time_offset_auto_, 1);
    camera_ = new QLineEdit(this);
    camera_->setPlaceholderText("camera.json (default: a typical dash-cam)");
    out_ = new QLineEdit(this);
    every_m_ = new QDoubleSpinBox(this);
    every_m_->setRange(0.5, 100);
    every_m_->setValue(3);
    every_m_->setSuffix(" m");
    anonymize_ = new QCheckBox("Blur faces and number plates in every image written (recommended)", this);
    anonymize_->setChecked(true);
    overwrite_ = new QCheckBox("Replace the project if it exists", this);

    auto* form = new QFormLayout;
    form->addRow("Videos", video_row);
    form->addRow("Photos", pathRow(this, photos_, [this] { return QFileDialog::getExistingDirectory(this, "Photo folder"); }));
    form->addRow("GPS track", pathRow(this, track_, [this] { return QFileDialog::getOpenFileName(this, "GPS track"); }));
    form->addRow("Clock offset", offset_row);
    form->addRow("Camera", pathRow(this, camera_, [this] {
                     return QFileDialog::getOpenFileName(this, "Camera file", {}, "Camera (*.json)");
                 }));
    form->addRow("Sample every", every_m_);
    form->addRow("Project", pathRow(this, out_, [this] {
                     return QFileDialog::getSaveFileName(this, "Project to write", {}, "GeoPackage (*.gpkg)");
                 }));
    form->addRow("", anonymize_);
    form->addRow("", overwrite_);

    auto* plugin_box = new QGroupBox("Detector plugins and their parameters", this);
    auto* plugin_layout = new QVBoxLayout;
    addPluginForms(plugin_layout);
    auto* plugin_widget = new QWidget;
    plugin_widget->setLayout(plugin_layout);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(plugin_widget);
    scroll->setWidgetResizable(true);
    auto* box_layout = new QVBoxLayout(plugin_box);
    box_layout->addWidget(scroll);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton* run = buttons->addButton("Analyse", QDialogButtonBox::AcceptRole);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(plugin_box, 1);
    layout->addWidget(buttons);

    connect(add_videos, &QPushButton::clicked, this, [this] {
        const QStringList files =
            QFileDialog::getOpenFileNames(this, "Survey videos", {}, "Videos (*.mp4 *.mov *.avi *.mkv);;All files (*)");
        videos_->addItems(files);
        if (out_->text().isEmpty() && !files.isEmpty())
            out_->setText(QFileInfo(files.first()).absolutePath() + "/project.gpkg");
    });
    connect(clear_videos, &QPushButton::clicked, videos_, &QListWidget::clear);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(run, &QPushButton::clicked, this, [this] {
        if (auto o = options(); !o)
            QMessageBox::warning(this, "New survey", QString::fromStdString(o.error()));
        else
            accept();
    });
    connect(anonymize_, &QCheckBox::toggled, this, [this](bool on) {
        if (!on && QMessageBox::warning(this, "Turn off anonymization",
                                        "Without anonymization, faces and number plates stay readable in the "
                                        "evidence images of this project, its exports and reports. In Europe that is "
                                        "personal data (GDPR). Turn it off only for data that never leaves you.",
                                        QMessageBox::Ok | QMessageBox::Cancel) != QMessageBox::Ok) {
            QSignalBlocker block(anonymize_);
            anonymize_->setChecked(true);
        }
    });
}

void NewSurveyDialog::addPluginForms(QVBoxLayout* layout)
{
    PluginRegistry registry(PluginRegistry::defaultSearchPath());
    const std::vector<std::string> defaults = defaultDetectorIds(registry);
    for (const auto& entry : registry.entries()) {
        if (!entry.manifest || entry.manifest->kind != "detector")
            continue;
        const PluginManifest& m = *entry.manifest;
        auto* box = new QCheckBox(QString::fromStdString(m.name + " (" + m.id + " " + m.version + ")"));
        box->setObjectName(QString::fromStdString("plugin:" + m.id));
        // Checked: the detectors `voirie analyze` runs without --plugins (meant for real footage).
        box->setChecked(entry.state != PluginState::Failed && std::find(defaults.begin(), defaults.end(), m.id) != defaults.end());
        box->setEnabled(entry.state != PluginState::Failed);
        box->setToolTip(QString::fromStdString(entry.state == PluginState::Failed ? entry.failure : m.description));
        plugins_[m.id] = box;
        layout->addWidget(box);
        auto* params = new QFormLayout;
        params->setContentsMargins(24, 0, 0, 6);
        for (const auto& spec : m.parameters) {
            QWidget* editor = nullptr;
            const std::string default_text = formatParameterValue(spec.default_value);
            switch (spec.type) {
            case ParameterType::Bool: {
                auto* check = new QCheckBox;
                check->setChecked(std::get<bool>(spec.default_value));
                editor = check;
                break;
            }
            case ParameterType::Int: {
                auto* spin = new QSpinBox;
                spin->setRange(spec.min ? int(*spec.min) : -1000000, spec.max ? int(*spec.max) : 1000000);
                spin->setValue(int(std::get<int64_t>(spec.default_value)));
                editor = spin;
                break;
            }
            case ParameterType::Double: {
                auto* spin = new QDoubleSpinBox;
                spin->setDecimals(4);
                spin->setRange(spec.min ? *spec.min : -1e9, spec.max ? *spec.max : 1e9);
                spin->setValue(std::get<double>(spec.default_value));
                spin->setSingleStep(std::max(1e-4, std::abs(std::get<double>(spec.default_value)) / 10));
                editor = spin;
                break;
            }
            case ParameterType::String:
                if (!spec.choices.empty()) {
                    auto* combo = new QComboBox;
                    for (const auto& c : spec.choices)
                        combo->addItem(QString::fromStdString(c));
                    combo->setCurrentText(QString::fromStdString(std::get<std::string>(spec.default_value)));
                    editor = combo;
                } else {
                    editor = new QLineEdit(QString::fromStdString(std::get<std::string>(spec.default_value)));
                }
                break;
            }
            editor->setToolTip(QString::fromStdString(spec.description));
            editor->setObjectName(QString::fromStdString("parameter:" + m.id + "." + spec.name));
            editor->setEnabled(box->isChecked());
            connect(box, &QCheckBox::toggled, editor, &QWidget::setEnabled);
            params->addRow(QString::fromStdString(spec.name), editor);
            parameters_.push_back({m.id, spec.name, editor, default_text});
        }
        layout->addLayout(params);
    }
    layout->addStretch();
}

void NewSurveyDialog::setVideos(const QStringList& files)
{
    videos_->clear();
    videos_->addItems(files);
}
void NewSurveyDialog::setTrack(const QString& file) { track_->setText(file); }
void NewSurveyDialog::setCamera(const QString& file) { camera_->setText(file); }
void NewSurveyDialog::setTimeOffset(std::optional<double> seconds)
{
    time_offset_auto_->setChecked(!seconds);
    time_offset_->setValue(seconds.value_or(0));
}
void NewSurveyDialog::setOutput(const QString& file) { out_->setText(file); }
void NewSurveyDialog::setPlugins(const QStringList& ids)
{
    for (auto& [id, box] : plugins_)
        box->setChecked(ids.contains(QString::fromStdString(id)));
}

Result<AnalysisOptions> NewSurveyDialog::options() const
{
    AnalysisOptions o;
    for (int i = 0; i < videos_->count(); ++i)
        o.ingest.videos.push_back(videos_->item(i)->text().toStdString());
    if (!photos_->text().trimmed().isEmpty())
        o.ingest.photos_dir = photos_->text().trimmed().toStdString();
    if (o.ingest.videos.empty() == !o.ingest.photos_dir)
        return fail("choose either video files or a photo folder");
    // Without a track, the analysis reads the videos' own GPS (GoPro, dash-cams) or a sidecar.
    if (!track_->text().trimmed().isEmpty())
        o.ingest.track = track_->text().trimmed().toStdString();
    if (!camera_->text().trimmed().isEmpty())
        o.ingest.camera_file = camera_->text().trimmed().toStdString();
    o.ingest.time_offset_auto = time_offset_auto_->isChecked();
    o.ingest.time_offset_s = o.ingest.time_offset_auto ? 0 : time_offset_->value();
    o.ingest.sampling.step = every_m_->value();
    o.ingest.cleaning.smoothing_s = kRecommendedSmoothingSeconds; // as `voirie analyze` does
    if (out_->text().trimmed().isEmpty())
        return fail("choose where to write the project (.gpkg)");
    o.out = out_->text().trimmed().toStdString();
    std::vector<std::string> chosen;
    for (const auto& [id, box] : plugins_)
        if (box->isChecked())
            chosen.push_back(id);
    if (chosen.empty())
        return fail("choose at least one detector plugin");
    o.plugins = chosen;
    for (const auto& p : parameters_) {
        if (!plugins_.at(p.plugin)->isChecked())
            continue;
        std::string value;
        if (auto* check = qobject_cast<QCheckBox*>(p.editor))
            value = check->isChecked() ? "true" : "false";
        else if (auto* spin = qobject_cast<QSpinBox*>(p.editor))
            value = std::to_string(spin->value());
        else if (auto* dspin = qobject_cast<QDoubleSpinBox*>(p.editor))
            value = QString::number(dspin->value(), 'g', 10).toStdString();
        else if (auto* combo = qobject_cast<QComboBox*>(p.editor))
            value = combo->currentText().toStdString();
        else if (auto* line = qobject_cast<QLineEdit*>(p.editor))
            value = line->text().toStdString();
        if (value != p.defaultText) // only what the user changed is recorded as an override
            o.parameters[p.plugin][p.name] = value;
    }
    o.anonymize = anonymize_->isChecked();
    o.overwrite = overwrite_->isChecked();
    o.command_line = "voirie-app new survey";
    return o;
}

} // namespace voirie::gui
