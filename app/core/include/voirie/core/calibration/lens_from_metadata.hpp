// The lens a camera's own metadata describes, as Voirie's camera model: a small table of lens modes
// (how each projects) and the field of view the camera recorded. A GoPro records its lens mode
// (VFOV) and, from the HERO8 on, the diagonal field of view of the frames it wrote (ZFOV); the mode
// says how to read that diagonal: Linear frames are rectilinear, Wide frames a fisheye.
#pragma once

#include "voirie/core/geo/camera_model.hpp"
#include "voirie/core/ingest/camera_metadata.hpp"

#include <optional>
#include <string>

namespace voirie {

enum class LensProjection {
    rectilinear,         // straight lines stay straight: r = f tan(theta)
    equidistant_fisheye, // r = f theta: what OpenCV's fisheye model is with k1..k4 = 0
};

struct LensMode {
    std::string make, code, name;              // "GoPro", "L", "Linear"
    std::optional<LensProjection> projection;  // nothing: no camera model describes it
    std::string note;                          // why not, or what is approximate
};

// The table's row for a camera's lens mode, or nothing when the mode is not in it.
std::optional<LensMode> lensMode(const std::string& make, const std::string& code);

struct MetadataLens {
    CameraModel camera;   // intrinsics for width x height (a fisheye's with its lens), mounting left default
    double hfov_deg = 0;  // of the pinhole view the analysis works in (a fisheye's once undistorted)
    std::string how;      // "the camera's metadata: GoPro HERO8 Black, Linear lens mode, 92.5 degrees diagonal (ZFOV)"
};

// The lens for frames of width x height, or nothing with why in `why_not` (left empty when the
// metadata says nothing about the lens at all).
std::optional<MetadataLens> lensFromMetadata(const CameraMetadata& metadata, int width, int height,
                                             std::string* why_not = nullptr);

} // namespace voirie
