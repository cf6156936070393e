// A new survey analysed in the background from the app: the event loop keeps running while it
// works, the result opens when it is done, and a cancelled run leaves a valid partial project.
// And the basemap formats the map reads through GDAL.
#include "cli_fixtures.hpp"
#include "sample_survey.hpp"

#include "analysis_job.hpp"
#include "basemap.hpp"
#include "main_window.hpp"
#include "camera_preview.hpp"
#include "new_survey_dialog.hpp"
#include "map_canvas.hpp"

#include "voirie/core/analysis/analysis_run.hpp"
#include "voirie/core/geo/camera_geometry.hpp"
#include "voirie/core/plugin_host/plugin_registry.hpp"

#include <QApplication>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QSignalSpy>
#include <QThread>
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
    o.ingest.cleaning.smoothing_s = kRecommendedSmoothingSeconds; // as the form and `voirie analyze`: a resume must match
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
    // Results show as they are committed: with reloads at every progress step, the partial
    // project is on the map before the run ends.
    window.setPartialReloadInterval(0);
    bool partial_shown = false;
    QObject::connect(window.analysis(), &gui::AnalysisJob::progressed, [&] {
        partial_shown = partial_shown || (window.project() && window.project()->path == partialProjectPath(dir / "new.gpkg"));
    });
    ASSERT_TRUE(window.startAnalysis(sampleAnalysis(dir / "new.gpkg")));
    ASSERT_TRUE(finished.wait(300000));
    EXPECT_TRUE(finished.at(0).at(0).toBool()) << window.lastError().toStdString();
    EXPECT_GT(progressed.count(), 3);
    // A GUI frozen by the analysis would not turn for the whole run; a loaded machine (sanitizers,
    // parallel tests) may stall any process for a moment, hence a bound relative to the run.
    const qint64 run_ms = clock.elapsed();
    EXPECT_LT(longest_gap, std::max<qint64>(500, run_ms / 3))
        << "the GUI thread was blocked for " << longest_gap << " ms of a " << run_ms << " ms run";
    ASSERT_NE(window.project(), nullptr);
    EXPECT_EQ(window.project()->path, dir / "new.gpkg");
    EXPECT_EQ(static_cast<long long>(window.project()->damages.size()),
              sqlNumber(dir / "new.gpkg", "SELECT COUNT(*) FROM damages"));
    EXPECT_GT(window.project()->damages.size(), 0u);
    EXPECT_FALSE(fs::exists(partialProjectPath(dir / "new.gpkg")));
    EXPECT_TRUE(partial_shown);
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

