// Small RAII-friendly helpers over GDAL/OGR used wherever Voirie writes GIS files.
#pragma once

#include "voirie/core/base/result.hpp"

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

// Creates an empty GeoPackage at `path` (which must not exist).
Result<GDALDatasetUniquePtr> createGeoPackage(const std::filesystem::path& path);

// WGS 84 with longitude first, as GeoPackage stores it.
OGRSpatialReference wgs84LonLat();

struct CoordinateTransformDeleter {
    void operator()(OGRCoordinateTransformation* t) const { OGRCoordinateTransformation::DestroyCT(t); }
};
using CoordinateTransform = std::unique_ptr<OGRCoordinateTransformation, CoordinateTransformDeleter>;
// From `from` to `to`, both taken with x first (longitude, easting); null when PROJ cannot.
CoordinateTransform makeTransform(OGRSpatialReference from, OGRSpatialReference to);

// gdal_translate of `source` into `out` with its command-line `arguments` (e.g. -of COG -co ...),
// with a small block cache (rasters are read once; memory stays flat). On failure: "cannot write
// `name`: " and GDAL's reason, or that GDAL's `driver` refused it.
Status translateRaster(GDALDataset& source, const std::filesystem::path& out, std::vector<std::string> arguments,
                       const std::string& name, const std::string& driver);

void addField(OGRLayer& layer, const char* name, OGRFieldType type, int width = 0);

// A field's value as text / number; empty / `fallback` when unset, or when the layer lacks the
// field (projects written by older Voirie versions have fewer).
std::string fieldText(const OGRFeature& feature, const char* name);
double fieldNumber(const OGRFeature& feature, const char* name, double fallback = 0);

// A DateTime field as UTC Unix seconds (its time zone applied); 0 when unset or missing.
double fieldTime(const OGRFeature& feature, const char* name);

// Sets a DateTime field from UTC Unix seconds (millisecond precision, flagged UTC).
void setTimeField(OGRFeature& feature, const char* name, double unix_seconds);

} // namespace voirie
