// `--time-offset auto`: the offset between a video's clock and a separate GPS track, worked out
// from the footage itself. The vehicle's motion the frames show (how far the road moves, how it
// turns) is dead-reckoned into a path and laid over the track's fixes at every offset; the offset
// where turns, stops and changes of speed line up wins. A drive with nothing to match (a straight
// road at constant speed) is refused with a sentence.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/ingest/survey_reader.hpp"

#include <optional>
#include <string>

namespace voirie {

struct ClockAlignment {
    double offset_s = 0;           // to add to the video's times (what --time-offset takes)
    double uncertainty_s = 0;      // one standard error
    // The video's own clock gave no time (no container time, no --video-start): the first
    // frame's time found, instead of an offset.
    std::optional<double> first_frame_time;
    double matched_s = 0;          // footage matched against the track
    int fixes = 0;                 // track fixes used
    double rms_m = 0;              // how far they lie from the footage's path at that offset
    std::string how;               // one line for the summary and the provenance
};

struct ClockAlignmentOptions {
    double max_footage_s = 600;    // the footage examined, from its start
};

// Fails with one sentence: photos, footage the track cannot be matched with, a drive with nothing
// to match. For GPS recorded inside the video the offset is 0 (one clock).
Result<ClockAlignment> estimateClockOffset(const IngestOptions& ingest, const ClockAlignmentOptions& options = {});

// The options with `--time-offset auto` worked out (time_offset_s, or video_start, and
// time_offset_how set); unchanged when they do not ask for it.
Result<IngestOptions> resolveTimeOffset(IngestOptions ingest, const ClockAlignmentOptions& options = {});

} // namespace voirie
