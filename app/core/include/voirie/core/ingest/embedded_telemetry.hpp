// GPS kept inside a video file, read by content: GoPro's GPMF track, the Novatek-family `gps `
// box (Viofo, Kenwood and many generic dash-cams), 70mai's `GPS ` box, and NMEA sentences in a
// subtitle/text track (BlackVue and others). Each reader returns the fixes on one clock together
// with that clock's time of the video's first frame, so that frames and fixes line up whatever the
// container's creation time says.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/ingest/gps_fix.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

struct TelemetryOptions {
    // Fixes whose dilution of precision is above this are dropped (GoPro's GPSP is DOP x 100:
    // its documentation calls under 500 good).
    double max_dop = 5.0;
};

struct TelemetryCounts {
    int positions_read = 0;
    int dropped_no_fix = 0;     // the receiver said it had no 2D/3D fix (GPSF, GPS9 fix, status V)
    int dropped_precision = 0;  // DOP above the limit
    int dropped_invalid = 0;    // no time, or a position outside the world
    int used() const { return positions_read - dropped_no_fix - dropped_precision - dropped_invalid; }
};

struct EmbeddedTrack {
    std::filesystem::path video;
    std::string format;               // "GoPro GPMF", "Novatek GPS boxes", "70mai GPS box", "NMEA text track"
    std::vector<GpsFix> fixes;        // in time order
    double video_start = 0;           // the fixes' clock at the video's first frame
    bool utc = true;                  // the fixes' clock is GPS time (UTC); false: the camera's own clock
    std::optional<double> container_time;
    TelemetryCounts counts;
    std::vector<std::string> notes;   // what the reader noticed: the container's clock, damaged samples
};

// nullopt: the file holds no telemetry of a kind Voirie knows (not an error: look for a sidecar).
// An error: telemetry is there but gives no usable fix, or is damaged; one sentence saying which.
Result<std::optional<EmbeddedTrack>> readEmbeddedTrack(const std::filesystem::path& video,
                                                       const TelemetryOptions& options = {});

// What the container's creation time says about the camera's clock next to GPS time: "container
// clock is local time (UTC+8)" when they differ by a whole number of hours (within 15 minutes),
// "container clock is off by 37.0 s" otherwise; nothing when they agree within a minute.
std::optional<std::string> describeContainerClock(double container_time, double gps_time);

} // namespace voirie
