#include "new_survey_dialog.hpp"

#include "camera_preview.hpp"

#include "voirie/core/calibration/camera_estimate.hpp"
#include "voirie/core/calibration/clock_alignment.hpp"
#include "voirie/core/geo/camera_file.hpp"

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
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <memory>

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
    resize(1280, 780);
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
    auto* top = new QHBoxLayout;
    top->addLayout(form, 3);
    top->addWidget(buildCameraBox(), 2);
    layout->addLayout(top);
    layout->addWidget(plugin_box, 1);
    layout->addWidget(buttons);

    connect(add_videos, &QPushButton::clicked, this, [this] {
        const QStringList files =
            QFileDialog::getOpenFileNames(this, "Survey videos", {}, "Videos (*.mp4 *.mov *.avi *.mkv);;All files (*)");
        videos_->addItems(files);
        if (out_->text().isEmpty() && !files.isEmpty())
            out_->setText(QFileInfo(files.first()).absolutePath() + "/project.gpkg");
        refreshPreviewFrame();
    });
    connect(clear_videos, &QPushButton::clicked, this, [this] {
        videos_->clear();
        refreshPreviewFrame();
    });
    connect(camera_, &QLineEdit::editingFinished, this, &NewSurveyDialog::loadCameraFile);
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
    refreshPreviewFrame();
}
void NewSurveyDialog::setTrack(const QString& file) { track_->setText(file); }
void NewSurveyDialog::setCamera(const QString& file)
{
    camera_->setText(file);
    loadCameraFile();
}

QWidget* NewSurveyDialog::buildCameraBox()
{
    auto* box = new QGroupBox("Camera over a frame of the video", this);
    preview_ = new CameraPreview(box);
    auto spin = [&](const char* name, double lo, double hi, double step, const char* suffix, int decimals) {
        auto* s = new QDoubleSpinBox(box);
        s->setObjectName(name);
        s->setRange(lo, hi);
        s->setSingleStep(step);
        s->setDecimals(decimals);
        s->setSuffix(suffix);
        connect(s, &QDoubleSpinBox::valueChanged, this, &NewSurveyDialog::cameraEdited);
        return s;
    };
    camera_height_ = spin("camera_height", 0.3, 4.5, 0.05, " m", 2);
    camera_pitch_ = spin("camera_pitch", -5, 60, 0.5, "°", 1);
    camera_roll_ = spin("camera_roll", -20, 20, 0.5, "°", 1);
    camera_hfov_ = spin("camera_hfov", 30, 160, 1, "°", 0);
    estimate_ = new QPushButton("Work out from the footage", box);
    estimate_->setObjectName("estimate_camera");
    connect(estimate_, &QPushButton::clicked, this, &NewSurveyDialog::estimateCamera);
    camera_note_ = new QLabel(box);
    camera_note_->setObjectName("camera_note");
    camera_note_->setWordWrap(true);
    auto* values = new QHBoxLayout;
    for (auto [label, editor] : {std::pair{"height", camera_height_}, {"pitch", camera_pitch_}, {"roll", camera_roll_},
                                 {"field of view", camera_hfov_}}) {
        values->addWidget(new QLabel(label, box));
        values->addWidget(editor);
    }
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(preview_, 1);
    layout->addLayout(values);
    auto* row = new QHBoxLayout;
    row->addWidget(estimate_);
    row->addWidget(camera_note_, 1);
    layout->addLayout(row);
    camera_base_ = defaultDashcamCamera(1280, 720);
    showCamera(camera_base_);
    camera_note_->setText("No camera file: the analysis works it out from the footage (or adjust it here).");
    return box;
}

void NewSurveyDialog::refreshPreviewFrame()
{
    const cv::Mat frame = videos_->count() > 0 ? previewFrame(videos_->item(0)->text().toStdString()) : cv::Mat();
    preview_->setFrame(frame);
    if (!frame.empty() && (camera_base_.width != frame.cols || camera_base_.height != frame.rows)) {
        const CameraModel shown = cameraShown();
        camera_base_ = scaledTo(camera_base_, frame.cols, frame.rows);
        CameraModel sized = camera_base_;
        sized.height_m = shown.height_m, sized.pitch_deg = shown.pitch_deg, sized.roll_deg = shown.roll_deg;
        showCamera(sized);
    }
}

void NewSurveyDialog::loadCameraFile()
{
    const std::string path = camera_->text().trimmed().toStdString();
    if (path.empty()) {
        if (camera_state_ == CameraState::file) {
            camera_state_ = CameraState::automatic;
            camera_note_->setText("No camera file: the analysis works it out from the footage (or adjust it here).");
        }
        return;
    }
    auto camera = readCameraFile(path);
    if (!camera) {
        camera_note_->setText(QString::fromStdString(camera.error()));
        return;
    }
    camera_base_ = *camera;
    if (const QSize frame = preview_->frameSize(); frame.isValid())
        camera_base_ = scaledTo(*camera, frame.width(), frame.height());
    showCamera(camera_base_);
    camera_state_ = CameraState::file;
    camera_sources_.clear();
    camera_note_->setText("From the camera file.");
}

