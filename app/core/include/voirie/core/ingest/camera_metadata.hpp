// What a video says about the camera that made it, for working out its lens: a GoPro's settings
// (model, lens mode, diagonal field of view; see gpmf_parser.hpp). Read from the container only,
// bounded like every box reader; a file without such metadata gives an empty answer, not an error.
#pragma once

#include "voirie/core/ingest/gpmf_parser.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace voirie {

struct CameraMetadata {
    std::string make;                     // "GoPro" when GoPro settings or telemetry were found
    GpmfSettings gopro;
    std::vector<std::string> problems;    // damaged boxes or payloads met on the way

    bool empty() const { return make.empty(); }
    // "GoPro HERO8 Black (firmware HD8.01.01.60.00)"; empty when nothing is known.
    std::string cameraName() const;
};

// Never throws; a file that cannot be read or holds no camera metadata gives an empty answer.
CameraMetadata readCameraMetadata(const std::filesystem::path& video);

} // namespace voirie
