// MainWindow, comparison by concern (as OBS splits OBSBasic into OBSBasic_*.cpp): "Compare with
// an older survey": the change labels on the map and in the table, then and now side by side.
#include "main_window.hpp"

#include "damage_table_model.hpp"
#include "map_canvas.hpp"
#include "map_style.hpp"

#include "voirie/core/campaign/campaign_compare.hpp"

#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QMessageBox>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>

namespace voirie::gui {

QWidget* MainWindow::buildThenAndNow()
{
    then_and_now_ = new QWidget(this);
    then_and_now_->setObjectName("thenAndNow");
    auto* grid = new QGridLayout(then_and_now_);
    grid->setContentsMargins(6, 4, 6, 4);
    then_caption_ = new QLabel(then_and_now_);
    now_caption_ = new QLabel(then_and_now_);
    then_image_ = new QLabel(then_and_now_);
    now_image_ = new QLabel(then_and_now_);
    for (QLabel* image : {then_image_, now_image_}) {
        image->setFixedHeight(170);
        image->setAlignment(Qt::AlignCenter);
        image->setStyleSheet("background: #222; color: #bbb;");
    }
    grid->addWidget(then_caption_, 0, 0);
    grid->addWidget(now_caption_, 0, 1);
    grid->addWidget(then_image_, 1, 0);
    grid->addWidget(now_image_, 1, 1);
    then_and_now_->setVisible(false);
    return then_and_now_;
}

bool MainWindow::compareWith(const QString& older_project, bool quiet)
{
    auto refuse = [&](const QString& message) {
        last_error_ = message;
        if (!quiet)
            QMessageBox::warning(this, "Compare with an older survey", message);
        statusBar()->showMessage(message, 10000);
        return false;
    };
    if (!project_)
        return refuse("Open this campaign's project first, then compare it with an older one.");
    auto dir = std::make_unique<QTemporaryDir>();
    if (!dir->isValid())
        return refuse("Cannot create a temporary folder for the comparison: " + dir->errorString());
    CompareOptions o;
    o.old_project = older_project.toStdString();
    o.new_project = project_->path;
    o.out = std::filesystem::path(dir->path().toStdString()) / "changes.gpkg";
    o.command_line = "voirie-app: compare with an older survey";
    auto summary = compareCampaigns(o);
    if (!summary)
        return refuse(QString::fromStdString(summary.error()));
    auto record = readComparison(o.out);
    if (!record)
        return refuse(QString::fromStdString(record.error()));
    comparison_dir_ = std::move(dir);
    project_->attachComparison(std::move(*record));
    map_->changesChanged();
    model_->setProject(project_.get()); // the Change column fills in
    showComparison();
    applyFilter();
    if (selected_ >= 0)
        showThenAndNow();
    std::string labels;
    for (const char* label : kChangeLabels)
        labels += (labels.empty() ? "" : ", ") + std::to_string(summary->labels.at(label)) + " " + label;
    statusBar()->showMessage(QString::fromStdString("Since " + std::filesystem::path(o.old_project).filename().string() +
                                                    ": " + labels),
                             15000);
    return true;
}

void MainWindow::showComparison()
{
    const bool on = project_ && project_->changes;
    table_->setColumnHidden(DamageTableModel::Change, !on);
    change_filter_->setVisible(on);
    if (!on) {
        QSignalBlocker block(change_filter_);
        change_filter_->setCurrentIndex(0);
        comparison_dir_.reset();
    }
    then_and_now_->setVisible(false);
}

void MainWindow::showThenAndNow()
{
    const DefectChangeRecord* change = project_ ? project_->changeRecordOf(selected_) : nullptr;
    then_and_now_->setVisible(change != nullptr);
    if (!change)
        return;
    const QString label = QString::fromStdString(change->change);
    const QString colour = changeColour(change->change).name();
    auto show = [](QLabel* image, const std::vector<unsigned char>& jpeg, const QString& none) {
        QPixmap chip;
        if (!jpeg.empty() && chip.loadFromData(jpeg.data(), uint(jpeg.size()), "JPG"))
            image->setPixmap(chip.scaledToHeight(image->height() - 4, Qt::SmoothTransformation));
        else
            image->setText(none);
    };
    const bool crack = change->class_code == "D00" || change->class_code == "D10";
    auto measure = [&](double length, double area) {
        return crack ? QString("%1 m").arg(length, 0, 'f', 1) : QString("%1 m²").arg(area, 0, 'f', 2);
    };
    then_caption_->setText(change->damage_id_then >= 0
                               ? QString("<b>Then</b> · %1 · severity %2")
                                     .arg(measure(change->length_then_m, change->area_then_m2),
                                          QString::fromStdString(change->severity_then))
                               : QString("<b>Then</b> · not found"));
    now_caption_->setText(QString("<b>Now</b> · %1 · severity %2 · <span style='color:%3'><b>%4</b></span>")
                              .arg(measure(change->length_now_m, change->area_now_m2),
                                   QString::fromStdString(change->severity_now), colour, label));
    show(then_image_, change->chip_then, label == "new" ? "not there then" : "no image then");
    show(now_image_, change->chip_now, "no image now");
}

} // namespace voirie::gui
