// Optional helper for plugins: the flat road seen by the frame's camera (voirie_camera).
// Pixel <-> point on the road plane in the vehicle frame: metres forward of the camera and to its
// right. Image x right, y down; pitch positive looks down at the road; roll clockwise seen from
// behind. Voirie's host uses this same code, so plugins and host agree on every projection.
#pragma once

#include <voirie/plugin_abi.h>

#include <array>
#include <cmath>
#include <optional>
#include <utility>

namespace voirie::sdk {

struct GroundPoint {
    double forward = 0; // metres ahead of the camera
    double right = 0;   // metres to its right
};

class GroundPlane {
public:
    explicit GroundPlane(const voirie_camera& camera) : camera_(camera)
    {
        const double pitch = camera.pitch_deg * M_PI / 180.0, roll = camera.roll_deg * M_PI / 180.0;
        // Camera axes in the vehicle frame (forward, right, up); without roll the optical axis
        // points forward and down, image x to the right, image y down.
        const double z0[3] = {std::cos(pitch), 0, -std::sin(pitch)};
        const double x0[3] = {0, 1, 0};
        const double y0[3] = {-std::sin(pitch), 0, -std::cos(pitch)};
        for (int i = 0; i < 3; ++i) {
            xa_[i] = std::cos(roll) * x0[i] + std::sin(roll) * y0[i];
            ya_[i] = -std::sin(roll) * x0[i] + std::cos(roll) * y0[i];
            za_[i] = z0[i];
        }
    }

    // Where the pixel's ray meets the road; nothing at or above the horizon.
    std::optional<GroundPoint> pixelToGround(double x, double y) const
    {
        const auto d = ray(x, y);
        if (d[2] >= -1e-9)
            return std::nullopt;
        const double t = camera_.height_m / -d[2];
        return GroundPoint{t * d[0], t * d[1]};
    }

    // The pixel that sees a road point; nothing when the point is behind the camera.
    std::optional<std::pair<double, double>> groundToPixel(const GroundPoint& p) const
    {
        return directionToPixel(p.forward, p.right, -camera_.height_m);
    }

    // The pixel that sees the direction (forward, right, up) in the vehicle frame, at any distance:
    // the sky and distant scene too; nothing when it lies behind the camera.
    std::optional<std::pair<double, double>> directionToPixel(double forward, double right, double up) const
    {
        const double v[3] = {forward, right, up};
        const double cx = v[0] * xa_[0] + v[1] * xa_[1] + v[2] * xa_[2];
        const double cy = v[0] * ya_[0] + v[1] * ya_[1] + v[2] * ya_[2];
        const double cz = v[0] * za_[0] + v[1] * za_[1] + v[2] * za_[2];
        if (cz <= 1e-6)
            return std::nullopt;
        return std::make_pair(camera_.cx + camera_.fx * cx / cz, camera_.cy + camera_.fy * cy / cz);
    }

    // The direction (forward, right, up) in the vehicle frame that the pixel sees, unit length.
    std::array<double, 3> pixelToDirection(double x, double y) const
    {
        const auto d = ray(x, y);
        const double n = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        return {d[0] / n, d[1] / n, d[2] / n};
    }

    // Image row of the horizon at column x: rows above it see no road.
    double horizonRow(double x) const
    {
        const double a = (x - camera_.cx) / camera_.fx;
        return camera_.cy + camera_.fy * (-(a * xa_[2] + za_[2]) / ya_[2]);
    }

    // Metres on the road covered by one pixel at distance d: across the view, and along it.
    double lateralMetresPerPixel(double distance) const { return distance / camera_.fx; }
    double forwardMetresPerPixel(double distance) const
    {
        return distance * distance / (camera_.height_m * camera_.fy);
    }

    const voirie_camera& camera() const { return camera_; }

private:
    // The pixel's ray (forward, right, up) in the vehicle frame, one unit along the optical axis.
    std::array<double, 3> ray(double x, double y) const
    {
        const double a = (x - camera_.cx) / camera_.fx, b = (y - camera_.cy) / camera_.fy;
        return {a * xa_[0] + b * ya_[0] + za_[0], a * xa_[1] + b * ya_[1] + za_[1], a * xa_[2] + b * ya_[2] + za_[2]};
    }

    voirie_camera camera_;
    double xa_[3], ya_[3], za_[3];
};

} // namespace voirie::sdk
