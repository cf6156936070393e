// The camera's pitch frame by frame. The vehicle rocks over the road (a few tenths of a degree),
// and a pitch error stretches a ground patch along the road: content at distance D ahead is drawn
// k(D) = (h^2 + D^2) / h times the error further (h: the camera's height), 6 cm at 6 m for 0.15
// degrees. Consecutive frames compared on the near and the far half of their overlap tell the
// difference of their pitch errors apart from their offset; a chain of such differences, held to
// the nominal pitch over longer stretches, gives each frame's error (least squares, tridiagonal).
#pragma once

#include "frame_registration.hpp"

#include <optional>
#include <vector>

namespace voirie::surface {

struct PitchRefinementWeights {
    double prior_sigma_rad = 0.005;       // how far a frame's pitch may be off the nominal one (0.3 degrees)
    double measurement_sigma_m = 0.01;    // a difference of the halves' forward shifts
};

// How far a ground point `distance_m` ahead moves along the road per radian of pitch error.
double pitchStretch(double distance_m, double camera_height_m);

// shifts[i] (i >= 1): frame i registered against frame i-1 (with both halves, or not used). Each
// frame's pitch error in radians: positive when it looked further down than its camera says.
std::vector<double> estimatePitchErrors(const std::vector<std::optional<PatchShift>>& shifts, double camera_height_m,
                                        const PitchRefinementWeights& weights = {});

// The shift that is left once both frames' pitch errors are taken out (the frames' offset).
PatchShift withoutPitch(const PatchShift& shift, double earlier_error_rad, double later_error_rad, double camera_height_m);

} // namespace voirie::surface
