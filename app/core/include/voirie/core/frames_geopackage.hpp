// Writes a survey's `track` (lines, one per segment between gaps) and sampled `frames` (points)
// to a GeoPackage in EPSG:4326, lon/lat order.
#pragma once

#include "voirie/core/result.hpp"
#include "voirie/core/survey_reader.hpp"
#include "voirie/core/track.hpp"

#include <filesystem>
#include <vector>

namespace voirie {

Status writeFramesGeoPackage(const std::filesystem::path& path, const Track& track,
                             const std::vector<GeoFrame>& frames, bool overwrite);

} // namespace voirie
