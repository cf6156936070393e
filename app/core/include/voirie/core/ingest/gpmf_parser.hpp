// GoPro's GPMF telemetry (the `gpmd` track of HERO5 and later, MAX, Fusion): one payload, usually a
// second of every sensor, as nested KLV (four-character key, type, size, repeat; big-endian, padded
// to 32 bits). Only the GPS streams are decoded: GPS5 (lat, lon, alt, 2D and 3D speed) with the
// payload's GPSU time, GPSF fix and GPSP precision, and GPS9 (the same with time, precision and fix
// per sample). Written from the format's public description (gopro/gpmf-parser, docs/README.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace voirie {

struct GpmfGpsSample {
    double lat = 0, lon = 0, alt_m = 0, speed_mps = 0;
    std::optional<double> time;     // UTC Unix seconds (GPS9 only)
    std::optional<int> fix;         // 0 none, 2 2D, 3 3D (GPS9 only)
    std::optional<double> dop;      // dilution of precision (GPS9 only)
};

struct GpmfGps {
    bool has_gps_stream = false;     // a GPS5 or GPS9 stream was present
    std::optional<double> gpsu;      // the payload's UTC time (GPS5)
    std::optional<int> fix;          // the payload's GPSF (GPS5)
    std::optional<double> dop;       // the payload's GPSP / 100 (GPS5)
    std::vector<GpmfGpsSample> samples;
    std::vector<std::string> streams; // the keys of the sensor streams met (ACCL, GYRO, GPS5, ...)
    bool damaged = false;            // a KLV that did not fit its parent ended the walk
};

// Never throws; a damaged payload gives what was read before the damage, with `damaged` set.
GpmfGps parseGpmfPayload(const std::string& bytes);

// What a GoPro says about itself and its lens: the `GPMF` box in the movie's `udta` ("Global
// Settings": MINF model, FMWR firmware, VFOV lens mode, ZFOV diagonal field of view, HERO8 and later)
// and the device names of the telemetry payloads (DVNM "Hero6 Black"). The keys as ExifTool's
// GoPro tag table documents them.
struct GpmfSettings {
    std::string model;                    // MINF, else a DVNM that names a camera
    std::string firmware;                 // FMWR
    std::string lens_mode;                // VFOV: "W" wide, "L" linear, "S" SuperView, ...
    std::optional<double> diagonal_fov_deg; // ZFOV (0 or nonsense: absent)
    bool damaged = false;
};

// Never throws; a damaged payload gives what was read before the damage, with `damaged` set.
// Values already in `into` are kept (the first payload that names them wins), except that a MINF
// replaces a model taken from a device name.
void parseGpmfSettings(const std::string& bytes, GpmfSettings& into);

// "yymmddhhmmss.sss" (GPSU) as UTC Unix seconds.
std::optional<double> parseGpmfUtc(const std::string& text);

} // namespace voirie
