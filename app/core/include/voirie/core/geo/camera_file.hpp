// camera.json: the camera's image size, intrinsics (or field of view) and mounting.
//
//   {"width": 1280, "height": 720, "hfov_deg": 90,            (or "fx","fy","cx","cy" in pixels)
//    "height_m": 1.3, "pitch_deg": 12, "roll_deg": 0,
//    "k1": -0.3, "k2": 0.1, "p1": 0, "p2": 0, "k3": 0}      (optional: lens distortion, OpenCV's
//                                                           radial-tangential model, or
//    "fisheye": [k1, k2, k3, k4]                            OpenCV's fisheye model)
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/geo/camera_model.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace voirie {

Result<CameraModel> readCameraFile(const std::filesystem::path& path);
// The same from camera.json's text (e.g. the camera a project's run recorded); `where` names it
// in the error sentence.
Result<CameraModel> parseCamera(const std::string& text, const std::string& where);
Status writeCameraFile(const CameraModel& camera, const std::filesystem::path& path);

// A typical windscreen dash-cam: 90 degree horizontal field of view, principal point at the
// centre, 1.3 m above the road, pitched 12 degrees down.
CameraModel defaultDashcamCamera(int width, int height);

// Why the camera cannot be used, or nothing when it is sound.
std::optional<std::string> cameraProblem(const CameraModel& camera);

// The intrinsics scaled to another image size (same field of view).
CameraModel scaledTo(const CameraModel& camera, int width, int height);

} // namespace voirie
