// Small RAII-friendly helpers over GDAL/OGR used wherever Voirie writes GIS files.
#pragma once

#include "voirie/core/result.hpp"

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <optional>

namespace voirie {

// Creates an empty GeoPackage at `path` (which must not exist).
Result<GDALDatasetUniquePtr> createGeoPackage(const std::filesystem::path& path);

// WGS 84 with longitude first, as GeoPackage stores it.
OGRSpatialReference wgs84LonLat();

void addField(OGRLayer& layer, const char* name, OGRFieldType type, int width = 0);

// Sets a DateTime field from UTC Unix seconds (millisecond precision, flagged UTC).
void setTimeField(OGRFeature& feature, const char* name, double unix_seconds);

} // namespace voirie
