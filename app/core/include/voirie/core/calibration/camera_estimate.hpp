// The camera's mounting worked out from the footage and its GPS, for footage that comes without a
// camera.json: pitch from where the road vanishes on straight stretches, height from how far the
// road moves in the image against how far the GPS says the vehicle went, the field of view from how
// far the distant scene sweeps sideways in turns against the GPS heading (else given, read from the
// camera's metadata - lens_from_metadata.hpp - or assumed),
// roll from how far the horizon leans. Each value says where it came from and how sure it is.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/geo/camera_model.hpp"
#include "voirie/core/ingest/survey_reader.hpp"

#include <optional>
#include <string>
#include <vector>

namespace voirie {

struct CameraValue {
    double value = 0;
    std::string source;       // "given", "metadata" (the camera's own), "estimated" or "default"
    double uncertainty = 0;   // one standard error, in the value's unit (0 when not estimated)
    std::string how;          // a few words: "vanishing point of 212 straight frames"
};

struct CameraEstimate {
    CameraModel camera;       // for the footage's frame size
    CameraValue height_m, pitch_deg, roll_deg, hfov_deg;
    int frames_examined = 0;
    int straight_frames = 0;  // frames on a straight stretch where the road's vanishing point was found
    int motion_pairs = 0;     // consecutive frames whose road shift was measured
    std::vector<std::string> notes;
};

struct CalibrationOptions {
    std::optional<double> hfov_deg;      // known field of view (the lens mode)
    std::optional<double> height_m;      // known height
    double default_height_m = 1.3;       // the last resort, stated as such
    double default_pitch_deg = 12;
    double default_hfov_deg = 90;
    int max_frames = 600;                // read whole at 10 per second (a minute): pitch, roll, height, turns
    int turn_frames = 3000;              // the turns read on to this many (5 minutes), the horizon's rows only
};

// Reads the survey's frames (10 a second, from the start) with `ingest`'s video and GPS; its
// camera_file is ignored. Fails only when the survey cannot be read.
Result<CameraEstimate> estimateCamera(IngestOptions ingest, const CalibrationOptions& options = {});

// "estimated (+-0.3 degrees): vanishing point of the road in 212 straight frames".
std::string describe(const CameraValue& value);

// The options with the camera worked out from the footage where they give no camera file (and
// read video): `camera`, `camera_source` and each value's source set. A survey the estimate cannot
// read keeps the default camera and says why in `why_not`.
IngestOptions resolveCamera(IngestOptions ingest, std::string* why_not = nullptr, const CalibrationOptions& options = {});

} // namespace voirie
