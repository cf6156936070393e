// voirie-app on the sample project: opening, selection that follows between table, map and frame
// view, review with the keyboard written at once (and still there after reopening), undo/redo,
// export through the dialog, the plugins window, and bad input that leaves the window usable.
#include "cli_fixtures.hpp"
#include "sample_survey.hpp"

#include "damage_table_model.hpp"
#include "basemap.hpp"
#include "export_dialog.hpp"
#include "frame_view.hpp"
#include "main_window.hpp"
#include "map_canvas.hpp"
#include "plugins_dialog.hpp"
#include "review_controller.hpp"
#include "review_pace.hpp"
#include "training_data_dialog.hpp"

#include <QApplication>
#include <QElapsedTimer>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QLineEdit>
#include <QMimeData>
#include <QStatusBar>
#include <QSettings>
#include <QUrl>
#include <QDropEvent>
#include <QTableView>
#include <QTableWidget>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>
#include <QTreeWidget>
#include <QUndoStack>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

namespace fs = std::filesystem;
using namespace voirie;
using namespace voirie::test;
using voirie::gui::MainWindow;
namespace gui = voirie::gui;

namespace {

class AppTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        const fs::path cached = cachedSampleProject();
        ASSERT_TRUE(fs::exists(cached));
        fs::copy_file(cached, project());
        fs::copy_file(cached.parent_path() / "basemap.tif", dir_ / "basemap.tif");
        window_ = std::make_unique<MainWindow>();
        window_->resize(1400, 900);
        window_->show();
        ASSERT_TRUE(window_->openProject(QString::fromStdString(project().string()), true))
            << window_->lastError().toStdString();
        QApplication::processEvents();
    }

    fs::path project() const { return dir_ / "project.gpkg"; }
    std::string stored(int64_t damage_id, const std::string& field)
    {
        auto ds = openVector(project());
        OGRLayer* l = ds->ExecuteSQL(("SELECT " + field + " FROM damages WHERE damage_id = " +
                                      std::to_string(damage_id)).c_str(), nullptr, nullptr);
        OGRFeatureUniquePtr f(l->GetNextFeature());
        std::string value = f ? f->GetFieldAsString(0) : "(none)";
        ds->ReleaseResultSet(l);
        return value;
    }
    void key(int k, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
    {
        QTest::keyClick(window_->map(), Qt::Key(k), modifiers);
        QApplication::processEvents();
    }
    int64_t idAt(int index) const { return window_->project()->damages[size_t(index)].damage_id; }

    TempDir dir_;
    std::unique_ptr<MainWindow> window_;
};

TEST_F(AppTest, OpensTheSampleProjectWithEveryDamageTrackFramesBasemapAndSegments)
{
    const auto* p = window_->project();
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(static_cast<long long>(p->damages.size()), sqlNumber(project(), "SELECT COUNT(*) FROM damages"));
    EXPECT_EQ(static_cast<long long>(p->frames.size()), sqlNumber(project(), "SELECT COUNT(*) FROM frames"));
    EXPECT_GT(p->damages.size(), 3u);
    EXPECT_FALSE(p->track.empty());
    EXPECT_NE(window_->map()->basemap(), nullptr) << "basemap.tif beside the project is opened";
    EXPECT_EQ(window_->damageTable()->model()->rowCount(), int(p->damages.size()));
    EXPECT_EQ(static_cast<long long>(p->segments.size()), sqlNumber(project(), "SELECT COUNT(*) FROM segments"));
    EXPECT_EQ(window_->segmentTable()->rowCount(), int(p->segments.size()));
    // The whole track fits the map.
    for (const auto& part : p->track)
        for (const auto& point : part)
            EXPECT_TRUE(window_->map()->rect().contains(window_->map()->toScreen(point).toPoint()));
}

TEST_F(AppTest, SelectingInTheTableMovesTheMapAndTheFrameView)
{
    QTableView* table = window_->damageTable();
    const int row = 2;
    table->selectRow(row);
    QApplication::processEvents();
    window_->frameView()->waitForLoad();
    const auto* model = static_cast<const QSortFilterProxyModel*>(table->model());
    const int index = model->mapToSource(model->index(row, 0)).row();
    ASSERT_EQ(window_->selectedDamage(), index);
    const auto& d = window_->project()->damages[size_t(index)];
    // The map highlights it, on screen.
    EXPECT_EQ(window_->map()->damageAt(window_->map()->toScreen(d.centre)), index);
    EXPECT_TRUE(window_->map()->rect().contains(window_->map()->toScreen(d.centre).toPoint()));
    // The frame view shows its evidence frame, decoded from the survey video, with its detection.
    const auto* frames = window_->frameView();
    EXPECT_EQ(frames->shownDamageId(), d.damage_id);
    ASSERT_GE(frames->currentFrame(), 0);
    EXPECT_EQ(window_->project()->frames[size_t(frames->currentFrame())].index, d.evidence_frame);
    EXPECT_FALSE(frames->canvas()->image().isNull());
    bool drawn = false;
    for (const auto& detection : frames->canvas()->detections())
        drawn = drawn || detection.damage_id == d.damage_id;
    EXPECT_TRUE(drawn) << "the damage's own detection is drawn on its evidence frame";
    EXPECT_TRUE(frames->anonymizing()) << "frames are anonymized by default";
}

