#include "export_dialog.hpp"

#include "voirie/core/vocabulary/severity_rules.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace voirie::gui {

namespace {

struct FormatChoice {
    const char* name;
    const char* label;
    const char* extension; // "" for a folder
};

constexpr FormatChoice kFormats[] = {
    {"gpkg", "GeoPackage (.gpkg)", ".gpkg"}, {"geojson", "GeoJSON (.geojson)", ".geojson"},
    {"shp", "Shapefile (folder)", ""},       {"kml", "KML (.kml, Google Earth)", ".kml"},
    {"csv", "CSV (.csv)", ".csv"},           {"fgb", "FlatGeobuf (.fgb)", ".fgb"},
};

} // namespace

ExportDialog::ExportDialog(const std::filesystem::path& project, QWidget* parent) : QDialog(parent), project_(project)
{
    setWindowTitle("Export layers");
    format_ = new QComboBox(this);
    for (const auto& f : kFormats)
        format_->addItem(f.label, f.name);
    out_ = new QLineEdit(this);
    auto* browse = new QPushButton("Browse…", this);
    auto* out_row = new QHBoxLayout;
    out_row->addWidget(out_, 1);
    out_row->addWidget(browse);
    crs_ = new QLineEdit("EPSG:4326", this);
    crs_->setToolTip("Any CRS GDAL understands, e.g. EPSG:2154 (Lambert-93)");

    auto* layer_row = new QHBoxLayout;
    for (const char* layer : {"damages", "detections", "frames", "track", "segments"}) {
        auto* box = new QCheckBox(layer, this);
        box->setChecked(std::string(layer) == "damages");
        layers_.push_back(box);
        layer_row->addWidget(box);
    }
    auto* class_row = new QHBoxLayout;
    for (const char* c : {"D00", "D10", "D20", "D40"}) {
        auto* box = new QCheckBox(c, this);
        box->setChecked(true);
        classes_.push_back(box);
        class_row->addWidget(box);
    }
    confidence_ = new QDoubleSpinBox(this);
    confidence_->setRange(0, 1);
    confidence_->setSingleStep(0.05);
    severity_ = new QComboBox(this);
    severity_->addItem("any", "");
    severity_->addItem("L or worse", "L");
    severity_->addItem("M or worse", "M");
    severity_->addItem("H only", "H");
    review_ = new QComboBox(this);
    review_->addItem("all but rejected", "not-rejected");
    review_->addItem("accepted only", "accepted");
    review_->addItem("all", "all");
    chips_ = new QComboBox(this);
    chips_->addItem("default (embedded in GeoPackage, files otherwise)", "");
    chips_->addItem("none", "none");
    chips_->addItem("files beside the export", "files");
    chips_->addItem("embedded", "embedded");
    overwrite_ = new QCheckBox("Replace an existing output", this);
    result_ = new QLabel(this);
    result_->setWordWrap(true);
    result_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* form = new QFormLayout;
    form->addRow("Format", format_);
    form->addRow("Output", out_row);
    form->addRow("CRS", crs_);
    form->addRow("Layers", layer_row);
    form->addRow("Classes", class_row);
    form->addRow("Min. confidence", confidence_);
    form->addRow("Min. severity", severity_);
    form->addRow("Review", review_);
    form->addRow("Evidence images", chips_);
    form->addRow("", overwrite_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* run = buttons->addButton("Export", QDialogButtonBox::AcceptRole);
    run->setObjectName("exportButton");
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(result_);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    // The outcome, success or the failure's sentence, is shown in the dialog by runExport itself.
    connect(run, &QPushButton::clicked, this, [this] { (void)runExport(); });
    connect(format_, &QComboBox::currentIndexChanged, this, [this] { suggestOutput(); });
    connect(browse, &QPushButton::clicked, this, [this] {
        const int i = format_->currentIndex();
        const QString chosen = kFormats[i].extension[0] == '\0'
                                   ? QFileDialog::getExistingDirectory(this, "Export into folder", out_->text())
                                   : QFileDialog::getSaveFileName(this, "Export to", out_->text());
        if (!chosen.isEmpty())
            out_->setText(chosen);
    });
    suggestOutput();
}

void ExportDialog::suggestOutput()
{
    const auto& f = kFormats[format_->currentIndex()];
    const std::filesystem::path base = project_.parent_path() / (project_.stem().string() + "-export");
    out_->setText(QString::fromStdString(base.string() + f.extension));
}

Result<ExportOptions> ExportDialog::options() const
{
    ExportOptions o;
    o.project = project_;
    if (out_->text().trimmed().isEmpty())
        return fail("choose where to export to");
    o.out = out_->text().trimmed().toStdString();
    o.format = *exportFormatFromName(format_->currentData().toString().toStdString());
    o.layers.clear();
    for (auto* box : layers_)
        if (box->isChecked())
            o.layers.push_back(box->text().toStdString());
    if (o.layers.empty())
        return fail("choose at least one layer to export");
    if (!crs_->text().trimmed().isEmpty() && crs_->text().trimmed() != "EPSG:4326")
        o.crs = crs_->text().trimmed().toStdString();
    bool all_classes = true;
    for (auto* box : classes_) {
        all_classes = all_classes && box->isChecked();
        if (box->isChecked())
            o.classes.push_back(box->text().toStdString());
    }
    if (all_classes)
        o.classes.clear();
    else if (o.classes.empty())
        return fail("choose at least one damage class");
    if (confidence_->value() > 0)
        o.min_confidence = confidence_->value();
    if (const std::string s = severity_->currentData().toString().toStdString(); !s.empty())
        o.min_severity = severityFromCode(s);
    const QString review = review_->currentData().toString();
    o.review = review == "accepted" ? ReviewFilter::Accepted : review == "all" ? ReviewFilter::All : ReviewFilter::NotRejected;
    const QString chips = chips_->currentData().toString();
    if (chips == "none")
        o.chips = ChipMode::None;
    else if (chips == "files")
        o.chips = ChipMode::Files;
    else if (chips == "embedded")
        o.chips = ChipMode::Embedded;
    o.overwrite = overwrite_->isChecked();
    return o;
}

Result<ExportSummary> ExportDialog::runExport()
{
    auto o = options();
    Result<ExportSummary> summary = o ? exportProject(*o) : Result<ExportSummary>(fail(o.error()));
    if (!summary) {
        result_->setStyleSheet("color: #b00020");
        result_->setText("Export failed: " + QString::fromStdString(summary.error()));
        return summary;
    }
    QStringList lines;
    for (const auto& l : summary->layers)
        lines << QString("%1: %2 features").arg(QString::fromStdString(l.layer)).arg(l.features);
    if (summary->chips_written > 0)
        lines << QString("%1 evidence images").arg(summary->chips_written);
    for (const auto& w : summary->warnings)
        lines << "Warning: " + QString::fromStdString(w);
    result_->setStyleSheet("color: #1b5e20");
    result_->setText("Exported to " + QString::fromStdString(summary->out.string()) + "\n" + lines.join("\n"));
    return summary;
}

} // namespace voirie::gui
