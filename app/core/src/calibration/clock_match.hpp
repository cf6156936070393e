// The offset between the video's clock and the GPS track's, found by laying the path the footage
// shows (the image motion, dead-reckoned) over the track's fixes at each offset tried: a shift,
// a rotation and a scale (the camera height is not known) fitted per minute, and the offset whose
// fit leaves the least error wins. Only what changes tells times apart - the start and end of a
// turn, a stop, a change of speed: on a straight road at constant speed every offset fits, and
// the match refuses.
#pragma once

#include "path_fit.hpp"

#include "voirie/core/base/result.hpp"

#include <vector>

namespace voirie {

struct ClockMatchOptions {
    double coarse_step_s = 0.25;
    double window_s = 60;          // each window of footage gets its own shift, rotation and scale
    double min_coverage = 0.8;     // of the footage (or of the track, when shorter) the fixes must cover
    double max_uncertainty_s = 1.0;
    double ambiguity_ratio = 1.25; // another offset (over 3 s away) whose error is within this factor: ambiguous
    double min_turn_deg = 8, min_speed_variation = 0.25; // the least a track must turn or change speed to be matched
    double fit_tolerance_m = 2.0;  // the fit may exceed twice the track's own noise by this much
};

struct ClockMatch {
    double offset_s = 0;      // track time = video time + offset
    double uncertainty_s = 0; // one standard error
    double rms_m = 0;         // the fixes' distance from the footage's path at that offset
    double scale = 0;         // track distance / image distance (true height / assumed height)
    double yaw_gain = 1;      // the image's turns x this (+ turn_per_metre x distance) = the track's turns
    double turn_per_metre = 0; // radians per image metre: a camera looking aside of the travel
    int fixes = 0;
    double matched_s = 0;     // footage time the fixes covered
    double runner_up_offset_s = 0, runner_up_rms_m = 0; // the best other offset, over 3 s away
};

// `track` in time order. Fails with one sentence when nothing tells the offsets apart.
Result<ClockMatch> matchClock(const std::vector<MotionStep>& steps, const std::vector<TrackPosition>& track,
                              const ClockMatchOptions& options = {});

} // namespace voirie