TEST_F(AppTest, WheelZoomsAroundTheCursorDragPansAndKeysNavigate)
{
    gui::MapCanvas* map = window_->map();
    const QPointF cursor(map->width() * 0.3, map->height() * 0.6);
    const gui::MapPoint under = map->toMap(cursor);
    const double before = map->metresPerPixel();
    QWheelEvent wheel(cursor, map->mapToGlobal(cursor), QPoint(), QPoint(0, 240), Qt::NoButton, Qt::NoModifier,
                      Qt::NoScrollPhase, false);
    QApplication::sendEvent(map, &wheel);
    EXPECT_NEAR(map->metresPerPixel(), before / 1.5625, before * 1e-9) << "two notches in";
    const gui::MapPoint still = map->toMap(cursor);
    EXPECT_NEAR(still.x, under.x, 1e-6);
    EXPECT_NEAR(still.y, under.y, 1e-6) << "the point under the cursor stays under it";

    const gui::MapPoint centre = map->centre();
    QTest::mousePress(map, Qt::LeftButton, Qt::NoModifier, QPoint(200, 200));
    QMouseEvent move(QEvent::MouseMove, QPointF(260, 170), map->mapToGlobal(QPointF(260, 170)), Qt::NoButton,
                     Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(map, &move);
    QTest::mouseRelease(map, Qt::LeftButton, Qt::NoModifier, QPoint(260, 170));
    EXPECT_NEAR(map->centre().x, centre.x - 60 * map->metresPerPixel(), 1e-6) << "the map follows the hand";
    EXPECT_NEAR(map->centre().y, centre.y - 30 * map->metresPerPixel(), 1e-6);

    const gui::MapPoint dragged = map->centre();
    QTest::keyClick(map, Qt::Key_Right);
    EXPECT_GT(map->centre().x, dragged.x);
    QTest::keyClick(map, Qt::Key_Minus);
    EXPECT_GT(map->metresPerPixel(), before / 1.5625);
    QTest::keyClick(map, Qt::Key_Home);
    for (const auto& part : window_->project()->track)
        for (const auto& point : part)
            EXPECT_TRUE(map->rect().contains(map->toScreen(point).toPoint())) << "Home fits the track again";
    // The cursor's position reads in degrees.
    QSignalSpy cursor_moved(map, &gui::MapCanvas::cursorMoved);
    QTest::mouseMove(map, QPoint(100, 100));
    QMouseEvent hover(QEvent::MouseMove, QPointF(100, 100), map->mapToGlobal(QPointF(100, 100)), Qt::NoButton,
                      Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(map, &hover);
    ASSERT_GE(cursor_moved.count(), 1);
    double lon, lat;
    gui::fromMercator(map->toMap(QPointF(100, 100)), lon, lat);
    EXPECT_NEAR(cursor_moved.last().at(0).toDouble(), lon, 1e-9);
    EXPECT_NEAR(cursor_moved.last().at(1).toDouble(), lat, 1e-9);
}

TEST_F(AppTest, ClickingADamageOnTheMapSelectsItInTheTableAndFrameView)
{
    const int index = int(window_->project()->damages.size()) - 1;
    window_->map()->zoomToRect(window_->project()->damages[size_t(index)].bounds);
    QApplication::processEvents();
    const QPoint at = window_->map()->toScreen(window_->project()->damages[size_t(index)].centre).toPoint();
    QTest::mouseClick(window_->map(), Qt::LeftButton, Qt::NoModifier, at);
    QApplication::processEvents();
    window_->frameView()->waitForLoad();
    EXPECT_EQ(window_->selectedDamage(), index);
    const auto* model = static_cast<const QSortFilterProxyModel*>(window_->damageTable()->model());
    EXPECT_EQ(model->mapToSource(window_->damageTable()->currentIndex()).row(), index);
    EXPECT_EQ(window_->frameView()->shownDamageId(), idAt(index));
}

TEST_F(AppTest, ClickingADetectionInTheFrameSelectsItsDamage)
{
    window_->selectDamage(0);
    window_->frameView()->waitForLoad();
    const auto* canvas = window_->frameView()->canvas();
    ASSERT_FALSE(canvas->detections().empty());
    window_->selectDamage(-1);
    // The frame may also show detections the tracker kept out of every damage (seen once, faint).
    const auto& shown = canvas->detections();
    const auto of_a_damage = std::find_if(shown.begin(), shown.end(), [](const auto& d) { return d.damage_id >= 0; });
    ASSERT_NE(of_a_damage, shown.end()) << "the best view of damage 0 shows its own detection";
    const auto detection = *of_a_damage; // a copy: the click replaces the canvas's list
    // Where the detection's box centre is drawn in the canvas.
    const QImage& image = canvas->image();
    const double scale = std::min(canvas->width() / double(image.width()), canvas->height() / double(image.height()));
    const QPointF origin((canvas->width() - image.width() * scale) / 2, (canvas->height() - image.height() * scale) / 2);
    const QPointF at = origin + QPointF(detection.box_x + detection.box_width / 2, detection.box_y + detection.box_height / 2) * scale;
    QTest::mouseClick(const_cast<voirie::gui::FrameCanvas*>(canvas), Qt::LeftButton, Qt::NoModifier, at.toPoint());
    QApplication::processEvents();
    EXPECT_EQ(window_->selectedDamage(), window_->project()->findDamage(detection.damage_id));
}

QString statusCounts(const MainWindow& window)
{
    for (const QLabel* label : window.statusBar()->findChildren<QLabel*>())
        if (label->text().contains(" damages · "))
            return label->text();
    return {};
}

TEST_F(AppTest, FastReviewJumpsToTheNextUnreviewedAndTheStatusBarCountsThem)
{
    const int n = int(window_->project()->damages.size());
    ASSERT_GE(n, 4);
    EXPECT_TRUE(statusCounts(*window_).contains(QString("reviewed 0 / %1").arg(n))) << statusCounts(*window_).toStdString();
    window_->selectDamage(1);
    key(Qt::Key_A); // reviewed before fast review is on
    ASSERT_FALSE(window_->fastReviewAction()->isChecked()) << "an option, off until chosen";
    window_->selectDamage(0);
    key(Qt::Key_F);
    ASSERT_TRUE(window_->fastReviewAction()->isChecked());
    key(Qt::Key_R);
    EXPECT_EQ(stored(idAt(0), "review_state"), "rejected");
    EXPECT_EQ(window_->selectedDamage(), 2) << "damage 1 is reviewed already: skipped";
    EXPECT_TRUE(statusCounts(*window_).contains(QString("reviewed 2 / %1").arg(n))) << statusCounts(*window_).toStdString();
    // Leave damage 2 for later: from the last one, fast review comes round to it.
    window_->selectDamage(3);
    for (int i = 3; i < n; ++i)
        key(Qt::Key_A);
    EXPECT_EQ(window_->selectedDamage(), 2);
    key(Qt::Key_A);
    EXPECT_EQ(window_->selectedDamage(), 2) << "nothing left to review: the selection stays";
    EXPECT_EQ(window_->statusBar()->currentMessage(), "Every damage shown is reviewed");
    EXPECT_TRUE(statusCounts(*window_).startsWith(QString("%1 damages").arg(n)));
    EXPECT_TRUE(statusCounts(*window_).endsWith(QString("reviewed %1 / %1").arg(n))) << statusCounts(*window_).toStdString();
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM damages WHERE review_state = 'unreviewed'"), 0);
}

TEST_F(AppTest, StepThroughTheFramesThatSawADamageAndMakeOneItsEvidenceUndoably)
{
    const auto& damages = window_->project()->damages;
    const auto several = std::find_if(damages.begin(), damages.end(), [](const gui::DamageRecord& d) { return d.n_frames >= 3; });
    ASSERT_NE(several, damages.end());
    const int index = int(several - damages.begin());
    const int64_t id = several->damage_id, evidence = several->evidence_frame;
    const std::string chip_before = gui::loadChip(project(), id);
    ASSERT_FALSE(chip_before.empty());
    window_->selectDamage(index);
    window_->frameView()->waitForLoad();
    auto shown = [&] { return window_->project()->frames[size_t(window_->frameView()->currentFrame())].index; };
    ASSERT_EQ(shown(), evidence);
    key(Qt::Key_Period);
    if (shown() == evidence) // the evidence is its last frame: step back instead
        key(Qt::Key_Comma);
    window_->frameView()->waitForLoad();
    const int64_t chosen = shown();
    ASSERT_NE(chosen, evidence);
    EXPECT_EQ(window_->frameView()->shownDamageId(), id) << "stepping through its frames keeps the damage shown";
    auto in_frame = gui::loadFrameDetections(project(), chosen);
    ASSERT_TRUE(in_frame);
    EXPECT_TRUE(std::any_of(in_frame->begin(), in_frame->end(), [&](const gui::FrameDetection& f) { return f.damage_id == id; }));

    key(Qt::Key_V);
    EXPECT_EQ(stored(id, "evidence_frame"), std::to_string(chosen)) << window_->statusBar()->currentMessage().toStdString();
    EXPECT_EQ(window_->project()->damages[size_t(index)].evidence_frame, chosen);
    const std::string chip_after = gui::loadChip(project(), id);
    EXPECT_NE(chip_after, chip_before);
    const QImage picture = QImage::fromData(QByteArray(chip_after.data(), int(chip_after.size())), "JPG");
    EXPECT_GE(picture.width(), 192) << "a chip as the analysis cuts them";
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM review_log WHERE damage_id = " + std::to_string(id) +
                                       " AND field = 'evidence_frame' AND action = 'edit' AND old_value = '" +
                                       std::to_string(evidence) + "' AND new_value = '" + std::to_string(chosen) + "'"),
              1);

    window_->review()->undoStack()->undo();
    EXPECT_EQ(stored(id, "evidence_frame"), std::to_string(evidence));
    EXPECT_EQ(gui::loadChip(project(), id), chip_before) << "the old chip back";
    window_->review()->undoStack()->redo();
    EXPECT_EQ(stored(id, "evidence_frame"), std::to_string(chosen));
    EXPECT_EQ(gui::loadChip(project(), id), chip_after);

    // A frame without a detection of it: said so, nothing written.
    const int elsewhere = window_->frameView()->currentFrame() < 5 ? int(window_->project()->frames.size()) - 1 : 0;
    window_->frameView()->showFrame(elsewhere);
    window_->frameView()->waitForLoad();
    key(Qt::Key_V);
    EXPECT_TRUE(window_->statusBar()->currentMessage().contains("no detection of damage")) << window_->statusBar()->currentMessage().toStdString();
    EXPECT_EQ(stored(id, "evidence_frame"), std::to_string(chosen));
}

