// A new survey analysed in the background from the app: the event loop keeps running while it
// works, the result opens when it is done, and a cancelled run leaves a valid partial project.
// And the basemap formats the map reads through GDAL.
#include "cli_fixtures.hpp"
#include "sample_survey.hpp"

#include "analysis_job.hpp"
#include "basemap.hpp"
#include "main_window.hpp"
#include "map_canvas.hpp"

#include "voirie/core/analysis_run.hpp"

#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTimer>

#include <gtest/gtest.h>

namespace fs = std::filesystem;
using namespace voirie;
using namespace voirie::test;
using voirie::gui::MainWindow;

namespace {

AnalysisOptions sampleAnalysis(const fs::path& out)
{
    const fs::path survey = cachedSampleSurvey();
    AnalysisOptions o;
    o.ingest.videos = {survey / "survey.mp4"};
    o.ingest.track = survey / "survey.gpx";
    o.ingest.camera_file = survey / "camera.json";
    o.plugins = std::vector<std::string>{"cracks", "potholes"};
    o.anonymize = false;
    o.out = out;
    o.threads = 1;
    return o;
}

TEST(AppAnalysis, RunsInTheBackgroundWithoutFreezingAndOpensTheResult)
{
    TempDir dir;
    MainWindow window;
    window.show();
    QSignalSpy progressed(window.analysis(), &gui::AnalysisJob::progressed);
    QSignalSpy finished(&window, &MainWindow::analysisFinished);
    // The longest the event loop goes without turning while the analysis runs.
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0, longest_gap = 0;
    QTimer heartbeat;
    QObject::connect(&heartbeat, &QTimer::timeout, [&] {
        longest_gap = std::max(longest_gap, clock.elapsed() - last);
        last = clock.elapsed();
    });
    heartbeat.start(20);
    ASSERT_TRUE(window.startAnalysis(sampleAnalysis(dir / "new.gpkg")));
    ASSERT_TRUE(finished.wait(300000));
    EXPECT_TRUE(finished.at(0).at(0).toBool()) << window.lastError().toStdString();
    EXPECT_GT(progressed.count(), 3);
    EXPECT_LT(longest_gap, 1000) << "the GUI thread was blocked for " << longest_gap << " ms";
    ASSERT_NE(window.project(), nullptr);
    EXPECT_EQ(window.project()->path, dir / "new.gpkg");
    EXPECT_EQ(static_cast<long long>(window.project()->damages.size()),
              sqlNumber(dir / "new.gpkg", "SELECT COUNT(*) FROM damages"));
    EXPECT_GT(window.project()->damages.size(), 0u);
    EXPECT_FALSE(fs::exists(partialProjectPath(dir / "new.gpkg")));
}

TEST(AppAnalysis, CancelLeavesAValidPartialProjectAndNoFinishedOne)
{
    TempDir dir;
    MainWindow window;
    QSignalSpy progressed(window.analysis(), &gui::AnalysisJob::progressed);
    QSignalSpy finished(&window, &MainWindow::analysisFinished);
    ASSERT_TRUE(window.startAnalysis(sampleAnalysis(dir / "cancelled.gpkg")));
    ASSERT_TRUE(progressed.wait(120000));
    window.cancelAnalysis();
    ASSERT_TRUE(finished.wait(120000));
    EXPECT_FALSE(fs::exists(dir / "cancelled.gpkg")) << "an unfinished run never takes the project's name";
    const fs::path partial = partialProjectPath(dir / "cancelled.gpkg");
    ASSERT_TRUE(fs::exists(partial));
    {
        auto ds = openVector(partial);
        ASSERT_TRUE(ds) << "the partial project opens with GDAL";
        for (const char* layer : {"track", "frames", "detections", "damages", "run"})
            EXPECT_NE(ds->GetLayerByName(layer), nullptr) << layer;
        OGRLayer* run = ds->GetLayerByName("run");
        OGRFeatureUniquePtr f(run->GetNextFeature());
        ASSERT_TRUE(f);
        EXPECT_STREQ(f->GetFieldAsString("status"), "interrupted");
    }
    EXPECT_GT(sqlNumber(partial, "SELECT COUNT(*) FROM frames"), 0);
    // What was committed is shown, and --resume finishes it.
    ASSERT_NE(window.project(), nullptr);
    EXPECT_EQ(window.project()->path, partial);
    auto r = runVoirie("analyze " + sampleSurveyInputs(cachedSampleSurvey()) + " --no-anonymize --quiet --threads 1 --resume --out " +
                       shellQuoted(dir / "cancelled.gpkg"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

// A raster in another CRS than the map's: drawn where it belongs, reprojected.
TEST(Basemap, ReadsAGeoTiffInAnyCrsAndAnXyzTileFolder)
{
    TempDir dir;
    const fs::path survey = cachedSampleSurvey();
    // The sample basemap in Lambert-93, and as an XYZ tile folder.
    auto r = runCommand("gdalwarp -q -t_srs EPSG:2154 " + shellQuoted(survey / "basemap.tif") + " " +
                        shellQuoted(dir / "lambert.tif"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = runCommand("gdal2tiles.py -q --xyz -z 15-17 " + shellQuoted(survey / "basemap.tif") + " " + shellQuoted(dir / "xyz"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto original = gui::Basemap::open(survey / "basemap.tif");
    ASSERT_TRUE(original) << original.error();
    const gui::MapPoint centre = (*original)->bounds().centre();
    auto colourAt = [&](gui::Basemap& map) {
        const int zoom = 17;
        const double span = gui::Basemap::tileSpan(zoom), half = gui::Basemap::tileSpan(0) / 2;
        const double fx = (centre.x + half) / span, fy = (half - centre.y) / span;
        const QImage* tile = map.tile(zoom, int(fx), int(fy));
        return tile ? tile->pixel(int((fx - int(fx)) * 256), int((fy - int(fy)) * 256)) : QRgb(0);
    };
    const QRgb expected = colourAt(**original);
    ASSERT_EQ(qAlpha(expected), 255);
    for (const fs::path& other : {dir / "lambert.tif", dir / "xyz"}) {
        auto map = gui::Basemap::open(other);
        ASSERT_TRUE(map) << map.error();
        const QRgb got = colourAt(**map);
        EXPECT_EQ(qAlpha(got), 255) << other;
        EXPECT_NEAR(qRed(got), qRed(expected), 40) << other;
        EXPECT_NEAR(qGreen(got), qGreen(expected), 40) << other;
        EXPECT_NEAR(qBlue(got), qBlue(expected), 40) << other;
    }
    // Not a raster, not georeferenced: a sentence.
    writeFile(dir / "plain.txt", "hello");
    auto bad = gui::Basemap::open(dir / "plain.txt");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().find("plain.txt"), std::string::npos);
    fs::create_directories(dir / "empty");
    EXPECT_FALSE(gui::Basemap::open(dir / "empty"));
}

} // namespace
