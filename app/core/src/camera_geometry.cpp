#include "voirie/core/camera_geometry.hpp"

#include <cmath>

namespace voirie {

CameraGeometry::CameraGeometry(const CameraModel& camera) : camera_(camera)
{
    const double pitch = camera.pitch_deg * M_PI / 180.0, roll = camera.roll_deg * M_PI / 180.0;
    // Without roll: optical axis forward and down, image x to the right, image y down.
    const double z0[3] = {std::cos(pitch), 0, -std::sin(pitch)};
    const double x0[3] = {0, 1, 0};
    const double y0[3] = {-std::sin(pitch), 0, -std::cos(pitch)};
    // Roll rotates the image axes around the optical axis (clockwise seen from behind).
    for (int i = 0; i < 3; ++i) {
        xa_[i] = std::cos(roll) * x0[i] + std::sin(roll) * y0[i];
        ya_[i] = -std::sin(roll) * x0[i] + std::cos(roll) * y0[i];
        za_[i] = z0[i];
    }
}

std::optional<GroundPoint> CameraGeometry::pixelToGround(double x, double y) const
{
    const double a = (x - camera_.cx) / camera_.fx, b = (y - camera_.cy) / camera_.fy;
    const double d[3] = {a * xa_[0] + b * ya_[0] + za_[0], a * xa_[1] + b * ya_[1] + za_[1],
                         a * xa_[2] + b * ya_[2] + za_[2]};
    if (d[2] >= -1e-9)
        return std::nullopt; // parallel to or away from the road
    const double t = camera_.height_m / -d[2];
    return GroundPoint{t * d[0], t * d[1]};
}

std::optional<std::pair<double, double>> CameraGeometry::groundToPixel(const GroundPoint& p) const
{
    const double v[3] = {p.forward, p.right, -camera_.height_m}; // from the camera to the point
    const double cx = v[0] * xa_[0] + v[1] * xa_[1] + v[2] * xa_[2];
    const double cy = v[0] * ya_[0] + v[1] * ya_[1] + v[2] * ya_[2];
    const double cz = v[0] * za_[0] + v[1] * za_[1] + v[2] * za_[2];
    if (cz <= 1e-6)
        return std::nullopt;
    return std::make_pair(camera_.cx + camera_.fx * cx / cz, camera_.cy + camera_.fy * cy / cz);
}

double CameraGeometry::horizonRow(double x) const
{
    // The horizon is where the ray's vertical component is zero: a*xa[2] + b*ya[2] + za[2] = 0.
    const double a = (x - camera_.cx) / camera_.fx;
    const double b = -(a * xa_[2] + za_[2]) / ya_[2];
    return camera_.cy + camera_.fy * b;
}

} // namespace voirie