TEST_F(AppTest, MergingTwoRecordsOfOneDefectIsWrittenUndoneAndRedone)
{
    const auto& damages = window_->project()->damages;
    // Two damages with footprints of one kind (two areas, or two lines).
    int a = -1, b = -1;
    for (int i = 0; i < int(damages.size()) && b < 0; ++i)
        for (int j = i + 1; j < int(damages.size()) && b < 0; ++j)
            if (damages[size_t(i)].shape == damages[size_t(j)].shape && damages[size_t(i)].shape != gui::ShapeKind::Point)
                a = i, b = j;
    ASSERT_GE(b, 0);
    const int64_t kept = idAt(a), other = idAt(b);
    const size_t before = damages.size();
    const auto detections_of = [&](int64_t id) {
        return sqlNumber(project(), "SELECT COUNT(*) FROM detections WHERE damage_id = " + std::to_string(id));
    };
    const long long kept_detections = detections_of(kept), other_detections = detections_of(other);
    ASSERT_GT(other_detections, 0);

    window_->selectDamage(a);
    QTableView* table = window_->damageTable();
    const auto* model = static_cast<const QSortFilterProxyModel*>(table->model());
    QModelIndex second;
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->mapToSource(model->index(row, 0)).row() == b)
            second = model->index(row, 0);
    ASSERT_TRUE(second.isValid());
    table->selectionModel()->select(second, QItemSelectionModel::Select | QItemSelectionModel::Rows); // Ctrl+click
    ASSERT_EQ(window_->selectedDamage(), a);
    key(Qt::Key_M, Qt::ControlModifier);

    ASSERT_EQ(window_->project()->damages.size(), before - 1) << window_->statusBar()->currentMessage().toStdString();
    EXPECT_EQ(window_->project()->findDamage(other), -1);
    ASSERT_GE(window_->project()->findDamage(kept), 0);
    EXPECT_EQ(window_->selectedDamage(), window_->project()->findDamage(kept)) << "the merged damage stays selected";
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM damages"), static_cast<long long>(before - 1));
    EXPECT_EQ(detections_of(kept), kept_detections + other_detections) << "its detections came along";
    EXPECT_EQ(detections_of(other), 0);
    EXPECT_EQ(stored(kept, "n_frames"),
              std::to_string(sqlNumber(project(), "SELECT COUNT(DISTINCT frame_index) FROM detections WHERE damage_id = " +
                                                      std::to_string(kept))));
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM review_log WHERE damage_id = " + std::to_string(other) +
                                       " AND field = 'merged_into' AND new_value = '" + std::to_string(kept) + "'"),
              1);
    // The merged project exports and rates as any.
    auto r = runVoirie("export " + shellQuoted(project()) + " --format geojson --out " + shellQuoted(dir_ / "merged.geojson"));
    EXPECT_EQ(r.exit_code, 0) << r.err;

    window_->review()->undoStack()->undo();
    EXPECT_EQ(window_->project()->damages.size(), before);
    EXPECT_GE(window_->project()->findDamage(other), 0);
    EXPECT_EQ(detections_of(other), other_detections);
    EXPECT_EQ(detections_of(kept), kept_detections);
    window_->review()->undoStack()->redo();
    EXPECT_EQ(window_->project()->damages.size(), before - 1);
    EXPECT_EQ(detections_of(other), 0);
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM review_log WHERE field = 'merged_into'"), 3) << "edit, undo, redo";
}

