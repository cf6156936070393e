#include "voirie/core/calibration/lens_from_metadata.hpp"

#include "voirie/core/base/number_format.hpp"
#include "voirie/core/ingest/lens_undistortion.hpp"

#include <cmath>

namespace voirie {
namespace {

// GoPro's lens modes as ExifTool's GoPro tag table documents VFOV's values.
const LensMode kLensModes[] = {
    {"GoPro", "L", "Linear", LensProjection::rectilinear, "the camera straightens the frames itself"},
    {"GoPro", "W", "Wide", LensProjection::equidistant_fisheye,
     "an equidistant fisheye assumed (the lens's own distortion coefficients are not recorded): "
     "positions near the frame's corners are less sure; a calibrated camera.json is better"},
    {"GoPro", "S", "SuperView", std::nullopt,
     "SuperView stretches the frame's sides more than its middle: no camera model describes it"},
};

void setWhy(std::string* why_not, std::string text)
{
    if (why_not)
        *why_not = std::move(text);
}

} // namespace

std::optional<LensMode> lensMode(const std::string& make, const std::string& code)
{
    for (const LensMode& m : kLensModes)
        if (m.make == make && m.code == code)
            return m;
    return std::nullopt;
}

std::optional<MetadataLens> lensFromMetadata(const CameraMetadata& metadata, int width, int height, std::string* why_not)
{
    setWhy(why_not, {});
    if (metadata.empty() || width <= 0 || height <= 0)
        return std::nullopt;
    const std::string camera = metadata.cameraName();
    const GpmfSettings& g = metadata.gopro;
    if (g.lens_mode.empty() && !g.diagonal_fov_deg)
        return std::nullopt;
    if (g.lens_mode.empty()) {
        setWhy(why_not, camera + " records a diagonal field of view but no lens mode: how its frames project is unknown");
        return std::nullopt;
    }
    const auto mode = lensMode(metadata.make, g.lens_mode);
    if (!mode) {
        setWhy(why_not, camera + "'s lens mode \"" + g.lens_mode + "\" is not in Voirie's table of lens modes");
        return std::nullopt;
    }
    if (!mode->projection) {
        setWhy(why_not, camera + " recorded in " + mode->name + ": " + mode->note);
        return std::nullopt;
    }
    if (!g.diagonal_fov_deg) {
        setWhy(why_not, camera + " recorded in " + mode->name + " but not its field of view (ZFOV, written by the HERO8 and later)");
        return std::nullopt;
    }
    const double diagonal_deg = *g.diagonal_fov_deg;
    const double half_diagonal_px = std::hypot(width, height) / 2.0;
    const double half_rad = diagonal_deg / 2.0 * M_PI / 180.0;
    MetadataLens out;
    CameraModel& c = out.camera;
    c.width = width, c.height = height;
    c.cx = width / 2.0, c.cy = height / 2.0;
    if (*mode->projection == LensProjection::rectilinear) {
        if (!(diagonal_deg > 10 && diagonal_deg < 170)) {
            setWhy(why_not, camera + " records a diagonal field of view of " + fixedDecimals(diagonal_deg, 1) +
                                " degrees, impossible for a " + mode->name + " lens");
            return std::nullopt;
        }
        c.fx = c.fy = half_diagonal_px / std::tan(half_rad);
        out.hfov_deg = 2 * std::atan(width / 2.0 / c.fx) * 180 / M_PI;
    } else {
        if (!(diagonal_deg > 60 && diagonal_deg < 200)) {
            setWhy(why_not, camera + " records a diagonal field of view of " + fixedDecimals(diagonal_deg, 1) +
                                " degrees, implausible for a " + mode->name + " lens");
            return std::nullopt;
        }
        c.fx = c.fy = half_diagonal_px / half_rad;
        c.lens.model = LensDistortion::Model::fisheye; // k1..k4 = 0: equidistant
        out.hfov_deg = 2 * std::atan(width / 2.0 / undistortedPinhole(c).fx) * 180 / M_PI;
    }
    out.how = "the camera's metadata: " + camera + ", " + mode->name + " lens mode, " + fixedDecimals(diagonal_deg, 1) +
              " degrees diagonal (ZFOV)";
    if (*mode->projection != LensProjection::rectilinear)
        out.how += "; " + mode->note;
    return out;
}

} // namespace voirie
