// voirie-app's main window: the map in the middle, the frame view beside it, the damage and
// segment tables below; review actions on single keys; a new survey analysed in the background.
#pragma once

#include "project_data.hpp"
#include "review_pace.hpp"

#include <QMainWindow>
#include <QPointF>

#include <filesystem>
#include <memory>

class QAction;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QTableView;
class QTableWidget;
class QTabWidget;
class QTemporaryDir;

namespace voirie {
struct AnalysisOptions;
}

namespace voirie::gui {

class AnalysisJob;
class DamageFilterModel;
class DamageTableModel;
class FrameView;
class MapCanvas;
class ReviewController;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a project (and the basemap.tif beside it, if any); false, with a message box unless
    // `quiet`, when it cannot be opened. The window keeps the previous project then.
    bool openProject(const QString& path, bool quiet = false);
    bool openBasemap(const QString& path, bool quiet = false);
    // The road-surface mosaic (voirie ortho) under the damages; opened with a project that names one.
    bool openSurface(const QString& path, bool quiet = false);
    // Starts analysing a survey in the background; the project shows as it is committed.
    bool startAnalysis(const AnalysisOptions& options);
    void cancelAnalysis();
    // How often the partial project of a running analysis is reloaded onto the map (ms).
    void setPartialReloadInterval(int ms) { reload_interval_ms_ = ms; }

    // Selection, by index into the project's damages (-1: none).
    void selectDamage(int index);
    int selectedDamage() const { return selected_; }
    // Next / previous damage in the table's current order and filter.
    void stepDamage(int direction);
    // The next damage in that order not yet reviewed, after the selected one and round again;
    // false when every damage shown is reviewed.
    bool stepToUnreviewed();
    // The frames that saw the selected damage, one by one (Review menu: , and .), and the one shown
    // made its evidence (V).
    QAction* chooseEvidenceAction() const { return choose_evidence_; }
    // Fast review: after Accept or Reject, the next unreviewed damage comes up (Review menu, F).
    QAction* fastReviewAction() const { return fast_review_; }
    // The reviewer's pace (the status bar's time left); tests set the decisions' times.
    ReviewPace& pace() { return pace_; }

    const ProjectData* project() const { return project_.get(); }
    MapCanvas* map() const { return map_; }
    FrameView* frameView() const { return frame_view_; }
    QTableView* damageTable() const { return table_; }
    QTableWidget* segmentTable() const { return segments_; }
    ReviewController* review() const { return review_; }
    AnalysisJob* analysis() const { return job_; }
    QString lastError() const { return last_error_; }

    // Rates the segments again with the options of the last rating (Tools menu): after a review,
    // rejected damages no longer count and reclassified ones count as their new class.
    bool rateAgain();
    // Compares this project with an older campaign's (voirie compare OLD THIS, into a temporary
    // file): the map colours damages by change, the table gets a Change column and filter, and
    // the selected damage shows then and now side by side. False, with a message unless
    // `quiet`, when the comparison cannot be made.
    bool compareWith(const QString& older_project, bool quiet = false);
    QComboBox* changeFilter() const { return change_filter_; }
    QLabel* thenImage() const { return then_image_; }
    QLabel* nowImage() const { return now_image_; }
    void showPlugins();
    void showExport();
    void showTrainingDataExport(); // File › Export training data (voirie dataset)
    void showNewSurvey();

Q_SIGNALS:
    void analysisFinished(bool ok);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void buildActions();
    void buildDocks();
    void setProjectData(std::unique_ptr<ProjectData> data, bool keep_view, bool keep_review = false);
    void applyFilter();
    void refreshFilterChoices();
    void fillSegments();
    void showSegmentDamages(int segment);
    void updateStatus();
    void review(const std::string& field, const std::string& value);
    void editNote();
    // The frame shown in the frame view becomes the selected damage's evidence (Review menu, V).
    void chooseEvidence();
    // The damages selected in the table merged into the current one (Review menu, Ctrl+M).
    void mergeSelected();
    // The selected damage split in two at the frame shown: its frames from there on become a new
    // damage (Review menu, Ctrl+K).
    void splitHere();
    // A damage drawn on the frame shown (the frame view's "Add a missed damage", D): projected to
    // the road through the run's camera and the frame's position, measured, stored as added.
    void addDrawnDamage(const QString& class_code, QPointF from, QPointF to);
    // The project read again after a merge (or its undo), the review's undo history kept.
    void reloadDamages();
    void addRecent(const QString& path);
    void fillRecentMenu();
    void reloadPartial();
    void report(const QString& message);
    void showComparison();      // the compare widgets shown or hidden (a comparison attached, or another project)
    void showThenAndNow();      // the selected damage's chips, then and now
    QWidget* buildThenAndNow();

    std::unique_ptr<ProjectData> project_;
    int selected_ = -1;
    MapCanvas* map_;
    FrameView* frame_view_;
    QTableView* table_;
    DamageTableModel* model_;
    DamageFilterModel* filter_model_;
    QTableWidget* segments_;
    QTableWidget* segment_damages_;
    QTabWidget* tabs_;
    QComboBox *class_filter_, *severity_filter_, *review_filter_, *plugin_filter_, *change_filter_;
    QWidget* then_and_now_;
    QLabel *then_image_, *now_image_, *then_caption_, *now_caption_;
    std::unique_ptr<QTemporaryDir> comparison_dir_;
    QDoubleSpinBox* confidence_filter_;
    QLabel *cursor_label_, *count_label_, *selection_label_, *details_;
    QProgressBar* progress_;
    QPushButton* cancel_button_;
    QMenu* recent_menu_;
    QAction* segments_action_;
    QAction* surface_action_;
    QAction* fast_review_;
    QAction* choose_evidence_;
    ReviewPace pace_;
    ReviewController* review_;
    AnalysisJob* job_;
    qint64 last_reload_ms_ = 0;
    int reload_interval_ms_ = 2000;
    QString last_error_;
};

} // namespace voirie::gui
