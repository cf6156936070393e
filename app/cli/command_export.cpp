// `voirie export`: a project's layers into GIS formats, in the user's CRS, filtered.
#include "cli_support.hpp"

#include "voirie/core/export/project_export.hpp"
#include "voirie/core/vocabulary/severity_rules.hpp"

#include <iostream>

namespace voirie::cli {

int runExport(const CommandLine& cl)
{
    po::options_description options("options");
    options.add_options()
        ("project", po::value<std::string>()->required(), "the project GeoPackage (from voirie analyze)")
        ("format", po::value<std::string>()->required(), "gpkg | geojson | shp | kml | csv | fgb")
        ("out", po::value<std::string>()->required(), "the file to write (a folder for shp, or for several layers of a one-layer format)")
        ("layers", po::value<std::string>()->default_value("damages"), "comma-separated: damages, detections, track, frames, segments, surface (the road-surface mosaic of voirie ortho: a GeoTIFF beside the export, in --crs when given)")
        ("crs", po::value<std::string>(), "output CRS, anything GDAL knows (EPSG:2154, EPSG:32631, a WKT or PROJ string); default EPSG:4326")
        ("classes", po::value<std::string>(), "only these damage classes, e.g. D00,D40")
        ("min-confidence", po::value<double>(), "only damages at least this confident")
        ("min-severity", po::value<std::string>(), "only damages of at least this severity: L, M or H")
        ("review", po::value<std::string>()->default_value("not-rejected"), "accepted | not-rejected | all")
        ("chips", po::value<std::string>(), "evidence images: none | files (beside the export) | embedded (gpkg, fgb, kml); "
                                            "default embedded for gpkg, files otherwise")
        ("overwrite", "replace --out if it exists")
        ("quiet", "print nothing on success");
    po::positional_options_description positional;
    positional.add("project", 1);
    po::variables_map vm;
    if (!parseOptions(cl,
                      "export PROJECT.gpkg --format gpkg|geojson|shp|kml|csv|fgb --out PATH [--layers damages,track,frames,segments,surface] "
                      "[--crs EPSG:XXXX] [--classes D00,D40] [--min-confidence X] [--min-severity M] "
                      "[--review accepted|not-rejected|all] [--chips none|files|embedded] [--overwrite]",
                      options, positional, vm))
        return kExitOk;

    ExportOptions o;
    o.project = vm["project"].as<std::string>();
    o.out = vm["out"].as<std::string>();
    auto format = exportFormatFromName(vm["format"].as<std::string>());
    if (!format)
        throw UsageError("unknown format '" + vm["format"].as<std::string>() + "': choose gpkg, geojson, shp, kml, csv or fgb");
    o.format = *format;
    o.layers = splitList(vm["layers"].as<std::string>());
    if (vm.count("crs"))
        o.crs = vm["crs"].as<std::string>();
    if (vm.count("classes"))
        o.classes = splitList(vm["classes"].as<std::string>());
    if (vm.count("min-confidence")) {
        o.min_confidence = vm["min-confidence"].as<double>();
        if (!(*o.min_confidence >= 0 && *o.min_confidence <= 1))
            throw UsageError("--min-confidence must be between 0 and 1");
    }
    if (vm.count("min-severity")) {
        const Severity s = severityFromCode(vm["min-severity"].as<std::string>());
        if (s == Severity::Unknown)
            throw UsageError("--min-severity must be L, M or H");
        o.min_severity = s;
    }
    const std::string review = vm["review"].as<std::string>();
    if (review == "accepted")
        o.review = ReviewFilter::Accepted;
    else if (review == "not-rejected")
        o.review = ReviewFilter::NotRejected;
    else if (review == "all")
        o.review = ReviewFilter::All;
    else
        throw UsageError("--review must be accepted, not-rejected or all");
    if (vm.count("chips")) {
        const std::string c = vm["chips"].as<std::string>();
        if (c == "none")
            o.chips = ChipMode::None;
        else if (c == "files")
            o.chips = ChipMode::Files;
        else if (c == "embedded")
            o.chips = ChipMode::Embedded;
        else
            throw UsageError("--chips must be none, files or embedded");
    }
    o.overwrite = vm.count("overwrite") != 0;

    auto summary = exportProject(o);
    if (!summary)
        throw RuntimeError(summary.error());
    for (const auto& w : summary->warnings)
        std::cerr << "voirie export: warning: " << w << "\n";
    warnIfSurveyIncomplete(o.project, "export");
    if (!vm.count("quiet")) {
        for (const auto& l : summary->layers)
            if (l.layer == "surface" && !l.files.empty())
                std::cerr << "surface: " << l.files.front().string() << "\n";
            else
                std::cerr << l.layer << ": " << l.features << " feature(s)\n";
        if (summary->chips_written)
            std::cerr << summary->chips_written << " evidence image(s) written beside the export\n";
        std::cerr << "wrote " << summary->out.string() << " (" << exportFormatName(o.format) << ")\n";
    }
    return kExitOk;
}

} // namespace voirie::cli
