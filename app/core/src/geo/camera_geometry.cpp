#include "voirie/core/geo/camera_geometry.hpp"

namespace voirie {

voirie_camera toAbiCamera(const CameraModel& c)
{
    return voirie_camera{sizeof(voirie_camera), c.fx, c.fy, c.cx, c.cy, c.height_m, c.pitch_deg, c.roll_deg};
}

} // namespace voirie