TEST_F(AppTest, SplittingADamageAtAFrameMakesTwoEachWithItsOwnFramesAndChipUndoably)
{
    const auto& damages = window_->project()->damages;
    const auto several = std::find_if(damages.begin(), damages.end(), [](const gui::DamageRecord& d) { return d.n_frames >= 3; });
    ASSERT_NE(several, damages.end());
    const int index = int(several - damages.begin());
    const int64_t id = several->damage_id;
    const size_t before = damages.size();
    const std::string n_frames = stored(id, "n_frames"); // the damages are read again after a split
    const long long detections = sqlNumber(project(), "SELECT COUNT(*) FROM detections WHERE damage_id = " + std::to_string(id));
    auto frames = gui::loadDamageFrames(project(), id);
    ASSERT_TRUE(frames);
    ASSERT_GE(frames->size(), 2u);
    window_->selectDamage(index);
    window_->frameView()->waitForLoad();

    // At its first frame there is nothing to split off: said so, nothing written.
    window_->frameView()->showFrame(window_->project()->findFrame(frames->front()));
    window_->selectDamage(index); // the damage's evidence again
    while (window_->project()->frames[size_t(window_->frameView()->currentFrame())].index != frames->front())
        key(Qt::Key_Comma);
    key(Qt::Key_K, Qt::ControlModifier);
    EXPECT_EQ(window_->project()->damages.size(), before);
    EXPECT_TRUE(window_->statusBar()->currentMessage().contains("after its first")) << window_->statusBar()->currentMessage().toStdString();

    key(Qt::Key_Period);
    window_->frameView()->waitForLoad();
    const int64_t here = window_->project()->frames[size_t(window_->frameView()->currentFrame())].index;
    ASSERT_EQ(here, (*frames)[1]);
    key(Qt::Key_K, Qt::ControlModifier);
    ASSERT_EQ(window_->project()->damages.size(), before + 1) << window_->statusBar()->currentMessage().toStdString();
    const int64_t added = sqlNumber(project(), "SELECT MAX(damage_id) FROM damages");
    const std::string id_text = std::to_string(id), added_text = std::to_string(added);
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM detections WHERE damage_id = " + id_text + " AND frame_index >= " +
                                       std::to_string(here)),
              0);
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM detections WHERE damage_id = " + added_text + " AND frame_index < " +
                                       std::to_string(here)),
              0);
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM detections WHERE damage_id IN (" + id_text + "," + added_text + ")"),
              detections);
    EXPECT_EQ(stored(id, "n_frames"), "1");
    EXPECT_EQ(stored(added, "n_frames"), std::to_string(frames->size() - 1));
    EXPECT_EQ(stored(added, "class"), stored(id, "class"));
    // Each part shows one of its own detections.
    const std::string first_chip = gui::loadChip(project(), id), second_chip = gui::loadChip(project(), added);
    EXPECT_FALSE(first_chip.empty());
    EXPECT_FALSE(second_chip.empty());
    EXPECT_NE(first_chip, second_chip);
    EXPECT_LT(std::stoll(stored(id, "evidence_frame")), here);
    EXPECT_GE(std::stoll(stored(added, "evidence_frame")), here);
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM review_log WHERE damage_id = " + id_text +
                                       " AND field = 'split_into' AND new_value = '" + added_text + "'"),
              1);
    auto r = runVoirie("export " + shellQuoted(project()) + " --format geojson --out " + shellQuoted(dir_ / "split.geojson"));
    EXPECT_EQ(r.exit_code, 0) << r.err;

    window_->review()->undoStack()->undo();
    EXPECT_EQ(window_->project()->damages.size(), before);
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM detections WHERE damage_id = " + id_text), detections);
    EXPECT_EQ(stored(id, "n_frames"), n_frames);
    window_->review()->undoStack()->redo();
    EXPECT_EQ(window_->project()->damages.size(), before + 1);
}

