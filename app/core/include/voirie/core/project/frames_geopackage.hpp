// Writes a survey's `track` (lines, one per segment between gaps) and sampled `frames` (points)
// to a GeoPackage in EPSG:4326, lon/lat order.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/ingest/survey_reader.hpp"
#include "voirie/core/ingest/track.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <string>

#include <filesystem>
#include <vector>

namespace voirie {

Status writeFramesGeoPackage(const std::filesystem::path& path, const Track& track,
                             const std::vector<GeoFrame>& frames, bool overwrite);

// The `track` and `frames` layers (fields as documented in the README), shared with the project
// store so that `voirie frames --out` and `voirie analyze` write them alike.
Status createTrackAndFrameLayers(GDALDataset& ds, const std::string& where);
Status writeTrackFeatures(OGRLayer& layer, const Track& track);
Status writeFrameFeature(OGRLayer& layer, const GeoFrame& frame);

} // namespace voirie
