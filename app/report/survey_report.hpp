// `voirie report`: a survey report a road department can hand to its council, from a rated
// project: a self-contained HTML file (images inline as data URIs) and optionally a PDF written
// by Qt (no browser). Sections: survey summary, overview map, damages by class and severity,
// segment grades, since the last survey (with --changes: counts by change label, the segments that
// got worse most, a map, grown defects then and now), the worst segments first with their
// evidence images, every segment, how to read the report; the run's cost and estimated footprint
// are in the summary. The HTML also carries its figures as JSON (<script id="voirie-report-data">)
// so scripts and tests can check them against the GeoPackage.
//
// Needs a QGuiApplication (fonts, painting); the CLI creates one on the offscreen platform.
#pragma once

#include "voirie/core/base/result.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace voirie::report {

struct ReportOptions {
    std::filesystem::path project;
    std::filesystem::path html;
    std::optional<std::filesystem::path> pdf;
    std::string title = "Road condition survey";
    std::optional<std::filesystem::path> basemap; // default: basemap.tif beside the project, when present
    int worst_segments = 5;
    // A comparison with the previous campaign (voirie compare OLD NEW, NEW being this project):
    // adds the "Since the last survey" section.
    std::optional<std::filesystem::path> changes;
    bool overwrite = false;
};

struct ReportSummary {
    int segments = 0, damages = 0, pdf_pages = 0;
    std::vector<std::string> warnings;
};

Result<ReportSummary> writeSurveyReport(const ReportOptions& options);

} // namespace voirie::report