TEST_F(AppTest, AMissedPotholeDrawnOnTheFrameBecomesAnAddedDamageOnTheRoadUndoably)
{
    const size_t before = window_->project()->damages.size();
    window_->selectDamage(0);
    window_->frameView()->waitForLoad();
    const auto* canvas = window_->frameView()->canvas();
    ASSERT_FALSE(canvas->image().isNull());
    const double w = canvas->image().width(), h = canvas->image().height();
    // A box on the road just ahead, below the middle of the frame.
    const QPoint from = canvas->toWidget({0.44 * w, 0.78 * h}).toPoint(), to = canvas->toWidget({0.56 * w, 0.88 * h}).toPoint();
    key(Qt::Key_D);
    ASSERT_TRUE(canvas->drawing());
    auto* target = const_cast<gui::FrameCanvas*>(canvas);
    QTest::mousePress(target, Qt::LeftButton, Qt::NoModifier, from);
    QTest::mouseMove(target, to);
    QTest::mouseRelease(target, Qt::LeftButton, Qt::NoModifier, to);
    QApplication::processEvents();
    EXPECT_FALSE(canvas->drawing()) << "one shape per click of the tool";

    ASSERT_EQ(window_->project()->damages.size(), before + 1) << window_->statusBar()->currentMessage().toStdString();
    const int64_t added = sqlNumber(project(), "SELECT MAX(damage_id) FROM damages");
    EXPECT_EQ(window_->selectedDamage(), window_->project()->findDamage(added));
    EXPECT_EQ(stored(added, "review_state"), "added");
    EXPECT_EQ(stored(added, "class"), "D40");
    EXPECT_EQ(stored(added, "plugins"), "reviewer");
    EXPECT_EQ(stored(added, "n_frames"), "1");
    const double area = std::stod(stored(added, "area_m2"));
    EXPECT_GT(area, 0.05);
    EXPECT_LT(area, 5.0) << "a box a tenth of the frame wide, a few metres ahead";
    EXPECT_FALSE(stored(added, "severity").empty()) << "measured, so graded as any pothole";
    EXPECT_FALSE(gui::loadChip(project(), added).empty());
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM detections WHERE damage_id = " + std::to_string(added) +
                                       " AND plugin_id = 'reviewer' AND pixel_shape LIKE 'POLYGON%'"),
              1);
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM review_log WHERE damage_id = " + std::to_string(added) +
                                       " AND field = 'review_state' AND new_value = 'added'"),
              1);
    // It counts as any accepted damage: exported and rated.
    auto r = runVoirie("export " + shellQuoted(project()) + " --format geojson --out " + shellQuoted(dir_ / "added.geojson"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(readFile(dir_ / "added.geojson").find("\"damage_id\": " + std::to_string(added) + ","), std::string::npos);

    window_->review()->undoStack()->undo();
    EXPECT_EQ(window_->project()->damages.size(), before);
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM detections WHERE plugin_id = 'reviewer'"), 0);
    window_->review()->undoStack()->redo();
    EXPECT_EQ(window_->project()->damages.size(), before + 1);
    EXPECT_EQ(stored(added, "review_state"), "added") << "back with the same id";
    EXPECT_EQ(runVoirie("rate " + shellQuoted(project()) + " --quiet").exit_code, 0);

    // Drawn in the sky: not on the road, nothing added.
    window_->frameView()->waitForLoad();
    key(Qt::Key_D);
    ASSERT_TRUE(canvas->drawing());
    ASSERT_FALSE(canvas->image().isNull());
    QTest::mousePress(target, Qt::LeftButton, Qt::NoModifier, canvas->toWidget({0.3 * w, 0.05 * h}).toPoint());
    QTest::mouseRelease(target, Qt::LeftButton, Qt::NoModifier, canvas->toWidget({0.4 * w, 0.12 * h}).toPoint());
    QApplication::processEvents();
    EXPECT_EQ(window_->project()->damages.size(), before + 1);
    EXPECT_TRUE(window_->statusBar()->currentMessage().contains("not on the road")) << window_->statusBar()->currentMessage().toStdString();
}

TEST_F(AppTest, ExportTrainingDataWritesTheReviewedDamagesFramesWithTheWindowUp)
{
    gui::TrainingDataDialog unreviewed(project());
    unreviewed.outEdit()->setText(QString::fromStdString((dir_ / "none").string()));
    auto refused = unreviewed.runExport();
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("has not been reviewed"), std::string::npos) << refused.error();
    EXPECT_TRUE(unreviewed.resultLabel()->text().contains("not been reviewed"));
    EXPECT_FALSE(fs::exists(dir_ / "none"));

    window_->selectDamage(0);
    key(Qt::Key_A);
    key(Qt::Key_A);
    gui::TrainingDataDialog dialog(project());
    dialog.outEdit()->setText(QString::fromStdString((dir_ / "training").string()));
    dialog.neighboursBox()->setValue(0);
    dialog.show();
    // The Export button writes on a worker; the dialog answers meanwhile.
    QPushButton* run = nullptr;
    for (auto* b : dialog.findChildren<QPushButton*>())
        if (b->text() == "Export")
            run = b;
    ASSERT_NE(run, nullptr);
    run->click();
    QElapsedTimer waited;
    waited.start();
    while (!dialog.resultLabel()->text().startsWith("Written") && !dialog.resultLabel()->text().contains("color") &&
           waited.elapsed() < 120000)
        QTest::qWait(50);
    ASSERT_TRUE(dialog.resultLabel()->text().startsWith("Written")) << dialog.resultLabel()->text().toStdString();
    int images = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_ / "training" / "images"))
        ++images;
    EXPECT_EQ(images, 2) << "two accepted damages, their evidence frames only";
    EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "training" / "annotations"), fs::directory_iterator{}), 2);
}

