// MainWindow, the segments panel: the rated segments, the damages of the selected one, and
// rating the project again after a review.
#include "main_window.hpp"

#include "analysis_job.hpp"
#include "map_canvas.hpp"

#include "voirie/core/rating/segment_rating.hpp"
#include "voirie/core/vocabulary/damage_classes.hpp"

#include <QHeaderView>
#include <QLabel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>

namespace voirie::gui {

void MainWindow::fillSegments()
{
    segments_->setRowCount(0);
    segment_damages_->setRowCount(0);
    if (!project_)
        return;
    segments_->setRowCount(int(project_->segments.size()));
    for (int row = 0; row < int(project_->segments.size()); ++row) {
        const auto& s = project_->segments[size_t(row)];
        const QString label = QString::fromStdString(s.road_id.empty() ? s.label : s.road_id + " " + s.label);
        auto* grade = new QTableWidgetItem(QString::fromStdString(s.grade));
        grade->setBackground(QColor(QString::fromStdString(s.colour)));
        auto* index = new QTableWidgetItem;
        index->setData(Qt::DisplayRole, s.index);
        auto* surveyed = new QTableWidgetItem;
        surveyed->setData(Qt::DisplayRole, qRound(s.surveyed_m));
        auto* count = new QTableWidgetItem;
        count->setData(Qt::DisplayRole, int(s.damage_ids.size()));
        segments_->setItem(row, 0, new QTableWidgetItem(label));
        segments_->setItem(row, 1, grade);
        segments_->setItem(row, 2, index);
        segments_->setItem(row, 3, new QTableWidgetItem(QString::fromStdString(s.grade_label)));
        segments_->setItem(row, 4, new QTableWidgetItem(QString::fromStdString(s.treatment)));
        segments_->setItem(row, 5, surveyed);
        segments_->setItem(row, 6, count);
    }
    segments_->resizeColumnsToContents();
    tabs_->setTabText(1, project_->segments.empty() ? QString("Segments (not rated: voirie rate)")
                                                    : QString("Segments · %1").arg(QString::fromStdString(project_->scheme_title)));
}

void MainWindow::showSegmentDamages(int row)
{
    segment_damages_->setRowCount(0);
    if (!project_ || row < 0 || row >= int(project_->segments.size()))
        return;
    const auto& s = project_->segments[size_t(row)];
    MapRect r;
    for (const auto& p : s.map_path)
        r.extend(p);
    map_->zoomToRect(r);
    for (int64_t id : s.damage_ids) {
        const int i = project_->findDamage(id);
        if (i < 0)
            continue;
        const auto& d = project_->damages[size_t(i)];
        const int at = segment_damages_->rowCount();
        segment_damages_->insertRow(at);
        auto* item = new QTableWidgetItem(QString::number(id));
        item->setData(Qt::UserRole, qlonglong(id));
        segment_damages_->setItem(at, 0, item);
        auto* cls = new QTableWidgetItem(QString::fromStdString(d.class_code) + " " + className(d.class_code));
        cls->setData(Qt::DecorationRole, classColour(d.class_code));
        segment_damages_->setItem(at, 1, cls);
        segment_damages_->setItem(at, 2, new QTableWidgetItem(QString::fromStdString(d.severity)));
        segment_damages_->setItem(at, 3, new QTableWidgetItem(QString::fromStdString(d.review_state)));
    }
}

bool MainWindow::rateAgain()
{
    if (!project_ || job_->running())
        return false;
    auto options = recordedRateOptions(project_->path);
    if (options) {
        options->command_line = "voirie-app: Tools > Rate segments again";
        if (auto rated = rateProject(*options); !rated)
            options = fail(rated.error());
    }
    if (!options) {
        report("Cannot rate the segments: " + QString::fromStdString(options.error()));
        return false;
    }
    // Only the segments change: the damages, the view and the undo history stay as they are.
    auto fresh = loadProject(project_->path);
    if (!fresh) {
        report(QString::fromStdString(fresh.error()));
        return false;
    }
    project_->segments = std::move(fresh->segments);
    project_->grades = std::move(fresh->grades);
    project_->scheme_title = std::move(fresh->scheme_title);
    fillSegments();
    map_->update();
    statusBar()->showMessage(QString("Rated %1 segments (%2)")
                                 .arg(project_->segments.size())
                                 .arg(QString::fromStdString(project_->scheme_title)),
                             8000);
    return true;
}

} // namespace voirie::gui
