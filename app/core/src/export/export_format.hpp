// The export formats: each one's GDAL driver, extension and what it can hold.
#pragma once

#include "voirie/core/export/project_export.hpp"

#include <string>

namespace voirie {

struct FormatInfo {
    ExportFormat format;
    const char* name;      // on the command line
    const char* driver;    // GDAL driver
    const char* extension;
    bool many_layers_in_one_file;
    bool binary_fields;
    bool any_crs;          // false: the format is WGS 84 lon/lat by definition
};

const FormatInfo& formatInfo(ExportFormat format);

// The project layers `voirie export` writes: damages, detections, track, frames, segments.
bool isExportableLayer(const std::string& layer);

} // namespace voirie
