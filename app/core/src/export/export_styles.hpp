// QGIS styles that travel with an export: a .qml beside each file, or the project's
// layer_styles table copied into a GeoPackage.
#pragma once

#include "voirie/core/base/result.hpp"

#include <gdal_priv.h>

#include <filesystem>
#include <string>
#include <vector>

namespace voirie {

// Writes `<file stem>.qml` beside an exported file, with the style of the project layer.
Status writeSidecarStyle(const std::filesystem::path& file, const std::string& layer);

// Copies the project's QGIS styles of `layers` into the export (or writes the defaults).
Status copyLayerStyles(GDALDataset& from, GDALDataset& to, const std::vector<std::string>& layers);

} // namespace voirie
