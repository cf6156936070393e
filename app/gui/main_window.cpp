// MainWindow: building the window (docks, actions, menus), opening projects and basemaps, the
// status bar, recent files, drag and drop. Split by concern as OBS splits OBSBasic: review
// (main_window_review.cpp), the segments panel (main_window_segments.cpp), analysis control
// (main_window_analysis.cpp).
#include "main_window.hpp"

#include "analysis_job.hpp"
#include "basemap.hpp"
#include "damage_table_model.hpp"
#include "export_dialog.hpp"
#include "training_data_dialog.hpp"
#include "frame_view.hpp"
#include "map_canvas.hpp"
#include "map_style.hpp"
#include "new_survey_dialog.hpp"
#include "plugins_dialog.hpp"
#include "review_controller.hpp"

#include "voirie/core/analysis/analysis_run.hpp"
#include "voirie/core/rating/segment_rating.hpp"
#include "voirie/core/vocabulary/damage_classes.hpp"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTableWidget>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

#include <set>

namespace voirie::gui {
namespace fs = std::filesystem;

namespace {

constexpr int kMaxRecent = 8;

bool isRasterFile(const QString& path)
{
    const QString s = QFileInfo(path).suffix().toLower();
    return s == "tif" || s == "tiff" || s == "mbtiles" || s == "vrt" || s == "jp2" || s == "png" || s == "jpg";
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle("Voirie");
    setAcceptDrops(true);
    resize(1500, 950);
    map_ = new MapCanvas(this);
    frame_view_ = new FrameView(this);
    review_ = new ReviewController(this);
    job_ = new AnalysisJob(this);

    details_ = new QLabel(this);
    details_->setObjectName("damageDetails");
    details_->setTextFormat(Qt::RichText);
    details_->setWordWrap(true);
    details_->setMargin(6);
    details_->setStyleSheet("QLabel#damageDetails { background: #f7f7f5; border-bottom: 1px solid #ddd; }");
    auto* right = new QWidget(this);
    auto* right_layout = new QVBoxLayout(right);
    right_layout->setContentsMargins(0, 0, 0, 0);
    right_layout->setSpacing(0);
    right_layout->addWidget(details_);
    right_layout->addWidget(frame_view_, 1);
    right_layout->addWidget(buildThenAndNow());
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(map_);
    split->addWidget(right);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({880, 620});
    setCentralWidget(split);

    buildDocks();
    buildActions();

    cursor_label_ = new QLabel(this);
    cursor_label_->setMinimumWidth(230);
    count_label_ = new QLabel(this);
    selection_label_ = new QLabel(this);
    progress_ = new QProgressBar(this);
    progress_->setMaximumWidth(260);
    progress_->setVisible(false);
    cancel_button_ = new QPushButton("Cancel analysis", this);
    cancel_button_->setVisible(false);
    statusBar()->addWidget(selection_label_, 1);
    statusBar()->addPermanentWidget(count_label_);
    statusBar()->addPermanentWidget(progress_);
    statusBar()->addPermanentWidget(cancel_button_);
    statusBar()->addPermanentWidget(cursor_label_);

    connect(map_, &MapCanvas::cursorMoved, this, [this](double lon, double lat) {
        cursor_label_->setText(QString("%1, %2").arg(lat, 0, 'f', 6).arg(lon, 0, 'f', 6));
    });
    connect(map_, &MapCanvas::damageClicked, this, &MainWindow::selectDamage);
    connect(map_, &MapCanvas::frameClicked, frame_view_, &FrameView::showFrame);
    connect(frame_view_, &FrameView::frameChanged, map_, &MapCanvas::setCurrentFrame);
    connect(frame_view_, &FrameView::damageClicked, this, [this](int64_t id) {
        if (project_)
            selectDamage(project_->findDamage(id));
    });
    connect(review_, &ReviewController::damageChanged, this, [this](int index) {
        model_->damageChanged(index);
        map_->damageChanged(index);
        refreshFilterChoices(); // a reclassified damage may bring a class the lists lacked
        updateStatus();
    });
    connect(review_, &ReviewController::failed, this, &MainWindow::report);
    connect(review_, &ReviewController::structureChanged, this, &MainWindow::reloadDamages);
    connect(frame_view_, &FrameView::damageDrawn, this, &MainWindow::addDrawnDamage);
    connect(cancel_button_, &QPushButton::clicked, this, &MainWindow::cancelAnalysis);
    connect(job_, &AnalysisJob::progressed, this, [this](double km_done, double km_total, qlonglong frames) {
        progress_->setRange(0, 1000);
        progress_->setValue(km_total > 0 ? int(1000 * km_done / km_total) : 0);
        progress_->setFormat(QString("%1 of %2 km · %3 frames").arg(km_done, 0, 'f', 2).arg(km_total, 0, 'f', 2).arg(frames));
        // Results appear as they are committed: reload the partial project now and then.
        if (const qint64 now = QDateTime::currentMSecsSinceEpoch(); now - last_reload_ms_ >= reload_interval_ms_) {
            last_reload_ms_ = now;
            reloadPartial();
        }
    });
    connect(job_, &AnalysisJob::warned, this, [this](const QString& s) { statusBar()->showMessage(s, 8000); });
    connect(job_, &AnalysisJob::finished, this, [this](bool ok, bool cancelled, const QString& message) {
        progress_->setVisible(false);
        cancel_button_->setVisible(false);
        const fs::path out = job_->options().out;
        if (!ok) {
            report("The analysis failed: " + message);
        } else if (cancelled) {
            statusBar()->showMessage("Analysis cancelled; what was done is kept in " +
                                         QString::fromStdString(partialProjectPath(out).string()) +
                                         " (continue it with voirie analyze --resume)",
                                     15000);
            reloadPartial();
        } else {
            openProject(QString::fromStdString(out.string()), true);
            statusBar()->showMessage("Analysis complete: " + message.section('\n', 0, 0), 15000);
        }
        Q_EMIT analysisFinished(ok);
    });
    updateStatus();
}

MainWindow::~MainWindow()
{
    // The child widgets outlive project_ (members die before children): let them go of it first;
    // the frame view waits for its worker, which may be reading it.
    frame_view_->setProject(nullptr);
    map_->setProject(nullptr);
    model_->setProject(nullptr);
    (void)review_->setProject(nullptr);
}

void MainWindow::buildDocks()
{
    model_ = new DamageTableModel(this);
    filter_model_ = new DamageFilterModel(this);
    filter_model_->setSourceModel(model_);
    table_ = new QTableView(this);
    table_->setModel(filter_model_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(DamageTableModel::Id, Qt::AscendingOrder);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection); // several, to merge them
    table_->setAlternatingRowColors(true);
    table_->verticalHeader()->setVisible(false);
    table_->verticalHeader()->setDefaultSectionSize(22);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
        if (current.isValid())
            selectDamage(filter_model_->mapToSource(current).row());
    });

