// The `surface` of `voirie export --layers ...,surface`: the road-surface mosaic the project's run
// records (voirie ortho, analyze --ortho) copied along, reprojected when a CRS is asked for.
#pragma once

#include "voirie/core/base/result.hpp"

#include <gdal_priv.h>

#include <filesystem>
#include <optional>
#include <string>

namespace voirie {

// The mosaic the project records, checked to exist (beside the project if it moved with it).
Result<std::filesystem::path> recordedSurface(GDALDataset& project, const std::filesystem::path& project_path);

// Writes `surface` to `out` (atomically): as it is, or reprojected to `crs` (a COG still).
Status exportSurface(const std::filesystem::path& surface, const std::optional<std::string>& crs,
                     const std::filesystem::path& out, bool overwrite);

} // namespace voirie
