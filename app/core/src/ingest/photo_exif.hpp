// Position and time of a geotagged photo, from its EXIF tags read through GDAL.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/ingest/gps_fix.hpp"

#include <filesystem>
#include <optional>

namespace voirie {

struct PhotoTags {
    std::optional<double> time;     // UTC: GPS date/time stamp, else DateTimeOriginal (+ its offset)
    bool time_from_gps = false;
    std::optional<double> lon, lat; // EXIF GPS position
    int width = 0, height = 0;
};

Result<PhotoTags> readPhotoTags(const std::filesystem::path& path);

} // namespace voirie
