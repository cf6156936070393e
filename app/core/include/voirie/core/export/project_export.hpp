// `voirie export`: a project's layers into the GIS formats and CRS users work in, through
// GDAL/OGR (nothing is written by hand), with filters and evidence images.
//
// Output paths: GeoPackage and KML hold every layer in one file (--out is the file). GeoJSON,
// CSV and FlatGeobuf hold one layer per file: --out is the file for one layer, a folder of
// `<layer>.<ext>` for several. Shapefile output is always a folder of file sets, one per layer
// and, for layers that mix lines and polygons (damages, detections), one per geometry type:
// `damages_lines.shp`, `damages_polygons.shp`. Everything is written to a temporary sibling and
// renamed into place on success. The `surface` layer (the road-surface mosaic the project's run
// records) is a raster: `surface.tif` in a folder output, `<name>_surface.tif` beside a file, or
// --out itself (a .tif) when it is the only layer; reprojected to --crs when one is given.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/vocabulary/detection.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

enum class ExportFormat { GeoPackage, GeoJSON, Shapefile, KML, CSV, FlatGeobuf };
enum class ReviewFilter { Accepted, NotRejected, All };
enum class ChipMode { None, Files, Embedded };

std::optional<ExportFormat> exportFormatFromName(const std::string& name); // gpkg geojson shp kml csv fgb
std::string exportFormatName(ExportFormat format);

struct ExportOptions {
    std::filesystem::path project;
    std::filesystem::path out;
    ExportFormat format = ExportFormat::GeoPackage;
    std::vector<std::string> layers{"damages"};
    std::optional<std::string> crs;      // anything GDAL's SetFromUserInput takes; default EPSG:4326
    std::vector<std::string> classes;    // damages only; empty = all
    std::optional<double> min_confidence;
    std::optional<Severity> min_severity; // damages without a severity are left out when set
    ReviewFilter review = ReviewFilter::NotRejected;
    std::optional<ChipMode> chips;        // default: embedded for GeoPackage, files otherwise
    bool overwrite = false;
};

struct ExportedLayer {
    std::string layer;
    int64_t features = 0;
    std::vector<std::filesystem::path> files; // what was written for it (main files)
};

struct ExportSummary {
    std::filesystem::path out;
    std::vector<ExportedLayer> layers;
    int64_t chips_written = 0;
    std::vector<std::string> warnings; // e.g. images that were never anonymized
};

Result<ExportSummary> exportProject(const ExportOptions& options);

} // namespace voirie
