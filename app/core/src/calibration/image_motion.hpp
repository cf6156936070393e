// The vehicle's own motion as the footage shows it, without GPS: between frames 0.1 s apart, how
// far the road moved towards the camera (forward, in metres for an assumed camera height) and how
// much it turned (the road's texture swinging sideways more the further ahead it lies). What the
// clock alignment matches against the GPS track.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/geo/camera_model.hpp"
#include "voirie/core/ingest/video_timeline.hpp"

#include <optional>
#include <vector>

namespace voirie {

struct MotionStep {
    double time = 0;       // the later frame's time on the video's clock
    double forward_m = 0;  // distance moved, for the assumed camera (true distance x true height / assumed)
    double yaw_rad = 0;    // turn to the right (heading increases), as the road's sideways swing says
    bool measured = false; // false: the road could not be matched; the previous step's motion is assumed
};

struct ImageMotion {
    std::vector<MotionStep> steps;
    CameraModel camera;       // the camera assumed (its pitch from the vanishing road when not given)
    int frames = 0;           // frames examined
    int unmeasured = 0;
};

struct ImageMotionOptions {
    double step_s = 0.1;
    double max_s = 600;       // the first ten minutes of footage at most
    std::optional<CameraModel> camera; // the mounting when known (a camera file)
};

// Reads `video` from its current position. Fails when it holds too few frames.
Result<ImageMotion> measureImageMotion(VideoTimeline& video, const ImageMotionOptions& options = {});

} // namespace voirie
