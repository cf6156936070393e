// Puts GPS into an MP4 the way cameras do, so that the generator can make footage like a GoPro's
// or a dash-cam's and tests can make any telemetry layout: a timed-metadata or text track appended
// to the movie (GoPro's `gpmd`, NMEA subtitles) or Novatek's `gps ` index with its `free` records.
// The movie box must be the file's last box (what FFmpeg writes without faststart); it grows in
// place and the new samples follow it.
#pragma once

#include "voirie/core/base/result.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace voirie::sample {

struct EmbeddedFix {
    double time = 0; // UTC Unix seconds
    double lat = 0, lon = 0, alt_m = 0, speed_mps = 0;
};

// One GPMF payload: DEVC { STRM { GPSF, GPSU, GPSP, SCAL, GPS5 } } for the fixes of one second.
// `fix` 3 (3D) unless told; `dop` as GPSP / 100.
std::string gpmfGpsPayload(const std::vector<EmbeddedFix>& fixes, int fix = 3, double dop = 1.1);

// Appends a track of `samples` (each `sample_duration_s` long, the first at media time 0) with the
// given handler ("meta", "text") and sample format ("gpmd", "tx3g", ...).
Status appendMp4Track(const std::filesystem::path& mp4, const std::string& handler, const std::string& format,
                      const std::vector<std::string>& samples, double sample_duration_s);

// GoPro-style telemetry: one GPMF payload a second from the fixes (times relative to
// `video_start`, media time 0).
Status embedGpmf(const std::filesystem::path& mp4, const std::vector<EmbeddedFix>& fixes, double video_start);

// A GoPro's recording settings (HERO8 and later): moov/udta/GPMF holding DEVC { DVID, DVNM
// "Global Settings", MINF model, VFOV lens mode, ZFOV diagonal field of view in degrees }.
std::string gpmfSettingsPayload(const std::string& model, const std::string& lens_mode, double diagonal_fov_deg);
Status embedGoProSettings(const std::filesystem::path& mp4, const std::string& model, const std::string& lens_mode,
                          double diagonal_fov_deg);

// Novatek-style: one record a second (the fix nearest each whole second of the video), written as
// `free` boxes after the movie and indexed from a `gps ` box inside it.
Status embedNovatek(const std::filesystem::path& mp4, const std::vector<EmbeddedFix>& fixes, double video_start,
                    double duration_s);

} // namespace voirie::sample
