// Several video files, in order, as one timeline of frames with UTC times. Frames are grabbed
// (decoded, no colour conversion) one by one; only the ones the caller keeps are converted.
#pragma once

#include "voirie/core/base/result.hpp"

#include <opencv2/videoio.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

struct VideoFileInfo {
    std::filesystem::path path;
    int width = 0, height = 0;
    double fps = 0;
    int64_t frames_declared = 0;   // what the container says
    int64_t frames_decoded = 0;    // what could actually be decoded (known once passed)
    std::optional<double> container_time; // creation time stored in the container
    double start_time = 0;         // UTC of the first frame, offset applied
    std::string start_source;      // "container", "--video-start", "follows previous file", "its GPS telemetry"
    bool partial = false;          // decoding stopped before the declared end
    int64_t frames_lost = 0;       // frames skipped over because they could not be decoded
    int64_t decoder_errors = 0;    // FFmpeg's error messages while decoding this file
    // Frames decoded while FFmpeg reported errors: damaged data it concealed (the picture, and the
    // frames that refer to it up to the next keyframe, may show artefacts a detector could take
    // for damage). Counted by the error count rising during a grab, so approximate with threads.
    int64_t frames_with_errors = 0;
    int64_t errors_in_decoded_frames = 0; // FFmpeg's errors during those grabs (not in skipped stretches)
    std::string decoder_message;   // the first of them
    int timestamps_estimated = 0;  // frames whose decoder timestamp was missing or not increasing
};

struct VideoFrameRef {
    size_t file = 0;          // index into files()
    int64_t frame_in_file = 0;
    double pts_ms = 0;        // the frame's own presentation time within its file
    double time = 0;          // UTC Unix seconds
};

class VideoTimeline {
public:
    // Opens every file to read its size, rate and container time. `video_start` (UTC of the
    // first frame) overrides the container; `telemetry_starts` (one per file: its first frame on
    // the clock of the GPS recorded inside it) override both; `time_offset` seconds is added on top.
    static Result<VideoTimeline> open(const std::vector<std::filesystem::path>& files,
                                      std::optional<double> video_start, double time_offset,
                                      const std::vector<double>& telemetry_starts = {});

    // Grabs the next frame of the timeline; false at the end. Where a stretch of a file cannot be
    // decoded, decoding goes on at the next frame that can (counted in frames_lost); a file that
    // cannot be decoded to its end is marked partial and the next file continues.
    bool next(VideoFrameRef& frame);
    // The current frame, converted to BGR.
    cv::Mat retrieve();

    const std::vector<VideoFileInfo>& files() const { return files_; }
    // The expected time range, from the containers' declared durations.
    double expectedStart() const { return files_.front().start_time; }
    double expectedEnd() const;

private:
    bool openFile(size_t index);
    bool skipUndecodable(VideoFileInfo& info);
    void noteDecoderMessages(VideoFileInfo& info);

    std::vector<VideoFileInfo> files_;
    double time_offset_ = 0;
    std::optional<double> video_start_;
    cv::VideoCapture capture_;
    size_t current_ = 0;
    bool opened_current_ = false;
    int64_t frame_in_file_ = 0;
    double last_pts_ms_ = -1;
};

} // namespace voirie