TEST(NewSurveyDialog, ShowsTheCameraOverAFrameAndTheAnalysisUsesItAsShown)
{
    const fs::path survey = cachedSampleSurvey();
    gui::NewSurveyDialog dialog;
    dialog.setVideos({QString::fromStdString((survey / "survey.mp4").string())});
    dialog.setOutput("/tmp/out.gpkg");
    dialog.setPlugins({"potholes"});
    auto* preview = dialog.cameraPreview();
    const QImage first = preview->composed();
    ASSERT_EQ(first.width(), 1280) << "a frame of the video, at its size";
    // Without a camera file nothing is forced: the analysis works the camera out itself.
    auto automatic = dialog.options();
    ASSERT_TRUE(automatic) << automatic.error();
    EXPECT_FALSE(automatic->ingest.camera);

    dialog.setCamera(QString::fromStdString((survey / "camera.json").string()));
    auto* pitch = dialog.findChild<QDoubleSpinBox*>("camera_pitch");
    ASSERT_NE(pitch, nullptr);
    EXPECT_NEAR(pitch->value(), 12.0, 1e-9);
    EXPECT_NEAR(dialog.findChild<QDoubleSpinBox*>("camera_height")->value(), 1.3, 1e-9);
    auto from_file = dialog.options();
    ASSERT_TRUE(from_file);
    EXPECT_TRUE(from_file->ingest.camera_file);
    EXPECT_FALSE(from_file->ingest.camera);

    // The grid's 10 m line is drawn where the camera puts that line on the road (2.5 m right).
    auto redAt = [&](const QImage& image, const CameraModel& camera, double forward) {
        auto px = CameraGeometry(camera).groundToPixel({forward, 2.5});
        const QColor c = image.pixelColor(int(std::lround(px->first)), int(std::lround(px->second)));
        return c.red() > 200 && c.green() < 150;
    };
    EXPECT_TRUE(redAt(preview->composed(), preview->camera(), 10.0));
    // Adjusted: redrawn at once, and the analysis takes the camera as shown instead of the file.
    pitch->setValue(16.0);
    EXPECT_DOUBLE_EQ(preview->camera().pitch_deg, 16.0);
    EXPECT_TRUE(redAt(preview->composed(), preview->camera(), 10.0));
    CameraModel before = preview->camera();
    before.pitch_deg = 12.0;
    EXPECT_FALSE(redAt(preview->composed(), before, 10.0)) << "the grid moved with the pitch";
    auto adjusted = dialog.options();
    ASSERT_TRUE(adjusted) << adjusted.error();
    ASSERT_TRUE(adjusted->ingest.camera);
    EXPECT_DOUBLE_EQ(adjusted->ingest.camera->pitch_deg, 16.0);
    EXPECT_FALSE(adjusted->ingest.camera_file);
    EXPECT_NE(adjusted->ingest.camera_source.find("set in the New survey form"), std::string::npos);

    // Worked out from the footage in the background; the form stays up meanwhile.
    dialog.estimateCamera();
    EXPECT_TRUE(dialog.estimating());
    for (int i = 0; i < 12000 && dialog.estimating(); ++i) {
        QThread::msleep(10);
        QApplication::processEvents();
    }
    ASSERT_FALSE(dialog.estimating());
    const std::string note = dialog.findChild<QLabel*>("camera_note")->text().toStdString();
    EXPECT_NEAR(pitch->value(), 12.0, 0.5) << note;
    EXPECT_NE(note.find(", field of view "), std::string::npos) << "each value's source is said apart: " << note;
    auto estimated = dialog.options();
    ASSERT_TRUE(estimated);
    ASSERT_TRUE(estimated->ingest.camera);
    EXPECT_NE(estimated->ingest.camera_source.find("estimated from the footage"), std::string::npos);
    ASSERT_EQ(estimated->ingest.camera_value_sources.size(), 4u);
    EXPECT_EQ(estimated->ingest.camera_value_sources[1].second.rfind("estimated", 0), 0u);
}

