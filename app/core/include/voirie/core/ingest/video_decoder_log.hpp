// FFmpeg's own log lines ("moov atom not found", "Invalid NAL unit size") reach OpenCV's users on
// stderr, before and instead of a sentence that says what happened. Voirie takes them over
// (FFmpeg's log callback, found in the libavutil OpenCV already loaded): kept and counted, used in
// Voirie's sentences, and printed only when verbose.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace voirie {

struct VideoDecoderMessages {
    int64_t errors = 0;               // FFmpeg messages at error level or worse
    std::vector<std::string> first;   // the first few of them, as FFmpeg wrote them
};

// Takes FFmpeg's log over (idempotent; does nothing where no libavutil is loaded).
void captureVideoDecoderMessages();
// Also prints FFmpeg's warnings and errors as "FFmpeg: ..." (voirie --verbose).
void setVideoDecoderMessagesVerbose(bool verbose);
// How many errors FFmpeg reported since the last take, without taking them (cheap: one lock).
int64_t videoDecoderErrorsSoFar();
// What was collected since the last call, then forgets it.
VideoDecoderMessages takeVideoDecoderMessages();

} // namespace voirie
