// NMEA 0183 logs: RMC and GGA sentences from any talker (GP, GN, GL, GA, BD), checksums verified.
#pragma once

#include "voirie/core/ingest/gps_fix.hpp"

#include <string>
#include <vector>

namespace voirie {

struct NmeaStatistics {
    int sentences = 0;          // lines that start with '$'
    int bad_checksum = 0;       // missing or wrong checksum
    int void_rmc = 0;           // RMC with status V (receiver warning)
    int no_fix_gga = 0;         // GGA with fix quality 0
    int unparseable = 0;        // RMC/GGA with malformed fields
    int without_date = 0;       // GGA fixes with no RMC date anywhere in the log
};

struct NmeaTrack {
    std::vector<GpsFix> fixes; // one per time stamp, RMC position, GGA's HDOP when present
    NmeaStatistics stats;
};

// Parses a whole log. Dates come from RMC (UTC throughout); a GGA gets the date of the nearest
// RMC, across midnight too.
NmeaTrack parseNmea(const std::string& text);

// True when the text looks like NMEA (a '$' sentence among its first lines).
bool looksLikeNmea(const std::string& head);

} // namespace voirie
