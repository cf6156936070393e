// The tracks of an MP4/QuickTime file as their sample tables describe them: handler, sample
// format, and where each sample lies and when it plays. Enough to read a timed-metadata or text
// track (GoPro's `gpmd`, a dash-cam's NMEA subtitles) without decoding the video.
#pragma once

#include "voirie/core/ingest/mp4_boxes.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace voirie {

struct Mp4Sample {
    uint64_t offset = 0;
    uint32_t size = 0;
    double start_s = 0;    // media time of the sample
    double duration_s = 0;
};

struct Mp4Track {
    std::string handler;   // "vide", "soun", "meta", "text", "sbtl", ...
    std::string format;    // the first sample description's four characters: "gpmd", "tx3g", ... (empty for video and sound)
    double timescale = 0;
    std::vector<Mp4Sample> samples;
    std::string problem;   // why the sample table could not be read whole (empty when it could)
};

struct Mp4Movie {
    std::vector<Mp4Track> tracks;
    std::vector<Mp4Box> top_level;       // the file's boxes (the last one clipped when cut short)
    std::optional<Mp4Box> moov;
    std::optional<double> creation_time; // the movie header's, Unix seconds
    std::vector<std::string> problems;   // damaged boxes met on the way
};

// Reads the movie box and the sample table of every track that is not video or sound (those keep
// their handler only: their tables are large and never telemetry). A damaged table leaves that track with a
// `problem` and what could be read; sample counts are bounded by the boxes' own sizes, so a forged
// count cannot make it allocate more than the file holds.
Mp4Movie readMp4Movie(Mp4File& file);

} // namespace voirie