void NewSurveyDialog::showCamera(const CameraModel& camera)
{
    showing_camera_ = true;
    camera_height_->setValue(camera.height_m);
    camera_pitch_->setValue(camera.pitch_deg);
    camera_roll_->setValue(camera.roll_deg);
    camera_hfov_->setValue(2 * std::atan(camera.width / 2.0 / camera.fx) * 180 / M_PI);
    showing_camera_ = false;
    preview_->setCamera(cameraShown());
}

CameraModel NewSurveyDialog::cameraShown() const
{
    CameraModel c = camera_base_;
    c.height_m = camera_height_->value();
    c.pitch_deg = camera_pitch_->value();
    c.roll_deg = camera_roll_->value();
    const double hfov = 2 * std::atan(c.width / 2.0 / c.fx) * 180 / M_PI;
    if (std::abs(hfov - camera_hfov_->value()) > 0.5) { // changed here: square pixels, same centre
        c.fx = c.fy = (c.width / 2.0) / std::tan(camera_hfov_->value() / 2 * M_PI / 180);
    }
    return c;
}

void NewSurveyDialog::cameraEdited()
{
    preview_->setCamera(cameraShown());
    if (showing_camera_)
        return;
    camera_state_ = CameraState::adjusted;
    camera_note_->setText("Adjusted here: the analysis uses the camera as shown.");
}

void NewSurveyDialog::estimateCamera()
{
    IngestOptions ingest;
    for (int i = 0; i < videos_->count(); ++i)
        ingest.videos.push_back(videos_->item(i)->text().toStdString());
    if (ingest.videos.empty()) {
        camera_note_->setText("Add the survey's video first.");
        return;
    }
    if (!track_->text().trimmed().isEmpty())
        ingest.track = track_->text().trimmed().toStdString();
    ingest.time_offset_auto = time_offset_auto_->isChecked();
    ingest.time_offset_s = ingest.time_offset_auto ? 0 : time_offset_->value();
    ingest.cleaning.smoothing_s = kRecommendedSmoothingSeconds;
    estimating_ = true;
    estimate_->setEnabled(false);
    camera_note_->setText("Working it out from the first minute of footage…");
    auto result = std::make_shared<std::optional<Result<CameraEstimate>>>();
    QThread* worker = QThread::create([ingest, result]() mutable {
        auto resolved = resolveTimeOffset(ingest);
        *result = resolved ? voirie::estimateCamera(*resolved) : Result<CameraEstimate>(fail(resolved.error()));
    });
    connect(worker, &QThread::finished, worker, &QObject::deleteLater); // also when the form is gone
    connect(worker, &QThread::finished, this, [this, result] {
        estimating_ = false;
        estimate_->setEnabled(true);
        if (!*result || !**result) {
            camera_note_->setText(QString::fromStdString(*result ? (*result)->error() : std::string("the estimate failed")));
            return;
        }
        const CameraEstimate& e = ***result;
        camera_base_ = e.camera;
        showCamera(e.camera);
        camera_state_ = CameraState::estimated;
        camera_sources_ = {{"height_m", describe(e.height_m)}, {"pitch_deg", describe(e.pitch_deg)},
                           {"roll_deg", describe(e.roll_deg)}, {"hfov_deg", describe(e.hfov_deg)}};
        auto said = [](const CameraValue& v) {
            return QString::fromStdString(v.source == "metadata" ? std::string("from the camera's metadata") : v.source);
        };
        camera_note_->setText(QString("Worked out from the footage: height %1, pitch %2, roll %3, field of view %4.")
                                  .arg(said(e.height_m), said(e.pitch_deg), said(e.roll_deg), said(e.hfov_deg)));
    });
    worker->start();
}
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
    // The camera as the preview shows it, when it was worked out here or adjusted.
    if (camera_state_ == CameraState::estimated || camera_state_ == CameraState::adjusted) {
        o.ingest.camera = cameraShown();
        if (camera_state_ == CameraState::estimated) {
            o.ingest.camera_source = "estimated from the footage in the New survey form";
            o.ingest.camera_value_sources = camera_sources_;
        } else {
            o.ingest.camera_source = std::string("set in the New survey form") +
                                     (o.ingest.camera_file ? " from " + o.ingest.camera_file->string() + ", adjusted" : "");
            o.ingest.camera_value_sources = {{"height_m", "given: as shown in the New survey form"},
                                             {"pitch_deg", "given: as shown in the New survey form"},
                                             {"roll_deg", "given: as shown in the New survey form"},
                                             {"hfov_deg", "given: as shown in the New survey form"}};
            o.ingest.camera_file.reset();
        }
    }
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
