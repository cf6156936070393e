// DJI's `.SRT` sidecars (drones, Osmo Action, some dash-cams): a subtitle per frame or per second
// whose text holds the position ("[latitude: 47.37] [longitude: 8.54]", or older "GPS(lon,lat,alt)")
// and a date and time. The subtitle's own start time is the frame's media time, so the track lines
// up with the video whatever clock the date is on.
#pragma once

#include "voirie/core/ingest/gps_fix.hpp"

#include <optional>
#include <string>
#include <vector>

namespace voirie {

struct SrtTelemetry {
    std::vector<GpsFix> fixes;        // times on the recorder's clock
    std::optional<double> video_start; // that clock at media time 0 (from the subtitles' times)
    int subtitles = 0;
    int without_position = 0;
    int without_time = 0;
};

// True when the text starts as a SubRip file does ("1", then "00:00:00,000 --> ...").
bool looksLikeSrt(const std::string& head);

// Subtitles with a position but no date of their own are timed from `recording_start` (the
// video's creation time) when one is given, and counted in `without_time` otherwise.
SrtTelemetry parseSrtTelemetry(const std::string& text, std::optional<double> recording_start = std::nullopt);

} // namespace voirie
