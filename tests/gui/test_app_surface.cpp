// voirie-app with a project whose run names a surface mosaic (voirie ortho): the map draws the
// road itself under the damages (toggle, opacity), and a click on the road opens the frame that
// saw that point nearest. Screenshot: build/test-screenshots/surface.png (VOIRIE_SCREENSHOTS=folder
// to put it elsewhere).
#include "cli_fixtures.hpp"
#include "sample_survey.hpp"

#include "basemap.hpp"
#include "frame_view.hpp"
#include "main_window.hpp"
#include "map_canvas.hpp"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>

#include <gtest/gtest.h>

#include <cstdlib>

namespace fs = std::filesystem;
using namespace voirie;
using namespace voirie::test;
using voirie::gui::MainWindow;

namespace {

// Repaints until every visible tile has arrived (the tiles are warped on a worker thread).
QImage settledMap(gui::MapCanvas* map)
{
    QElapsedTimer timer;
    timer.start();
    QImage image;
    do {
        map->repaint();
        QApplication::processEvents();
        image = map->grab().toImage();
    } while (!map->basemapComplete() && timer.elapsed() < 20000);
    map->repaint();
    return map->grab().toImage();
}

TEST(AppSurface, DrawsTheRoadUnderTheDamagesAndOpensTheFrameThatSawAPoint)
{
    TempDir dir;
    fs::copy_file(cachedSampleProject(), dir / "project.gpkg");
    auto r = runVoirie("ortho " + shellQuoted(dir / "project.gpkg") + " --out " + shellQuoted(dir / "surface.tif") + " --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.err;

    MainWindow window;
    window.resize(1400, 900);
    window.show();
    ASSERT_TRUE(window.openProject(QString::fromStdString((dir / "project.gpkg").string()), true)) << window.lastError().toStdString();
    gui::MapCanvas* map = window.map();
    ASSERT_NE(map->surface(), nullptr) << "the project's run names its surface";
    const auto& frames = window.project()->frames;
    ASSERT_GT(frames.size(), 20u);

    // Close in on a frame: the road 4 m ahead of it is drawn from the surface.
    const auto& f = frames[frames.size() / 2];
    const double scale = std::cos(std::atan(std::sinh(f.at.y / 6378137.0)));
    const double heading = f.heading_deg * M_PI / 180;
    const gui::MapPoint ahead{f.at.x + 4 * std::sin(heading) / scale, f.at.y + 4 * std::cos(heading) / scale};
    map->zoomToRect({ahead.x - 12, ahead.y - 8, ahead.x + 12, ahead.y + 8});
    map->setShowSegments(false);
    const QImage with_surface = settledMap(map);
    map->setShowSurface(false);
    const QImage without = settledMap(map);
    map->setShowSurface(true);
    const QPointF at = map->toScreen(ahead);
    const QColor road = with_surface.pixelColor(at.toPoint()), background = without.pixelColor(at.toPoint());
    EXPECT_NE(road, background) << "the surface shows where the road was seen";
    // Half opacity: between the two.
    map->setSurfaceOpacity(0.5);
    const QImage half = settledMap(map);
    const QColor mixed = half.pixelColor(at.toPoint());
    EXPECT_LE(std::abs(mixed.red() - (road.red() + background.red()) / 2), 12);
    map->setSurfaceOpacity(1.0);

    // A click on the road: the frame that saw that point nearest (3-15 m ahead of it).
    const int seen = map->frameThatSaw(ahead);
    ASSERT_GE(seen, 0);
    EXPECT_LE(std::abs(int(frames[size_t(seen)].index) - int(f.index)), 24) << "a frame just before that point";
    EXPECT_EQ(map->frameThatSaw({ahead.x + 500, ahead.y + 500}), -1) << "off the road, no frame";

    const fs::path shots = std::getenv("VOIRIE_SCREENSHOTS") ? fs::path(std::getenv("VOIRIE_SCREENSHOTS"))
                                                             : fs::path(VOIRIE_BUILD_DIR) / "test-screenshots";
    fs::create_directories(shots);
    map->setShowSegments(true);
    settledMap(map);
    EXPECT_TRUE(window.grab().save(QString::fromStdString((shots / "surface.png").string())));

    // A project without a surface: none drawn, the toggle disabled.
    fs::copy_file(cachedSampleProject(), dir / "plain.gpkg");
    ASSERT_TRUE(window.openProject(QString::fromStdString((dir / "plain.gpkg").string()), true));
    EXPECT_EQ(map->surface(), nullptr);
}

} // namespace
