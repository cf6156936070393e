// Frames as a pinhole camera would have taken them: a lens's distortion (camera.json's k1, k2,
// p1, p2, k3 or fisheye) removed by one remap per frame, with maps computed once. Everything
// downstream of ingest - plugins, ground projection, chips, the frame view, the surface - then
// works with the pinhole camera this gives, whose view keeps only pixels the lens saw.
#pragma once

#include "voirie/core/geo/camera_model.hpp"

#include <nlohmann/json.hpp>

#include <opencv2/core.hpp>

#include <optional>

namespace voirie {

class LensUndistortion {
public:
    // Nothing for a camera without distortion.
    static std::optional<LensUndistortion> forCamera(const CameraModel& camera);
    // The camera as the run recorded it (`lens` beside the pinhole values, see lensJson), or nothing.
    static std::optional<LensUndistortion> forRecordedCamera(const std::string& camera_json);

    // `image` (the camera's size, else scaled to it first) without the distortion.
    cv::Mat apply(const cv::Mat& image) const;
    // The undistorted frames' camera: no distortion, the same size and mounting.
    const CameraModel& pinhole() const { return pinhole_; }
    const CameraModel& lensCamera() const { return lens_; }

private:
    CameraModel lens_, pinhole_;
    cv::Mat map_x_, map_y_;
};

// The pinhole camera a lens's frames give once undistorted (what LensUndistortion::pinhole() is),
// without building the remap tables; the camera itself when it has no distortion.
CameraModel undistortedPinhole(const CameraModel& lens_camera);

// The lens camera as the run records it ("lens" in the run's camera JSON): its intrinsics and
// coefficients, so that frames decoded again (the frame view, `voirie ortho`) are undistorted alike.
nlohmann::ordered_json lensJson(const CameraModel& lens_camera);

} // namespace voirie
