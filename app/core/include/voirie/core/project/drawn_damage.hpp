// A damage the reviewer drew on a frame, placed on the road as the detectors' damages are: a
// crack (D00, D10) is the line drawn, anything else the box it spans; projected through the
// frame's camera from the frame's position and heading, measured (length, area) and given the
// severity its measures say. The app's "Add a missed damage" and whoever reviews by script
// (scripts/measure-review-loop.sh) go through this one function; the chip is cut by the caller,
// from the frame as it was anonymized.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/geo/camera_geometry.hpp"
#include "voirie/core/project/project_review.hpp"
#include "voirie/core/vocabulary/detection.hpp"

#include <string>

namespace voirie {

// Where a frame was taken, as the project records it.
struct DrawnOnFrame {
    int64_t index = 0;
    double time = 0, chainage_m = 0, heading_deg = 0;
    double lon = 0, lat = 0;
};

// The added damage, without its chip; a sentence when what was drawn is not on the road (above
// the horizon, or beyond 40 m) or cannot be placed on the map.
Result<AddedDamage> placeDrawnDamage(const CameraModel& camera, const DrawnOnFrame& frame, const std::string& class_code,
                                     PixelPoint from, PixelPoint to);

// What was drawn as a detection by the "reviewer": its box, and the line for a crack (D00, D10)
// or the box's outline for anything else. It is what placeDrawnDamage projects, and what the
// evidence chip is cut around.
Detection drawnShape(const std::string& class_code, PixelPoint from, PixelPoint to);

} // namespace voirie
