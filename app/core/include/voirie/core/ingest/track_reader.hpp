// Reads GPS fixes from a track file: GPX, GeoJSON, KML, CSV and others through GDAL/OGR; NMEA
// 0183 logs and DJI SRT subtitles through Voirie's own parsers (chosen by content).
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/ingest/gps_fix.hpp"
#include "voirie/core/ingest/nmea_parser.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

// Column names for CSV tracks, overriding auto-detection (--track-columns lat=..,lon=..,time=..).
struct TrackColumns {
    std::string lat, lon, time;
};

// Parses "lat=Latitude,lon=Longitude,time=GPSTime"; an error names the bad part.
Result<TrackColumns> parseTrackColumns(const std::string& spec);

struct TrackFile {
    std::string format; // "GPX", "NMEA", "CSV", "GeoJSON", "KML", ...
    std::vector<GpsFix> fixes; // in file order
    std::optional<NmeaStatistics> nmea;
    int rows_without_time = 0;     // positions that had no readable time
    int rows_without_position = 0; // rows or features with no readable position
    std::vector<std::string> warnings; // what was read around: a cut-short file, unreadable rows
    // Tracks timed by the video's own media time (DJI SRT): the fixes' clock at the video's first
    // frame. The video is then placed on the track by it, not by its container time.
    std::optional<double> video_start;
};

Result<TrackFile> readTrackFile(const std::filesystem::path& path, const TrackColumns& columns = {});

} // namespace voirie
