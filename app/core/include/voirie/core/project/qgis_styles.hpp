// QGIS styles for the project's layers, stored in the GeoPackage `layer_styles` table (the table
// QGIS itself reads and writes), so every layer opens styled: damages and detections by class
// colour with the line or outline width growing with severity.
#pragma once

#include "voirie/core/base/result.hpp"

#include <gdal_priv.h>

#include <string>
#include <vector>

namespace voirie {

// The QML document for one of the project's layers (track, frames, detections, damages).
std::string qgisStyleQml(const std::string& layer);

// Writes (or replaces) the default style of every project layer present in `ds`.
Status writeQgisStyles(GDALDataset& ds, const std::string& where);

// One category of a categorised style: features whose field equals `value` are drawn in
// `colour` ("#rrggbb") and listed in the legend as `label`.
struct StyleCategory {
    std::string value;
    std::string label;
    std::string colour;
};

// A line layer drawn by category of one text field (the rated segments by grade: rating passes
// its grade bands, so the store knows nothing of rating schemes).
std::string categorisedLineStyleQml(const std::string& field, const std::vector<StyleCategory>& categories,
                                    double width_mm);

// A layer of points, lines and polygons (the `changes` of `voirie compare`) drawn by category of
// one text field: a marker, a line or a filled outline in the category's colour.
std::string categorisedGeometryStyleQml(const std::string& field, const std::vector<StyleCategory>& categories);

// Writes (or replaces) the default QGIS style of one layer.
Status writeLayerStyle(GDALDataset& ds, const std::string& layer, const std::string& qml, const std::string& where);

} // namespace voirie