    class_filter_ = new QComboBox(this);
    severity_filter_ = new QComboBox(this);
    severity_filter_->addItem("All severities", "");
    for (const char* s : {"L", "M", "H"})
        severity_filter_->addItem(QString("Severity %1").arg(s), s);
    review_filter_ = new QComboBox(this);
    review_filter_->addItem("All review states", "");
    for (const char* s : {"unreviewed", "accepted", "rejected"})
        review_filter_->addItem(s, s);
    plugin_filter_ = new QComboBox(this);
    change_filter_ = new QComboBox(this);
    change_filter_->setObjectName("changeFilter");
    change_filter_->addItem("All changes", "");
    for (const char* c : {"new", "grown", "unchanged", "not covered"})
        change_filter_->addItem(c, c);
    change_filter_->setVisible(false); // until a comparison is loaded
    confidence_filter_ = new QDoubleSpinBox(this);
    confidence_filter_->setRange(0, 1);
    confidence_filter_->setSingleStep(0.05);
    confidence_filter_->setPrefix("conf. ≥ ");
    for (QComboBox* box : {class_filter_, severity_filter_, review_filter_, plugin_filter_, change_filter_})
        connect(box, &QComboBox::currentIndexChanged, this, &MainWindow::applyFilter);
    connect(confidence_filter_, &QDoubleSpinBox::valueChanged, this, &MainWindow::applyFilter);
    auto* filters = new QHBoxLayout;
    filters->addWidget(new QLabel("Filter:"));
    for (QWidget* w : std::initializer_list<QWidget*>{class_filter_, severity_filter_, confidence_filter_, review_filter_,
                                                      plugin_filter_, change_filter_})
        filters->addWidget(w);
    filters->addStretch();
    auto* damage_page = new QWidget(this);
    auto* damage_layout = new QVBoxLayout(damage_page);
    damage_layout->setContentsMargins(4, 4, 4, 4);
    damage_layout->addLayout(filters);
    damage_layout->addWidget(table_, 1);

