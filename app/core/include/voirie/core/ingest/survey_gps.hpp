// Where a video survey's GPS comes from: the --track given, else the videos' own telemetry, else a
// sidecar beside the first video. Read before the video is opened, so that what needs the track on
// its own (the clock alignment of `--time-offset auto`) reads it the same way the survey does.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/ingest/survey_reader.hpp"

#include <optional>
#include <string>
#include <vector>

namespace voirie {

struct SurveyGps {
    std::vector<GpsFix> fixes;           // as read, in file order (not yet cleaned)
    std::vector<double> telemetry_starts; // each video's first frame on the GPS clock (embedded telemetry)
    std::optional<double> video_start;   // the first frame's time a track timed by media time says (DJI SRT)
    std::string path;                    // the track file, or the video(s) the telemetry came from
    std::string format;
    std::string source;                  // "--track", "video telemetry" or "sidecar"
    bool clock_utc = true;               // false: the camera's own clock (70mai, DJI SRT)
    std::optional<TelemetryCounts> telemetry;
    std::vector<std::string> telemetry_notes;
    std::vector<std::string> warnings;
    std::optional<NmeaStatistics> nmea;
    int rows_without_time = 0;
};

// The GPS of a video survey, or the --track of a photo survey. Every refusal is one sentence.
Result<SurveyGps> readSurveyGps(const IngestOptions& options);

} // namespace voirie
