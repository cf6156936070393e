// How far the horizon leans in the image: the camera's roll. Whatever is level in the world near
// the horizon (the far end of the road meeting the haze, the skyline's foot, rows of windows, the
// backs of vehicles ahead, stop lines) draws edges at the horizon's angle; edges of other angles
// (kerbs, lane lines, building outlines) spread over many. The angle where the edges' strength
// peaks, over many frames, is the horizon's.
#pragma once

#include "voirie/core/geo/camera_model.hpp"

#include <opencv2/core.hpp>

#include <optional>
#include <vector>

namespace voirie {

struct HorizonTilt {
    double angle_deg = 0; // the horizon's angle in the image, image y down: positive falls to the right
    double error_deg = 0; // one standard error, from the spread of 6-second stretches
    int stretches = 0;    // stretches that each gave an angle
};

// `greys`: frames in time order (10 a second), all of one size; `horizon_row`: the horizon's row
// at the centre column in them (from the road's vanishing point). Nothing when the band about the
// horizon shows too few near-level edges or the stretches disagree.
std::optional<HorizonTilt> measureHorizonTilt(const std::vector<cv::Mat>& greys, double horizon_row);

// The roll (degrees) that leans `camera`'s horizon by `angle_deg`, for its pitch and focal length.
double rollForHorizonTilt(CameraModel camera, double angle_deg);

} // namespace voirie