    segments_ = new QTableWidget(this);
    segments_->setColumnCount(7);
    segments_->setHorizontalHeaderLabels({"Segment", "Grade", "Index", "Condition", "Treatment", "Surveyed m", "Damages"});
    segment_damages_ = new QTableWidget(this);
    segment_damages_->setObjectName("segmentDamages");
    segment_damages_->setColumnCount(4);
    segment_damages_->setHorizontalHeaderLabels({"ID", "Class", "Severity", "Review"});
    for (QTableWidget* t : {segments_, segment_damages_}) {
        t->setSelectionBehavior(QAbstractItemView::SelectRows);
        t->setSelectionMode(QAbstractItemView::SingleSelection);
        t->setEditTriggers(QAbstractItemView::NoEditTriggers);
        t->verticalHeader()->setVisible(false);
        t->verticalHeader()->setDefaultSectionSize(22);
        t->horizontalHeader()->setStretchLastSection(true);
    }
    connect(segments_, &QTableWidget::currentCellChanged, this, [this](int row) { showSegmentDamages(row); });
    connect(segment_damages_, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (project_ && row >= 0)
            if (QTableWidgetItem* item = segment_damages_->item(row, 0))
                selectDamage(project_->findDamage(item->data(Qt::UserRole).toLongLong()));
    });
    auto* segment_page = new QSplitter(Qt::Horizontal, this);
    segment_page->addWidget(segments_);
    segment_page->addWidget(segment_damages_);
    segment_page->setSizes({900, 400});

    tabs_ = new QTabWidget(this);
    tabs_->addTab(damage_page, "Damages");
    tabs_->addTab(segment_page, "Segments");
    auto* dock = new QDockWidget("Survey", this);
    dock->setObjectName("surveyDock");
    dock->setWidget(tabs_);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    resizeDocks({dock}, {300}, Qt::Vertical);
}

