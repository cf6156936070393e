// `voirie report`: the survey report (self-contained HTML, optionally PDF) of a rated project.
#include "cli_support.hpp"

#include "survey_report.hpp"

#include <QGuiApplication>

#include <cstdlib>
#include <iostream>

namespace voirie::cli {

int runReport(const CommandLine& cl)
{
    po::options_description options("options");
    options.add_options()
        ("project", po::value<std::string>()->required(), "the project GeoPackage, rated (voirie rate)")
        ("out", po::value<std::string>()->required(), "the HTML report to write (self-contained: images inline)")
        ("pdf", po::value<std::string>(), "also write the report as PDF")
        ("title", po::value<std::string>()->default_value("Road condition survey"), "the report's title")
        ("basemap", po::value<std::string>(), "a raster GDAL reads for the overview map (default: basemap.tif beside "
                                              "the project, when present)")
        ("worst", po::value<int>()->default_value(5), "how many of the worst segments to show with their evidence")
        ("changes", po::value<std::string>(), "CHANGES.gpkg from voirie compare OLD PROJECT: adds a \"Since the last "
                                              "survey\" section")
        ("overwrite", "replace existing outputs")
        ("quiet", "print nothing on success");
    po::positional_options_description positional;
    positional.add("project", 1);
    po::variables_map vm;
    if (!parseOptions(cl, "report PROJECT.gpkg --out report.html [--pdf report.pdf] [--title T] [--basemap RASTER] [--changes CHANGES.gpkg]",
                      options, positional, vm))
        return kExitOk;
    report::ReportOptions o;
    o.project = vm["project"].as<std::string>();
    o.html = vm["out"].as<std::string>();
    if (vm.count("pdf"))
        o.pdf = vm["pdf"].as<std::string>();
    o.title = vm["title"].as<std::string>();
    if (vm.count("basemap"))
        o.basemap = vm["basemap"].as<std::string>();
    o.worst_segments = vm["worst"].as<int>();
    if (vm.count("changes"))
        o.changes = vm["changes"].as<std::string>();
    if (o.worst_segments < 0)
        throw UsageError("--worst must be 0 or more");
    o.overwrite = vm.count("overwrite") != 0;

    // Drawing needs a GUI application object, not a display.
    setenv("QT_QPA_PLATFORM", "offscreen", 0);
    static int argc = 1;
    static char name[] = "voirie";
    static char* argv[] = {name, nullptr};
    // Qt's own chatter (runtime folders, font fallbacks) is no news to a command-line user.
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext&, const QString& message) {
        if (type == QtCriticalMsg || type == QtFatalMsg)
            std::cerr << "voirie report: Qt: " << message.toStdString() << "\n";
    });
    QGuiApplication app(argc, argv);

    auto summary = report::writeSurveyReport(o);
    if (!summary)
        throw RuntimeError(summary.error());
    for (const auto& w : summary->warnings)
        std::cerr << "voirie report: warning: " << w << "\n";
    warnIfSurveyIncomplete(o.project, "report"); // the report says it too, at its top
    if (!vm.count("quiet")) {
        std::cerr << "wrote " << o.html.string() << " (" << summary->segments << " segments, " << summary->damages
                  << " damages)";
        if (o.pdf)
            std::cerr << " and " << o.pdf->string() << " (" << summary->pdf_pages << " pages)";
        std::cerr << "\n";
    }
    return kExitOk;
}

} // namespace voirie::cli
