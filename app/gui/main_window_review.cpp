// MainWindow, review by concern (as OBS splits OBSBasic into OBSBasic_*.cpp): the damage table
// filters, moving through the damages and the review decisions on them.
#include "main_window.hpp"

#include "damage_table_model.hpp"
#include "evidence_choice.hpp"
#include "frame_view.hpp"
#include "map_canvas.hpp"
#include "review_controller.hpp"

#include "voirie/core/geo/camera_file.hpp"
#include "voirie/core/project/drawn_damage.hpp"
#include "voirie/core/vocabulary/damage_classes.hpp"

#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QStatusBar>
#include <QTableView>

#include <algorithm>
#include <optional>
#include <set>

namespace voirie::gui {

void MainWindow::refreshFilterChoices()
{
    QSignalBlocker block_class(class_filter_), block_plugin(plugin_filter_);
    const QString current_class = class_filter_->currentData().toString();
    const QString current_plugin = plugin_filter_->currentData().toString();
    class_filter_->clear();
    class_filter_->addItem("All classes", "");
    plugin_filter_->clear();
    plugin_filter_->addItem("All plugins", "");
    if (!project_)
        return;
    std::set<std::string> classes, plugins;
    for (const auto& d : project_->damages) {
        classes.insert(d.class_code);
        QString list = QString::fromStdString(d.plugins);
        for (const QString& p : list.split(',', Qt::SkipEmptyParts))
            plugins.insert(p.trimmed().section(' ', 0, 0).toStdString());
    }
    for (const auto& c : kDamageClasses)
        if (classes.count(std::string(c.code)))
            class_filter_->addItem(QString("%1 %2").arg(QString::fromStdString(std::string(c.code)),
                                                        className(std::string(c.code))),
                                   QString::fromStdString(std::string(c.code)));
    for (const auto& p : plugins)
        plugin_filter_->addItem(QString::fromStdString(p), QString::fromStdString(p));
    class_filter_->setCurrentIndex(std::max(0, class_filter_->findData(current_class)));
    plugin_filter_->setCurrentIndex(std::max(0, plugin_filter_->findData(current_plugin)));
}

void MainWindow::applyFilter()
{
    DamageFilter f;
    if (const QString c = class_filter_->currentData().toString(); !c.isEmpty())
        f.classes.insert(c.toStdString());
    f.severity = severity_filter_->currentData().toString().toStdString();
    f.min_confidence = confidence_filter_->value();
    f.review_state = review_filter_->currentData().toString().toStdString();
    f.plugin = plugin_filter_->currentData().toString().toStdString();
    f.change = change_filter_->currentData().toString().toStdString();
    filter_model_->setFilter(f);
    std::vector<char> visible;
    if (project_) {
        visible.resize(project_->damages.size());
        for (size_t i = 0; i < visible.size(); ++i)
            visible[i] = f.accepts(*project_, int(i));
    }
    map_->setVisibleDamages(std::move(visible));
    updateStatus();
}

void MainWindow::selectDamage(int index)
{
    if (!project_ || index >= int(project_->damages.size()))
        index = -1;
    selected_ = index;
    map_->setSelectedDamage(index);
    if (index >= 0) {
        // Keep the selection on screen without jumping when it already is.
        const QPointF at = map_->toScreen(project_->damages[size_t(index)].centre);
        if (!map_->rect().adjusted(30, 30, -30, -30).contains(at.toPoint()))
            map_->centreOn(project_->damages[size_t(index)].centre);
        const QModelIndex row = filter_model_->mapFromSource(model_->index(index, 0));
        if (row.isValid() && table_->currentIndex().row() != row.row()) {
            QSignalBlocker block(table_->selectionModel());
            table_->selectionModel()->setCurrentIndex(row, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            table_->scrollTo(row);
            table_->viewport()->update();
        }
        frame_view_->showDamage(index);
    }
    showThenAndNow();
    updateStatus();
}

void MainWindow::stepDamage(int direction)
{
    const int rows = filter_model_->rowCount();
    if (rows == 0)
        return;
    const QModelIndex current = selected_ >= 0 ? filter_model_->mapFromSource(model_->index(selected_, 0)) : QModelIndex();
    int row = current.isValid() ? current.row() + direction : (direction > 0 ? 0 : rows - 1);
    row = std::clamp(row, 0, rows - 1);
    selectDamage(filter_model_->mapToSource(filter_model_->index(row, 0)).row());
}

void MainWindow::review(const std::string& field, const std::string& value)
{
    if (selected_ < 0) {
        statusBar()->showMessage("Select a damage first (click it on the map or in the table)", 4000);
        return;
    }
    if (!review_->edit(selected_, field, value) || field != "review_state")
        return;
    if (value != "unreviewed")
        pace_.decided(QDateTime::currentMSecsSinceEpoch());
    // The next one comes up, so a survey is reviewed with A and R alone; in fast review the next
    // one still to review, wherever it is in the table.
    if (!fast_review_->isChecked() || value == "unreviewed")
        stepDamage(1);
    else if (!stepToUnreviewed())
        statusBar()->showMessage("Every damage shown is reviewed", 6000);
    updateStatus();
}

bool MainWindow::stepToUnreviewed()
{
    const int rows = filter_model_->rowCount();
    if (!project_ || rows == 0)
        return false;
    const QModelIndex current = selected_ >= 0 ? filter_model_->mapFromSource(model_->index(selected_, 0)) : QModelIndex();
    const int from = current.isValid() ? current.row() : -1;
    for (int step = 1; step <= rows; ++step) {
        const int index = filter_model_->mapToSource(filter_model_->index((from + step + rows) % rows, 0)).row();
        if (!isReviewed(project_->damages[size_t(index)])) {
            selectDamage(index);
            return true;
        }
    }
    return false;
}

void MainWindow::chooseEvidence()
{
    if (selected_ < 0) {
        statusBar()->showMessage("Select a damage first (click it on the map or in the table)", 4000);
        return;
    }
    const DamageRecord& d = project_->damages[size_t(selected_)];
    const int position = frame_view_->currentFrame();
    frame_view_->waitForLoad();
    const auto& detections = frame_view_->canvas()->detections();
    auto mine = std::find_if(detections.begin(), detections.end(),
                             [&](const FrameDetection& f) { return f.damage_id == d.damage_id; });
    if (position < 0 || mine == detections.end()) {
        statusBar()->showMessage(QString("This frame has no detection of damage %1: step through its frames with , and .")
                                     .arg(d.damage_id),
                                 6000);
        return;
    }
    const FrameRecord& frame = project_->frames[size_t(position)];
    if (frame.index == d.evidence_frame) {
        statusBar()->showMessage("This frame is the damage's evidence already", 4000);
        return;
    }
    const FrameDetection detection = *mine;
    auto chosen = evidenceFromFrame(frame_view_->readShownFrame(), frame, detection);
    if (!chosen) {
        report(QString::fromStdString(chosen.error()) + "; the evidence stays as it was.");
        return;
    }
    if (review_->chooseEvidence(selected_, *chosen))
        statusBar()->showMessage(QString("Frame %1 is now the evidence of damage %2").arg(frame.index).arg(d.damage_id), 6000);
}

void MainWindow::mergeSelected()
{
    if (!project_ || selected_ < 0) {
        statusBar()->showMessage("Select the damages of one defect in the table (Ctrl+click), then merge them", 6000);
        return;
    }
    const int64_t kept = project_->damages[size_t(selected_)].damage_id;
    std::vector<int64_t> others;
    for (const QModelIndex& row : table_->selectionModel()->selectedRows()) {
        const int index = filter_model_->mapToSource(row).row();
        if (index >= 0 && index < int(project_->damages.size()) && project_->damages[size_t(index)].damage_id != kept)
            others.push_back(project_->damages[size_t(index)].damage_id);
    }
    if (others.empty()) {
        statusBar()->showMessage("Select two damages or more of one defect in the table (Ctrl+click), then merge them", 6000);
        return;
    }
    if (review_->merge(kept, others))
        statusBar()->showMessage(QString("%1 damage(s) merged into damage %2").arg(others.size()).arg(kept), 6000);
}

void MainWindow::splitHere()
{
    if (!project_ || selected_ < 0) {
        statusBar()->showMessage("Select a damage, step to the frame where its second defect begins (, and .), then split", 6000);
        return;
    }
    const DamageRecord d = project_->damages[size_t(selected_)];
    const int position = frame_view_->currentFrame();
    auto frames = loadDamageFrames(project_->path, d.damage_id);
    const int64_t here = position >= 0 ? project_->frames[size_t(position)].index : -1;
    if (!frames || frames->size() < 2 || here <= frames->front() || !std::binary_search(frames->begin(), frames->end(), here)) {
        statusBar()->showMessage(QString("Step to a frame of damage %1 after its first (, and .), then split there").arg(d.damage_id), 6000);
        return;
    }
    // The part without the evidence frame gets a chip of its own: its closest view (the largest
    // detection), anonymized.
    const bool new_part_needs = d.evidence_frame < here;
    std::optional<std::pair<int64_t, FrameDetection>> best; // frame index, detection
    for (int64_t frame : *frames) {
        if ((frame >= here) != new_part_needs)
            continue;
        if (auto in_frame = loadFrameDetections(project_->path, frame))
            for (const auto& f : *in_frame)
                if (f.damage_id == d.damage_id &&
                    (!best || f.box_width * f.box_height > best->second.box_width * best->second.box_height))
                    best.emplace(frame, f);
    }
    if (!best) {
        report(QString("Damage %1 cannot be split there: the part has no detection to show").arg(d.damage_id));
        return;
    }
    const int best_position = project_->findFrame(best->first);
    auto fresh = evidenceFromFrame(frame_view_->readFrame(best_position), project_->frames[size_t(best_position)], best->second);
    if (!fresh) {
        report(QString::fromStdString(fresh.error()) + "; the damage stays whole.");
        return;
    }
    if (review_->split(d.damage_id, here, *fresh))
        statusBar()->showMessage(QString("Damage %1 split at frame %2").arg(d.damage_id).arg(here), 6000);
}

void MainWindow::addDrawnDamage(const QString& class_code, QPointF from, QPointF to)
{
    const int position = frame_view_->currentFrame();
    if (!project_ || position < 0)
        return;
    const FrameRecord& frame = project_->frames[size_t(position)];
    auto camera = parseCamera(project_->camera_json, "the camera the analysis recorded");
    if (!camera) {
        report("The damage cannot be placed on the road: " + QString::fromStdString(camera.error()));
        return;
    }
    const std::string code = class_code.toStdString();
    DrawnOnFrame on{frame.index, frame.time, frame.chainage_m, frame.heading_deg, 0, 0};
    fromMercator(frame.at, on.lon, on.lat);
    auto placed = placeDrawnDamage(*camera, on, code, {from.x(), from.y()}, {to.x(), to.y()});
    if (!placed) {
        statusBar()->showMessage("The damage cannot be added: " + QString::fromStdString(placed.error()), 8000);
        return;
    }
    AddedDamage added = std::move(*placed);
    FrameDetection shape;
    shape.class_code = code;
    shape.plugin_id = "reviewer";
    shape.confidence = 1;
    shape.box_x = added.box_x, shape.box_y = added.box_y, shape.box_width = added.box_width, shape.box_height = added.box_height;
    shape.pixel_wkt = added.pixel_wkt;
    auto chip = evidenceFromFrame(frame_view_->readShownFrame(), frame, shape);
    if (!chip) {
        report(QString::fromStdString(chip.error()) + "; the damage is not added.");
        return;
    }
    added.chip = std::move(chip->chip);
    if (auto id = review_->addDamage(added)) {
        selectDamage(project_->findDamage(*id));
        statusBar()->showMessage(QString("Damage %1 added: %2").arg(*id).arg(className(code)), 6000);
    }
}

void MainWindow::reloadDamages()
{
    if (!project_)
        return;
    auto data = loadProject(project_->path);
    if (!data) {
        report("The project could not be read again after the change: " + QString::fromStdString(data.error()));
        return;
    }
    setProjectData(std::make_unique<ProjectData>(std::move(*data)), true, true);
}

void MainWindow::editNote()
{
    if (selected_ < 0)
        return;
    bool ok = false;
    const QString note = QInputDialog::getMultiLineText(
        this, "Review note", QString("Note on damage %1").arg(project_->damages[size_t(selected_)].damage_id),
        QString::fromStdString(project_->damages[size_t(selected_)].review_note), &ok);
    if (ok)
        review_->edit(selected_, "review_note", note.toStdString());
}

} // namespace voirie::gui
