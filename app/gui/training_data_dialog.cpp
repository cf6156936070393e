#include "training_data_dialog.hpp"

#include "voirie/core/plugin_host/anonymizer_set.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

#include <memory>

namespace voirie::gui {

TrainingDataDialog::TrainingDataDialog(const std::filesystem::path& project, QWidget* parent)
    : QDialog(parent), project_(project)
{
    setWindowTitle("Export training data");
    out_ = new QLineEdit(QString::fromStdString((project.parent_path() / (project.stem().string() + "-training")).string()), this);
    auto* browse = new QPushButton("Browse…", this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, "Training data folder", out_->text());
        if (!dir.isEmpty())
            out_->setText(dir);
    });
    auto* where = new QHBoxLayout;
    where->addWidget(out_, 1);
    where->addWidget(browse);
    review_ = new QComboBox(this);
    review_->addItem("Accepted and added damages", "accepted");
    review_->addItem("Every damage not rejected", "all");
    neighbours_ = new QSpinBox(this);
    neighbours_->setRange(0, 50);
    neighbours_->setValue(2);
    neighbours_->setToolTip("Frames that saw a damage written besides its evidence frame, the nearest first");
    overwrite_ = new QCheckBox("Replace the folder if it exists", this);
    result_ = new QLabel(this);
    result_->setWordWrap(true);
    auto* form = new QFormLayout;
    form->addRow("Folder", where);
    form->addRow("Damages", review_);
    form->addRow("Neighbouring frames", neighbours_);
    form->addRow("", overwrite_);
    auto* note = new QLabel("Every frame is anonymized before it is written. Frames whose detections were all "
                            "rejected are written as negative examples.", this);
    note->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    export_ = buttons->addButton("Export", QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(export_, &QPushButton::clicked, this, [this] {
        if (worker_)
            return;
        auto o = options(); // read here: the worker touches no widget
        if (!o) {
            showOutcome(fail(o.error()));
            return;
        }
        export_->setEnabled(false);
        result_->setText("Writing the frames (decoded again and anonymized)…");
        auto outcome = std::make_shared<Result<TrainingSetSummary>>(fail("not run"));
        worker_ = QThread::create([outcome, o = *o] { *outcome = writeSet(o); });
        connect(worker_, &QThread::finished, this, [this, outcome] {
            worker_->deleteLater();
            worker_ = nullptr;
            export_->setEnabled(true);
            showOutcome(*outcome);
        });
        worker_->start();
    });
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(result_);
    layout->addWidget(buttons);
}

TrainingDataDialog::~TrainingDataDialog()
{
    if (worker_)
        worker_->wait(); // it writes into this dialog's result when done
}

Result<TrainingSetOptions> TrainingDataDialog::options() const
{
    TrainingSetOptions o;
    o.projects = {project_};
    if (out_->text().trimmed().isEmpty())
        return fail("choose a folder to write the training data into");
    o.out = out_->text().trimmed().toStdString();
    o.accepted_only = review_->currentData().toString() == "accepted";
    o.neighbours = neighbours_->value();
    o.overwrite = overwrite_->isChecked();
    return o;
}

Result<TrainingSetSummary> TrainingDataDialog::writeSet(const TrainingSetOptions& options)
{
    auto anonymizers = AnonymizerSet::open({}, std::nullopt, {});
    if (!anonymizers)
        return fail(anonymizers.error() + ": every frame written is anonymized first, so nothing was written");
    return writeTrainingSet(options, *anonymizers);
}

Result<TrainingSetSummary> TrainingDataDialog::runExport()
{
    auto o = options();
    Result<TrainingSetSummary> outcome = o ? writeSet(*o) : Result<TrainingSetSummary>(fail(o.error()));
    showOutcome(outcome);
    return outcome;
}

void TrainingDataDialog::showOutcome(const Result<TrainingSetSummary>& outcome)
{
    if (!outcome) {
        result_->setText("<span style='color:#b00020'>" + QString::fromStdString(outcome.error()).toHtmlEscaped() + "</span>");
        return;
    }
    QStringList classes;
    for (const auto& [cls, n] : outcome->damages_by_class)
        classes << QString("%1 %2").arg(QString::fromStdString(cls)).arg(n);
    result_->setText(QString("Written: %1 frames of damages (%2), %3 negative frames%4.")
                         .arg(outcome->frames)
                         .arg(classes.join(", "))
                         .arg(outcome->negatives)
                         .arg(outcome->left_out ? QString(", %1 left out (an anonymizer failed on them)").arg(outcome->left_out) : QString()));
}

} // namespace voirie::gui
