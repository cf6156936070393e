// Pinhole camera on a vehicle looking at a flat road: pixel <-> point on the road plane in the
// vehicle frame. The host's side of the SDK's GroundPlane (the same code plugins use).
#pragma once

#include "voirie/core/geo/camera_model.hpp"

#include <voirie/ground_plane.hpp>

namespace voirie {

using sdk::GroundPoint;

voirie_camera toAbiCamera(const CameraModel& camera);

class CameraGeometry : public sdk::GroundPlane {
public:
    explicit CameraGeometry(const CameraModel& camera) : sdk::GroundPlane(toAbiCamera(camera)), model_(camera) {}
    const CameraModel& model() const { return model_; }

private:
    CameraModel model_;
};

} // namespace voirie