TEST(ReviewPace, TheTimeLeftFollowsTheRecentPaceAndForgetsPauses)
{
    gui::ReviewPace pace;
    EXPECT_EQ(pace.progress(0, 40), "reviewed 0 / 40");
    pace.decided(0);
    pace.decided(4000);
    EXPECT_FALSE(pace.secondsPerDamage()) << "two decisions are no pace yet";
    pace.decided(8000);
    pace.decided(20000); // one slow decision moves the median little
    ASSERT_TRUE(pace.secondsPerDamage());
    EXPECT_DOUBLE_EQ(*pace.secondsPerDamage(), 4.0);
    EXPECT_EQ(pace.progress(4, 10), "reviewed 4 / 10 · about 24 s left at this pace");
    EXPECT_EQ(pace.progress(4, 304), "reviewed 4 / 304 · about 20 min left at this pace");
    EXPECT_EQ(pace.progress(10, 10), "reviewed 10 / 10");
    pace.decided(20000 + 6 * 60 * 1000); // back from a break
    EXPECT_FALSE(pace.secondsPerDamage()) << "a pause of six minutes is not the pace";
}

TEST_F(AppTest, ReviewShortcutsAreWrittenAtOnceAndSurviveReopening)
{
    window_->selectDamage(0);
    const int64_t first = idAt(0);
    key(Qt::Key_A); // accept, and the next one comes up
    ASSERT_EQ(window_->selectedDamage(), 1);
    const int64_t second = idAt(1);
    const int edits = 2 + (window_->project()->damages[1].class_code != "D40") +
                      (window_->project()->damages[1].severity != "H");
    key(Qt::Key_4); // reclassify as pothole
    key(Qt::Key_H); // high severity
    key(Qt::Key_R); // reject
    key(Qt::Key_P); // back to the second
    ASSERT_EQ(window_->selectedDamage(), 1);

    // Written before anything is closed.
    EXPECT_EQ(stored(first, "review_state"), "accepted");
    EXPECT_EQ(stored(second, "class"), "D40");
    EXPECT_EQ(stored(second, "class_name"), "pothole");
    EXPECT_EQ(stored(second, "severity"), "H");
    EXPECT_EQ(stored(second, "review_state"), "rejected");
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM review_log"), edits);
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM review_log WHERE damage_id = " + std::to_string(second) +
                                       " AND field = 'review_state' AND new_value = 'rejected' AND action = 'edit' "
                                       "AND old_value = 'unreviewed' AND user IS NOT NULL AND time IS NOT NULL"),
              1);

    // A fresh window on the same file shows the same state.
    window_.reset();
    MainWindow reopened;
    ASSERT_TRUE(reopened.openProject(QString::fromStdString(project().string()), true));
    const auto* p = reopened.project();
    EXPECT_EQ(p->damages[size_t(p->findDamage(first))].review_state, "accepted");
    EXPECT_EQ(p->damages[size_t(p->findDamage(second))].class_code, "D40");
    EXPECT_EQ(p->damages[size_t(p->findDamage(second))].review_state, "rejected");
    // The project still opens as a GeoPackage and `voirie export` leaves the rejected one out.
    auto r = runVoirie("export " + shellQuoted(project()) + " --format geojson --out " + shellQuoted(dir_ / "e.geojson"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(readFile(dir_ / "e.geojson").find("\"damage_id\": " + std::to_string(second) + ","), std::string::npos);
}

TEST_F(AppTest, UndoAndRedoAreWrittenAndLoggedToo)
{
    window_->selectDamage(0);
    const int64_t id = idAt(0);
    key(Qt::Key_A);
    ASSERT_EQ(stored(id, "review_state"), "accepted");
    key(Qt::Key_Z, Qt::ControlModifier);
    EXPECT_EQ(stored(id, "review_state"), "unreviewed");
    EXPECT_EQ(window_->project()->damages[0].review_state, "unreviewed");
    key(Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    EXPECT_EQ(stored(id, "review_state"), "accepted");
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM review_log WHERE action = 'undo'"), 1);
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM review_log WHERE action = 'redo'"), 1);
}

TEST_F(AppTest, AnEditTheFileNoLongerMatchesIsRefusedAndReported)
{
    window_->selectDamage(0);
    const int64_t id = idAt(0);
    {   // Someone else rejects it behind the window's back.
        auto ds = openVector(project(), true);
        ds->ExecuteSQL(("UPDATE damages SET review_state = 'rejected' WHERE damage_id = " + std::to_string(id)).c_str(),
                       nullptr, nullptr);
    }
    key(Qt::Key_A);
    EXPECT_EQ(stored(id, "review_state"), "rejected") << "nothing overwritten";
    EXPECT_NE(window_->lastError().indexOf("reopen the project"), -1) << window_->lastError().toStdString();
    EXPECT_EQ(window_->selectedDamage(), 0) << "a refused edit does not move on";
}

TEST_F(AppTest, TheFilterNarrowsTableMapAndNextPrevious)
{
    const auto* p = window_->project();
    std::string cls = p->damages.front().class_code;
    QComboBox* combo = nullptr; // the class filter
    for (auto* c : window_->findChildren<QComboBox*>())
        if (c->count() > 0 && c->itemText(0) == "All classes")
            combo = c;
    ASSERT_NE(combo, nullptr);
    const int item = combo->findData(QString::fromStdString(cls));
    ASSERT_GE(item, 0);
    combo->setCurrentIndex(item);
    QApplication::processEvents();
    long long expected = 0;
    for (const auto& d : p->damages)
        expected += d.class_code == cls;
    EXPECT_EQ(window_->damageTable()->model()->rowCount(), expected);
    window_->selectDamage(-1);
    for (int i = 0; i < int(expected); ++i) {
        key(Qt::Key_N);
        EXPECT_EQ(p->damages[size_t(window_->selectedDamage())].class_code, cls);
    }
    // A damage of another class is not drawn, so not clickable.
    for (size_t i = 0; i < p->damages.size(); ++i)
        if (p->damages[i].class_code != cls) {
            window_->map()->centreOn(p->damages[i].centre);
            EXPECT_NE(window_->map()->damageAt(window_->map()->toScreen(p->damages[i].centre), 1), int(i));
        }
}

TEST_F(AppTest, ExportThroughTheDialogUsesTheSameCodeAsTheCli)
{
    {   // One rejected damage, which the default review filter leaves out.
        auto ds = openVector(project(), true);
        ds->ExecuteSQL("UPDATE damages SET review_state = 'rejected' WHERE damage_id = 1", nullptr, nullptr);
    }
    voirie::gui::ExportDialog dialog(project());
    dialog.formatBox()->setCurrentIndex(dialog.formatBox()->findData("csv"));
    dialog.outEdit()->setText(QString::fromStdString((dir_ / "damages.csv").string()));
    dialog.crsEdit()->setText("EPSG:2154");
    auto summary = dialog.runExport();
    ASSERT_TRUE(summary) << summary.error();
    const long long kept = sqlNumber(project(), "SELECT COUNT(*) FROM damages WHERE review_state <> 'rejected'");
    EXPECT_EQ(summary->layers.at(0).features, kept);
    auto out = openVector(dir_ / "damages.csv");
    ASSERT_TRUE(out);
    EXPECT_EQ(out->GetLayer(0)->GetFeatureCount(), kept);
    // The same options through the CLI give the same table.
    fs::create_directories(dir_ / "cli");
    auto r = runVoirie("export " + shellQuoted(project()) + " --format csv --crs EPSG:2154 --out " +
                       shellQuoted(dir_ / "cli" / "damages.csv"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(readFile(dir_ / "damages.csv"), readFile(dir_ / "cli" / "damages.csv"));
    EXPECT_NE(readFile(dir_ / "damages.csv").find("POLYGON"), std::string::npos) << "geometry as WKT";
    // A bad CRS is a sentence in the dialog, not a crash.
    dialog.crsEdit()->setText("EPSG:999999");
    dialog.outEdit()->setText(QString::fromStdString((dir_ / "bad.csv").string()));
    auto bad = dialog.runExport();
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().find("999999"), std::string::npos) << bad.error();
}

TEST_F(AppTest, SegmentsTableListsEachSegmentsDamagesAndSelectsThem)
{
    const auto* p = window_->project();
    int row = -1;
    for (int i = 0; i < int(p->segments.size()) && row < 0; ++i)
        if (!p->segments[size_t(i)].damage_ids.empty())
            row = i;
    ASSERT_GE(row, 0);
    window_->segmentTable()->setCurrentCell(row, 0);
    QApplication::processEvents();
    auto* list = window_->findChild<QTableWidget*>("segmentDamages");
    ASSERT_NE(list, nullptr);
    ASSERT_EQ(list->rowCount(), int(p->segments[size_t(row)].damage_ids.size()));
    list->setCurrentCell(0, 0);
    QApplication::processEvents();
    EXPECT_EQ(window_->selectedDamage(), p->findDamage(p->segments[size_t(row)].damage_ids.front()));
    EXPECT_FALSE(p->segments[size_t(row)].colour.empty());
    // G toggles the segments on the map.
    ASSERT_TRUE(window_->map()->showSegments());
    key(Qt::Key_G);
    EXPECT_FALSE(window_->map()->showSegments());
    key(Qt::Key_G);
    EXPECT_TRUE(window_->map()->showSegments());
}

TEST_F(AppTest, RatingAgainAfterAReviewLeavesRejectedDamagesOutAndKeepsTheUndoHistory)
{
    const auto* p = window_->project();
    int64_t id = -1;
    for (const auto& s : p->segments)
        if (!s.damage_ids.empty())
            id = s.damage_ids.front();
    ASSERT_GE(id, 0);
    const long long rated_before = sqlNumber(project(), "SELECT SUM(n_damages) FROM segments");
    window_->selectDamage(p->findDamage(id));
    key(Qt::Key_R);
    ASSERT_EQ(stored(id, "review_state"), "rejected");
    ASSERT_TRUE(window_->rateAgain()) << window_->lastError().toStdString();
    EXPECT_EQ(sqlNumber(project(), "SELECT SUM(n_damages) FROM segments"), rated_before - 1);
    for (const auto& s : window_->project()->segments)
        EXPECT_EQ(std::count(s.damage_ids.begin(), s.damage_ids.end(), id), 0) << s.label;
    EXPECT_EQ(window_->segmentTable()->rowCount(), int(window_->project()->segments.size()));
    EXPECT_TRUE(window_->review()->undoStack()->canUndo()) << "the review history survives a rating";
    EXPECT_EQ(sqlNumber(project(), "SELECT COUNT(*) FROM rating WHERE command_line LIKE 'voirie-app%'"), 1);
}

TEST_F(AppTest, PlayStepsThroughTheFramesAndTheMapFollows)
{
    auto* frames = window_->frameView();
    frames->showFrame(0);
    QApplication::processEvents();
    EXPECT_EQ(window_->map()->currentFrame(), 0);
    frames->setPlaying(true);
    QElapsedTimer clock;
    clock.start();
    while (frames->currentFrame() < 3 && clock.elapsed() < 20000)
        QTest::qWait(50);
    frames->setPlaying(false);
    frames->waitForLoad();
    EXPECT_GE(frames->currentFrame(), 3);
    EXPECT_EQ(window_->map()->currentFrame(), frames->currentFrame());
    EXPECT_FALSE(frames->canvas()->image().isNull());
}

TEST_F(AppTest, ABadFileIsASentenceAndTheOpenProjectStays)
{
    writeFile(dir_ / "notes.gpkg", "this is not a GeoPackage");
    EXPECT_FALSE(window_->openProject(QString::fromStdString((dir_ / "notes.gpkg").string()), true));
    EXPECT_NE(window_->lastError().indexOf("notes.gpkg"), -1) << window_->lastError().toStdString();
    EXPECT_EQ(window_->project()->path, project());
    EXPECT_FALSE(window_->openBasemap(QString::fromStdString((dir_ / "notes.gpkg").string()), true));
    EXPECT_NE(window_->map()->basemap(), nullptr) << "the basemap stays";
}

TEST_F(AppTest, ADamagedProjectIsRefusedAndAPartialOneSaysSoInTheTitle)
{
    const fs::path damaged = dir_ / "damaged.gpkg";
    fs::copy_file(project(), damaged);
    {
        std::fstream f(damaged, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(std::streamoff(fs::file_size(damaged) / 2));
        f.write(std::string(6000, '\x5a').data(), 6000);
    }
    EXPECT_FALSE(window_->openProject(QString::fromStdString(damaged.string()), true));
    EXPECT_NE(window_->lastError().indexOf("is damaged"), -1) << window_->lastError().toStdString();
    EXPECT_EQ(window_->project()->path, project()) << "the open project stays";

    const fs::path partial = dir_ / "partial.gpkg";
    fs::copy_file(project(), partial);
    openVector(partial, true)->ExecuteSQL("UPDATE run SET status = 'partial'", nullptr, nullptr);
    ASSERT_TRUE(window_->openProject(QString::fromStdString(partial.string()), true)) << window_->lastError().toStdString();
    EXPECT_NE(window_->windowTitle().indexOf("(partial survey)"), -1) << window_->windowTitle().toStdString();
    QApplication::processEvents(); // the message is posted, to be shown once the window is
    EXPECT_NE(window_->statusBar()->currentMessage().indexOf("This survey is partial"), -1);
}

TEST_F(AppTest, AReadOnlyProjectOpensForViewingAndAReviewSaysItCannotBeSaved)
{
    window_.reset();
    fs::permissions(project(), fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    if (::access(project().c_str(), W_OK) == 0)
        GTEST_SKIP() << "running as root: a read-only file is still writable";
    MainWindow viewer;
    ASSERT_TRUE(viewer.openProject(QString::fromStdString(project().string()), true));
    viewer.selectDamage(0);
    EXPECT_FALSE(viewer.review()->edit(0, "review_state", "accepted"));
    EXPECT_NE(viewer.lastError().indexOf("read-only"), -1) << viewer.lastError().toStdString();
    EXPECT_EQ(viewer.project()->damages[0].review_state, "unreviewed");
}

TEST_F(AppTest, DroppingAProjectOpensItAndItJoinsTheRecentFiles)
{
    fs::create_directories(dir_ / "other");
    fs::copy_file(project(), dir_ / "other" / "second.gpkg");
    MainWindow window;
    window.show();
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(QString::fromStdString((dir_ / "other" / "second.gpkg").string()))});
    QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    EXPECT_TRUE(enter.isAccepted());
    QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);
    ASSERT_NE(window.project(), nullptr) << window.lastError().toStdString();
    EXPECT_EQ(window.project()->path, dir_ / "other" / "second.gpkg");
    const QStringList recent = QSettings().value("recentProjects").toStringList();
    ASSERT_FALSE(recent.isEmpty());
    EXPECT_EQ(recent.front().toStdString(), (dir_ / "other" / "second.gpkg").string());
    EXPECT_TRUE(recent.contains(QString::fromStdString(project().string())));
    // A dropped raster becomes the basemap.
    QMimeData raster;
    raster.setUrls({QUrl::fromLocalFile(QString::fromStdString((dir_ / "basemap.tif").string()))});
    window.map()->setBasemap(nullptr);
    QDragEnterEvent enter_raster(QPoint(50, 50), Qt::CopyAction, &raster, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter_raster);
    QDropEvent drop_raster(QPointF(50, 50), Qt::CopyAction, &raster, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop_raster);
    EXPECT_NE(window.map()->basemap(), nullptr);
}

TEST(PluginsWindow, ListsEveryPluginFoundLoadedOrFailedWithItsReason)
{
    qputenv("VOIRIE_PLUGIN_PATH", VOIRIE_FAKE_PLUGIN_DIR);
    voirie::gui::PluginsDialog dialog;
    qunsetenv("VOIRIE_PLUGIN_PATH");
    QTreeWidget* list = dialog.list();
    int loaded = 0, failed = 0;
    bool reason_shown = false, builtin_listed = false;
    for (int i = 0; i < list->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = list->topLevelItem(i);
        loaded += item->text(3) == "loaded";
        failed += item->text(3) == "failed";
        reason_shown = reason_shown || (item->text(3) == "failed" && !item->toolTip(3).isEmpty() &&
                                        item->data(0, Qt::UserRole).toString().startsWith("FAILED: "));
        builtin_listed = builtin_listed || item->text(0).contains("(cracks)");
    }
    EXPECT_GT(loaded, 0);
    EXPECT_GE(failed, 3) << "the fake plugins that cannot load are listed as failed";
    EXPECT_TRUE(reason_shown);
    EXPECT_TRUE(builtin_listed);
}

} // namespace
