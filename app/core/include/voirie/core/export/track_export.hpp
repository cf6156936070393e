// A GPS track written out as a GIS file: what `voirie telemetry` makes of a video's embedded GPS
// (what people use gopro2gpx or `exiftool -ee` for). GPX (track points), GeoPackage, GeoJSON or
// CSV, chosen by the extension; written through OGR, atomically.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/ingest/gps_fix.hpp"

#include <filesystem>
#include <vector>

namespace voirie {

// ".gpx", ".gpkg", ".geojson" (or ".json"), ".csv"; an error names the ones accepted.
Status writeTrackFile(const std::filesystem::path& path, const std::vector<GpsFix>& fixes, bool overwrite);

} // namespace voirie
