// voirie-app [PROJECT.gpkg] [--basemap RASTER] [--screenshots DIR]
// --screenshots opens the project, selects its most severe damage and saves PNGs of the main
// window, the frame view, the plugins window and the New survey form into DIR (for docs and for looking at the GUI).
#include "main_window.hpp"
#include "frame_view.hpp"
#include "map_canvas.hpp"
#include "new_survey_dialog.hpp"
#include "plugins_dialog.hpp"
#include "training_data_dialog.hpp"

#include "voirie/core/base/version.hpp"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QThread>

#include <iostream>

namespace {

int takeScreenshots(voirie::gui::MainWindow& window, const QString& dir)
{
    QDir().mkpath(dir);
    window.resize(1600, 1000);
    window.show();
    if (const auto* project = window.project(); project && !project->damages.empty()) {
        int worst = 0;
        auto rank = [](const std::string& s) { return s == "H" ? 3 : s == "M" ? 2 : s == "L" ? 1 : 0; };
        for (int i = 0; i < int(project->damages.size()); ++i)
            if (rank(project->damages[size_t(i)].severity) > rank(project->damages[size_t(worst)].severity))
                worst = i;
        window.selectDamage(worst);
    }
    // Until the basemap tiles the map asked for have arrived (at most 20 s).
    QApplication::processEvents();
    for (int i = 0; i < 2000 && !window.map()->basemapComplete(); ++i) {
        QThread::msleep(10);
        QApplication::processEvents();
    }
    window.frameView()->waitForLoad();
    window.map()->repaint();
    bool ok = window.grab().save(dir + "/main-window.png");
    ok = window.frameView()->grab().save(dir + "/frame-view.png") && ok;
    // The frame view ready to draw a missed damage (the reviewer's "Add a missed damage").
    window.frameView()->setDrawing(true);
    QApplication::processEvents();
    ok = window.frameView()->grab().save(dir + "/frame-view-drawing.png") && ok;
    window.frameView()->setDrawing(false);
    // The map close up on the selection: footprints, sampled frames, the camera.
    window.map()->zoomToSelection();
    window.map()->repaint();
    for (int i = 0; i < 2000 && !window.map()->basemapComplete(); ++i) {
        QThread::msleep(10);
        QApplication::processEvents();
    }
    window.map()->repaint();
    ok = window.map()->grab().save(dir + "/map-closeup.png") && ok;
    voirie::gui::PluginsDialog plugins(&window);
    plugins.show();
    QApplication::processEvents();
    ok = plugins.grab().save(dir + "/plugins-window.png") && ok;
    if (const auto* project = window.project()) {
        voirie::gui::TrainingDataDialog training(project->path, &window);
        training.show();
        QApplication::processEvents();
        ok = training.grab().save(dir + "/training-data.png") && ok;
    }
    voirie::gui::NewSurveyDialog survey(&window);
    if (const auto* project = window.project())
        for (const auto& [name, path] : project->sources)
            if (QString::fromStdString(name).endsWith(".mp4", Qt::CaseInsensitive)) {
                // The project's own video, its camera worked out as a user would ask for it.
                survey.setVideos({QString::fromStdString(path.string())});
                survey.estimateCamera();
                for (int i = 0; i < 12000 && survey.estimating(); ++i) {
                    QThread::msleep(10);
                    QApplication::processEvents();
                }
                break;
            }
    survey.show();
    QApplication::processEvents();
    ok = survey.grab().save(dir + "/new-survey.png") && ok;
    std::cout << (ok ? "wrote" : "could not write")
              << " main-window.png, frame-view.png, frame-view-drawing.png, map-closeup.png, plugins-window.png, "
                 "training-data.png, new-survey.png in "
              << dir.toStdString() << "\n";
    return ok ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName("voirie-app");
    QApplication::setOrganizationName("Voirie");
    QApplication::setApplicationVersion(QStringLiteral(VOIRIE_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription("Voirie: review a road survey on a map");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("project", "a project GeoPackage written by voirie analyze");
    QCommandLineOption basemap("basemap", "a raster GDAL reads (GeoTIFF, MBTiles, GeoPackage tiles, XYZ folder)",
                               "raster");
    QCommandLineOption screenshots("screenshots", "save screenshots into DIR and quit", "dir");
    parser.addOption(basemap);
    parser.addOption(screenshots);
    parser.process(app);

    voirie::gui::MainWindow window;
    const QStringList args = parser.positionalArguments();
    if (!args.isEmpty() && !window.openProject(args.first(), parser.isSet(screenshots))) {
        std::cerr << "voirie-app: " << window.lastError().toStdString() << "\n";
        if (parser.isSet(screenshots))
            return 1;
    }
    if (parser.isSet(basemap) && !window.openBasemap(parser.value(basemap), parser.isSet(screenshots))) {
        std::cerr << "voirie-app: " << window.lastError().toStdString() << "\n";
        if (parser.isSet(screenshots))
            return 1;
    }
    if (parser.isSet(screenshots))
        return takeScreenshots(window, parser.value(screenshots));
    window.show();
    return app.exec();
}
