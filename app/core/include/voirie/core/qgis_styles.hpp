// QGIS styles for the project's layers, stored in the GeoPackage `layer_styles` table (the table
// QGIS itself reads and writes), so every layer opens styled: damages and detections by class
// colour with the line or outline width growing with severity.
#pragma once

#include "voirie/core/rating_scheme.hpp"
#include "voirie/core/result.hpp"

#include <gdal_priv.h>

#include <string>

namespace voirie {

// The QML document for one of the project's layers (track, frames, detections, damages).
std::string qgisStyleQml(const std::string& layer);

// Writes (or replaces) the default style of every project layer present in `ds`.
Status writeQgisStyles(GDALDataset& ds, const std::string& where);

// The segments layer: filled by grade band colour (gradeColour), labelled with the scheme's bands.
std::string segmentStyleQml(const RatingScheme& scheme);

// Writes (or replaces) the default QGIS style of one layer.
Status writeLayerStyle(GDALDataset& ds, const std::string& layer, const std::string& qml, const std::string& where);

} // namespace voirie