void MainWindow::buildActions()
{
    auto action = [this](const QString& text, const QKeySequence& key, auto slot, const QString& tip = {}) {
        auto* a = new QAction(text, this);
        if (!key.isEmpty())
            a->setShortcut(key);
        a->setToolTip(tip.isEmpty() ? text : tip);
        a->setShortcutContext(Qt::WindowShortcut);
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        return a;
    };
    QMenu* file = menuBar()->addMenu("&File");
    QAction* open = action("&Open project…", QKeySequence::Open, [this] {
        const QString path = QFileDialog::getOpenFileName(this, "Open project", {}, "Voirie project (*.gpkg)");
        if (!path.isEmpty())
            openProject(path);
    });
    file->addAction(open);
    recent_menu_ = file->addMenu("Open &recent");
    fillRecentMenu();
    QAction* survey = action("&New survey…", QKeySequence::New, [this] { showNewSurvey(); });
    file->addAction(survey);
    file->addAction(action("&Compare with an older survey…", QKeySequence(), [this] {
        const QString path = QFileDialog::getOpenFileName(this, "The older survey's project", QString(),
                                                          "Voirie projects (*.gpkg)");
        if (!path.isEmpty())
            compareWith(path);
    }));
    QAction* basemap = action("Open &basemap…", QKeySequence(), [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, "Open basemap", {}, "Rasters (*.tif *.tiff *.mbtiles *.gpkg *.vrt *.jp2);;All files (*)");
        if (!path.isEmpty())
            openBasemap(path);
    });
    file->addAction(basemap);
    file->addAction(action("Open road &surface…", QKeySequence(), [this] {
        const QString path = QFileDialog::getOpenFileName(this, "Open road surface", {}, "GeoTIFF (*.tif *.tiff);;All files (*)");
        if (!path.isEmpty())
            openSurface(path);
    }, "A surface mosaic made by voirie ortho, drawn under the damages"));
    file->addAction(action("Open basemap &tile folder…", QKeySequence(), [this] {
        const QString path = QFileDialog::getExistingDirectory(this, "XYZ tile folder (z/x/y.png)");
        if (!path.isEmpty())
            openBasemap(path);
    }));
    QAction* exporting = action("&Export layers…", QKeySequence("Ctrl+E"), [this] { showExport(); });
    file->addAction(exporting);
    file->addAction(action("Export &training data…", QKeySequence(), [this] { showTrainingDataExport(); }));
    file->addSeparator();
    file->addAction(action("&Quit", QKeySequence::Quit, [this] { close(); }));

    QMenu* edit = menuBar()->addMenu("&Edit");
    QAction* undo = review_->undoStack()->createUndoAction(this, "&Undo");
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = review_->undoStack()->createRedoAction(this, "&Redo");
    redo->setShortcuts({QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")});
    edit->addAction(undo);
    edit->addAction(redo);

    QMenu* reviewing = menuBar()->addMenu("&Review");
    QAction* accept = action("&Accept", QKeySequence("A"), [this] { review("review_state", "accepted"); },
                             "Accept the selected damage (A)");
    QAction* reject = action("&Reject", QKeySequence("R"), [this] { review("review_state", "rejected"); },
                             "Reject the selected damage (R)");
    reviewing->addAction(accept);
    reviewing->addAction(reject);
    reviewing->addAction(action("Mark &unreviewed", QKeySequence("U"), [this] { review("review_state", "unreviewed"); }));
    reviewing->addSeparator();
    const char* classes[] = {"D00", "D10", "D20", "D40"};
    for (int i = 0; i < 4; ++i)
        reviewing->addAction(action(QString("Class %1 %2").arg(classes[i], className(classes[i])),
                                    QKeySequence(QString::number(i + 1)),
                                    [this, c = std::string(classes[i])] { review("class", c); }));
    reviewing->addSeparator();
    for (const char* s : {"L", "M", "H"})
        reviewing->addAction(action(QString("Severity %1").arg(s), QKeySequence(s),
                                    [this, v = std::string(s)] { review("severity", v); }));
    reviewing->addSeparator();
    reviewing->addAction(action("Add &note…", QKeySequence("E"), [this] { editNote(); }));
    reviewing->addSeparator();
    reviewing->addAction(action("Previous frame of this damage", QKeySequence(","), [this] { frame_view_->stepDamageFrame(-1); }));
    reviewing->addAction(action("Next frame of this damage", QKeySequence("."), [this] { frame_view_->stepDamageFrame(1); }));
    choose_evidence_ = action("Make this frame the e&vidence", QKeySequence("V"), [this] { chooseEvidence(); },
                              "The frame shown becomes the selected damage's evidence: its chip is cut from it, anonymized (V)");
    reviewing->addAction(choose_evidence_);
    reviewing->addAction(action("&Merge the selected damages", QKeySequence("Ctrl+M"), [this] { mergeSelected(); },
                                "One defect recorded as several: the damages selected in the table (Ctrl+click) "
                                "merged into the current one (Ctrl+M)"));
    reviewing->addAction(action("A&dd a missed damage (drag on the frame)", QKeySequence("D"), [this] { frame_view_->setDrawing(true); },
                                "Drag on the frame: a box for a pothole or an alligator area, a line for a crack (D)"));
    reviewing->addAction(action("&Split the damage here", QKeySequence("Ctrl+K"), [this] { splitHere(); },
                                "Two defects recorded as one: the frames from the one shown on become a new damage "
                                "(Ctrl+K)"));
    reviewing->addSeparator();
    fast_review_ = action("&Fast review: the next unreviewed after each decision", QKeySequence("F"), [](bool) {},
                          "After Accept or Reject, jump to the next damage not yet reviewed (F)");
    fast_review_->setCheckable(true);
    reviewing->addAction(fast_review_);
    QAction* next = action("&Next damage", QKeySequence("N"), [this] { stepDamage(1); });
    QAction* previous = action("&Previous damage", QKeySequence("P"), [this] { stepDamage(-1); });
    reviewing->addAction(next);
    reviewing->addAction(previous);

    QMenu* view = menuBar()->addMenu("&View");
    QAction* track = action("Zoom to &track", QKeySequence("Ctrl+0"), [this] { map_->zoomToTrack(); });
    QAction* selection = action("Zoom to &selection", QKeySequence("Z"), [this] { map_->zoomToSelection(); });
    segments_action_ = action("Show rated &segments", QKeySequence("G"), [this](bool on) { map_->setShowSegments(on); },
                              "Colour the road by segment grade (G)");
    segments_action_->setCheckable(true);
    segments_action_->setChecked(true);
    view->addAction(track);
    view->addAction(selection);
    view->addAction(segments_action_);
    surface_action_ = action("Show road s&urface", QKeySequence("S"), [this](bool on) { map_->setShowSurface(on); },
                             "The road itself under the damages: the survey's surface mosaic (voirie ortho)");
    surface_action_->setCheckable(true);
    surface_action_->setChecked(true);
    surface_action_->setEnabled(false);
    view->addAction(surface_action_);
    QMenu* opacity = view->addMenu("Road surface &opacity");
    auto* opacities = new QActionGroup(this);
    for (const int percent : {100, 75, 50, 25}) {
        QAction* a = opacity->addAction(QString("%1 %").arg(percent), this, [this, percent] { map_->setSurfaceOpacity(percent / 100.0); });
        a->setCheckable(true);
        a->setChecked(percent == 100);
        opacities->addAction(a);
    }
    view->addAction(action("Play / pause frames", QKeySequence("Space"),
                           [this] { frame_view_->setPlaying(!frame_view_->playing()); }));
    QMenu* tools = menuBar()->addMenu("&Tools");
    QAction* plugins = action("&Plugins…", QKeySequence(), [this] { showPlugins(); });
    tools->addAction(plugins);
    tools->addAction(action("&Rate segments again", QKeySequence(), [this] { rateAgain(); },
                            "Grade the segments again with the reviewed damages (the options of the last rating)"));

    QToolBar* bar = addToolBar("Main");
    bar->setObjectName("mainToolBar");
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    for (QAction* a : {open, survey, basemap})
        bar->addAction(a);
    bar->addSeparator();
    for (QAction* a : {track, selection, segments_action_})
        bar->addAction(a);
    bar->addSeparator();
    for (QAction* a : {accept, reject, previous, next, undo, redo})
        bar->addAction(a);
    bar->addSeparator();
    bar->addAction(exporting);
    bar->addAction(plugins);
}

bool MainWindow::openProject(const QString& path, bool quiet)
{
    auto data = loadProject(path.toStdString());
    if (!data) {
        last_error_ = QString::fromStdString(data.error());
        if (!quiet)
            QMessageBox::warning(this, "Open project", last_error_);
        return false;
    }
    setProjectData(std::make_unique<ProjectData>(std::move(*data)), false);
    if (auto ok = review_->setProject(project_.get()); !ok)
        report("Reviews cannot be saved: " + QString::fromStdString(ok.error()));
    addRecent(QFileInfo(path).absoluteFilePath());
    setWindowTitle(QString("%1%2 — Voirie")
                       .arg(QFileInfo(path).fileName(), project_->run_status == "partial" ? " (partial survey)" : ""));
    if (project_->run_status == "partial") {
        const QString partial = "This survey is partial: part of the footage could not be analysed" +
                                QString::fromStdString(project_->partial_reasons.empty()
                                                           ? ""
                                                           : " (" + project_->partial_reasons.front() + ")") +
                                ". Damages and grades cover only what was.";
        // Posted: a message shown before the window is (a project given on the command line)
        // cannot hide the selection label, and the two were drawn over each other.
        if (quiet)
            QTimer::singleShot(0, this, [this, partial] { statusBar()->showMessage(partial, 15000); });
        else
            report(partial);
    }
    const fs::path beside = fs::path(path.toStdString()).parent_path() / "basemap.tif";
    if (fs::exists(beside))
        openBasemap(QString::fromStdString(beside.string()), true);
    map_->setSurface(nullptr);
    surface_action_->setEnabled(false);
    if (project_->surface)
        openSurface(QString::fromStdString(project_->surface->string()), true);
    map_->zoomToTrack();
    return true;
}

bool MainWindow::openBasemap(const QString& path, bool quiet)
{
    auto basemap = Basemap::open(path.toStdString());
    if (!basemap) {
        last_error_ = QString::fromStdString(basemap.error());
        if (!quiet)
            QMessageBox::warning(this, "Open basemap", last_error_);
        return false;
    }
    map_->setBasemap(std::move(*basemap));
    return true;
}

bool MainWindow::openSurface(const QString& path, bool quiet)
{
    auto surface = Basemap::open(path.toStdString());
    if (!surface) {
        last_error_ = QString::fromStdString(surface.error());
        if (!quiet)
            QMessageBox::warning(this, "Open road surface", last_error_);
        return false;
    }
    map_->setSurface(std::move(*surface));
    surface_action_->setEnabled(true);
    surface_action_->setChecked(true);
    map_->setShowSurface(true);
    return true;
}

void MainWindow::setProjectData(std::unique_ptr<ProjectData> data, bool keep_view, bool keep_review)
{
    const int64_t selected_id = project_ && selected_ >= 0 ? project_->damages[size_t(selected_)].damage_id : -1;
    const int shown_position = frame_view_->currentFrame();
    const int64_t shown_frame = project_ && shown_position >= 0 ? project_->frames[size_t(shown_position)].index : -1;
    // The views let go of the old data before it is freed; reviews wait for openProject.
    map_->setProject(nullptr);
    frame_view_->setProject(nullptr);
    model_->setProject(nullptr);
    if (keep_review)
        review_->rebind(data.get());
    else
        (void)review_->setProject(nullptr);
    project_ = std::move(data);
    selected_ = -1;
    model_->setProject(project_.get());
    map_->setProject(project_.get());
    frame_view_->setProject(project_.get());
    if (!keep_view)
        map_->zoomToTrack();
    refreshFilterChoices();
    showComparison(); // a new project has no comparison until one is made
    applyFilter();
    fillSegments();
    table_->resizeColumnsToContents();
    if (project_ && selected_id >= 0)
        selectDamage(project_->findDamage(selected_id));
    // The same project read again (after a merge, a split, an added damage undone): the frame
    // view stays where it was when the selection is gone.
    if (project_ && keep_review && selected_ < 0 && shown_frame >= 0)
        frame_view_->showFrame(project_->findFrame(shown_frame));
    updateStatus();
}

void MainWindow::updateStatus()
{
    if (!project_) {
        count_label_->setText("No project · File › Open, or drop a .gpkg here");
        selection_label_->clear();
        details_->setText("<span style='color:#666'>Open a project (File › Open, or drop a .gpkg here), or start a "
                          "new survey (File › New survey).</span>");
        return;
    }
    int accepted = 0, rejected = 0;
    for (const auto& d : project_->damages)
        accepted += d.review_state == "accepted", rejected += d.review_state == "rejected";
    int reviewed = 0;
    for (const auto& d : project_->damages)
        reviewed += isReviewed(d);
    count_label_->setText(QString("%1 damages · %2 shown · %3 accepted · %4 rejected · %5")
                              .arg(project_->damages.size())
                              .arg(filter_model_->rowCount())
                              .arg(accepted)
                              .arg(rejected)
                              .arg(pace_.progress(reviewed, int(project_->damages.size()))));
    if (selected_ >= 0) {
        const auto& d = project_->damages[size_t(selected_)];
        selection_label_->setText(QString("Damage %1 · %2 %3 · severity %4 · %5 · chainage %6 m")
                                      .arg(d.damage_id)
                                      .arg(QString::fromStdString(d.class_code), className(d.class_code),
                                           QString::fromStdString(d.severity.empty() ? "—" : d.severity),
                                           QString::fromStdString(d.review_state))
                                      .arg(d.chainage_m, 0, 'f', 1));
        QStringList measures;
        if (d.length_m > 0)
            measures << QString("length %1 m").arg(d.length_m, 0, 'f', 2);
        if (d.area_m2 > 0)
            measures << QString("area %1 m²").arg(d.area_m2, 0, 'f', 2);
        if (d.width_mm > 0)
            measures << QString("width %1 mm").arg(d.width_mm, 0, 'f', 0);
        measures << QString("confidence %1").arg(d.confidence, 0, 'f', 2)
                 << QString("seen in %1 frames").arg(d.n_frames);
        const QString state_colour = d.review_state == "accepted" ? "#1b7a2c" : d.review_state == "rejected" ? "#b00020" : "#666";
        details_->setText(
            QString("<span style='font-size:14pt; font-weight:600; color:%1'>&#9632;</span> "
                    "<b>%2 %3</b> &nbsp;·&nbsp; severity <b>%4</b> &nbsp;·&nbsp; damage %5 at %6 m"
                    "&nbsp;·&nbsp; <b style='color:%7'>%8</b><br>%9%10")
                .arg(classColour(d.class_code).name(), QString::fromStdString(d.class_code), className(d.class_code),
                     QString::fromStdString(d.severity.empty() ? "—" : d.severity))
                .arg(d.damage_id)
                .arg(d.chainage_m, 0, 'f', 1)
                .arg(state_colour, QString::fromStdString(d.review_state), measures.join(" · ").toHtmlEscaped(),
                     d.review_note.empty() ? QString()
                                           : "<br><i>Note: " + QString::fromStdString(d.review_note).toHtmlEscaped() + "</i>"));
    } else {
        selection_label_->setText("A accept · R reject · 1–4 class · L/M/H severity · E note · N/P next/previous");
        details_->setText("<span style='color:#666'>Select a damage on the map or in the table. "
                          "<b>A</b> accept · <b>R</b> reject · <b>1–4</b> class · <b>L/M/H</b> severity · "
                          "<b>E</b> note · <b>N/P</b> next/previous · <b>Ctrl+Z</b> undo</span>");
    }
}

void MainWindow::report(const QString& message)
{
    last_error_ = message;
    statusBar()->showMessage(message, 15000);
    if (!qApp->platformName().contains("offscreen"))
        QMessageBox::warning(this, "Voirie", message);
}

void MainWindow::addRecent(const QString& path)
{
    QSettings settings;
    QStringList recent = settings.value("recentProjects").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue("recentProjects", recent);
    fillRecentMenu();
}

void MainWindow::fillRecentMenu()
{
    recent_menu_->clear();
    const QStringList recent = QSettings().value("recentProjects").toStringList();
    for (const QString& path : recent)
        connect(recent_menu_->addAction(path), &QAction::triggered, this, [this, path] { openProject(path); });
    recent_menu_->setEnabled(!recent.isEmpty());
}

void MainWindow::showPlugins()
{
    auto* dialog = new PluginsDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::showExport()
{
    if (!project_) {
        statusBar()->showMessage("Open a project first", 4000);
        return;
    }
    auto* dialog = new ExportDialog(project_->path, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::showTrainingDataExport()
{
    if (!project_) {
        statusBar()->showMessage("Open a project first", 4000);
        return;
    }
    auto* dialog = new TrainingDataDialog(project_->path, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    for (const QUrl& url : event->mimeData()->urls()) {
        const QString path = url.toLocalFile();
        // A GeoPackage is a project, or else a tile basemap.
        if (path.endsWith(".gpkg", Qt::CaseInsensitive) && openProject(path, true))
            continue;
        if (isRasterFile(path) || path.endsWith(".gpkg", Qt::CaseInsensitive) || QFileInfo(path).isDir())
            openBasemap(path);
    }
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (job_->running() &&
        QMessageBox::question(this, "Analysis running",
                              "An analysis is running. Cancel it and quit? What was analysed is kept and can be "
                              "resumed.") != QMessageBox::Yes) {
        event->ignore();
        return;
    }
    job_->cancel();
    event->accept();
}

} // namespace voirie::gui