TEST(NewSurveyDialog, BuildsTheAnalysisFromTheFormAndEachPluginsManifest)
{
    const fs::path survey = cachedSampleSurvey();
    gui::NewSurveyDialog dialog;
    // Checked at first: the detectors meant for real footage, as `voirie analyze` runs them.
    for (const char* id : {"road-segnet", "cracks", "potholes", "onnx-yolo"}) {
        auto* box = dialog.findChild<QCheckBox*>(QString("plugin:") + id);
        ASSERT_NE(box, nullptr) << id;
        EXPECT_EQ(box->isChecked(), std::string(id) == "road-segnet") << id;
    }
    auto missing = dialog.options();
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().find("video"), std::string::npos) << missing.error();
    dialog.setVideos({QString::fromStdString((survey / "survey.mp4").string())});
    dialog.setOutput("/tmp/out.gpkg");
    // No track needed: the analysis reads the video's own GPS, else a sidecar beside it.
    auto no_track = dialog.options();
    ASSERT_TRUE(no_track) << no_track.error();
    EXPECT_FALSE(no_track->ingest.track.has_value());
    dialog.setTrack(QString::fromStdString((survey / "survey.gpx").string()));
    dialog.setCamera(QString::fromStdString((survey / "camera.json").string()));
    dialog.setPlugins({"cracks", "potholes"});
    // A form field per manifest parameter; only what the user changes becomes an override.
    PluginRegistry registry(PluginRegistry::defaultSearchPath());
    const PluginEntry* cracks = nullptr;
    for (const auto& e : registry.entries())
        if (e.id() == "cracks")
            cracks = &e;
    ASSERT_TRUE(cracks && cracks->manifest);
    const ParameterSpec* numeric = nullptr;
    for (const auto& spec : cracks->manifest->parameters) {
        EXPECT_NE(dialog.findChild<QWidget*>(QString::fromStdString("parameter:cracks." + spec.name)), nullptr) << spec.name;
        if (spec.type == ParameterType::Double && !numeric)
            numeric = &spec;
    }
    ASSERT_NE(numeric, nullptr);
    auto* spin = dialog.findChild<QDoubleSpinBox*>(QString::fromStdString("parameter:cracks." + numeric->name));
    ASSERT_NE(spin, nullptr);
    const double changed = numeric->max ? (std::get<double>(numeric->default_value) + *numeric->max) / 2
                                        : std::get<double>(numeric->default_value) * 1.5 + 0.1;
    spin->setValue(changed);

    auto o = dialog.options();
    ASSERT_TRUE(o) << o.error();
    EXPECT_EQ(o->ingest.videos, std::vector<fs::path>{survey / "survey.mp4"});
    EXPECT_EQ(*o->ingest.track, survey / "survey.gpx");
    EXPECT_EQ(*o->ingest.camera_file, survey / "camera.json");
    EXPECT_FALSE(o->ingest.time_offset_auto);
    EXPECT_EQ(o->ingest.time_offset_s, 0.0);
    dialog.setTimeOffset(-37.5);
    EXPECT_EQ(dialog.options()->ingest.time_offset_s, -37.5);
    auto* work_out = dialog.findChild<QCheckBox*>("time_offset_auto");
    ASSERT_NE(work_out, nullptr);
    work_out->setChecked(true); // the clock from the footage, as --time-offset auto
    EXPECT_TRUE(dialog.options()->ingest.time_offset_auto);
    EXPECT_FALSE(dialog.findChild<QDoubleSpinBox*>("time_offset")->isEnabled());
    work_out->setChecked(false);
    EXPECT_EQ(*o->plugins, (std::vector<std::string>{"cracks", "potholes"}));
    EXPECT_TRUE(o->anonymize) << "anonymization is on unless turned off";
    EXPECT_EQ(o->ingest.cleaning.smoothing_s, kRecommendedSmoothingSeconds) << "the GPS is smoothed as the CLI does";
    ASSERT_EQ(o->parameters.count("cracks"), 1u);
    EXPECT_EQ(o->parameters.at("cracks").size(), 1u);
    EXPECT_NEAR(std::stod(o->parameters.at("cracks").at(numeric->name)), spin->value(), 1e-9);
    EXPECT_EQ(o->parameters.count("potholes"), 0u);
    // The overrides are valid for the plugin, as the CLI would check them.
    EXPECT_TRUE(resolveParameters(*cracks->manifest, o->parameters.at("cracks")));
}

// A raster in another CRS than the map's: drawn where it belongs, reprojected.
TEST(Basemap, ReadsAGeoTiffInAnyCrsMbtilesGeoPackageTilesAndAnXyzTileFolder)
{
    TempDir dir;
    const fs::path survey = cachedSampleSurvey();
    // The sample basemap in Lambert-93, and as an XYZ tile folder.
    auto r = runCommand("gdalwarp -q -t_srs EPSG:2154 " + shellQuoted(survey / "basemap.tif") + " " +
                        shellQuoted(dir / "lambert.tif"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = runCommand("gdal2tiles.py -q --xyz -z 15-17 " + shellQuoted(survey / "basemap.tif") + " " + shellQuoted(dir / "xyz"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* format : {"MBTILES", "GPKG"}) {
        r = runCommand(std::string("gdal_translate -q -of ") + format + " " + shellQuoted(survey / "basemap.tif") + " " +
                       shellQuoted(dir / (std::string("tiles.") + format)));
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
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
    for (const fs::path& other : {dir / "lambert.tif", dir / "xyz", dir / "tiles.MBTILES", dir / "tiles.GPKG"}) {
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
