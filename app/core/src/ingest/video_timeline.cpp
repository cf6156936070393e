#include "voirie/core/ingest/video_timeline.hpp"

#include "voirie/core/ingest/mp4_creation_time.hpp"
#include "voirie/core/ingest/video_decoder_log.hpp"

#include <cmath>

namespace voirie {

Result<VideoTimeline> VideoTimeline::open(const std::vector<std::filesystem::path>& files,
                                          std::optional<double> video_start, double time_offset,
                                          const std::vector<double>& telemetry_starts)
{
    if (files.empty())
        return fail("no video file was given");
    captureVideoDecoderMessages();
    takeVideoDecoderMessages();
    VideoTimeline timeline;
    timeline.time_offset_ = time_offset;
    timeline.video_start_ = video_start;
    for (const auto& path : files) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec))
            return fail("video " + path.string() + " does not exist or is not a file");
        cv::VideoCapture probe(path.string(), cv::CAP_FFMPEG);
        if (!probe.isOpened()) {
            const auto said = takeVideoDecoderMessages();
            std::string why = said.first.empty() ? "not a video FFmpeg can read, or damaged" : "FFmpeg says \"" + said.first.front() + "\"";
            if (!said.first.empty() && said.first.front().find("moov atom not found") != std::string::npos)
                why = startsLikeMp4(path)
                          ? why + ": the file has no index, as when a recording is cut before the camera closes the file "
                                  "(power lost, card removed); it cannot be read as it is"
                          : "it is not a video (it does not start as an MP4 or MOV file does)";
            return fail("video " + path.string() + " cannot be opened: " + why);
        }
        VideoFileInfo info;
        info.path = path;
        info.width = int(probe.get(cv::CAP_PROP_FRAME_WIDTH));
        info.height = int(probe.get(cv::CAP_PROP_FRAME_HEIGHT));
        info.fps = probe.get(cv::CAP_PROP_FPS);
        info.frames_declared = int64_t(probe.get(cv::CAP_PROP_FRAME_COUNT));
        if (!(info.fps > 0 && info.fps < 1000))
            info.fps = 30; // a rate is only needed for missing timestamps; say so via the estimate count
        if (info.width <= 0 || info.height <= 0 || info.frames_declared <= 0) {
            cv::Mat first;
            if (!probe.read(first) || first.empty()) {
                const auto said = takeVideoDecoderMessages();
                return fail("video " + path.string() + " has no frames that can be decoded" +
                            (said.first.empty() ? std::string() : " (FFmpeg says \"" + said.first.front() + "\")"));
            }
            info.width = first.cols;
            info.height = first.rows;
        }
        info.container_time = readMp4CreationTime(path);
        takeVideoDecoderMessages(); // opening is fine; what FFmpeg says from here is about decoding
        timeline.files_.push_back(info);
        if (timeline.files_.size() == 1 && info.frames_declared > 0)
            timeline.capture_ = std::move(probe); // decoding starts here; no second open

    }

    // Start times: each file's own GPS telemetry when it has some (and no --video-start); else
    // --video-start for the first file (or its container time), later files keep their
    // container-time distance from the first, or follow the previous file's end.
    auto& first = timeline.files_.front();
    if (!video_start && telemetry_starts.size() == timeline.files_.size()) {
        for (size_t i = 0; i < timeline.files_.size(); ++i) {
            timeline.files_[i].start_time = telemetry_starts[i] + time_offset;
            timeline.files_[i].start_source = "its GPS telemetry";
        }
        return timeline;
    }
    if (video_start) {
        first.start_time = *video_start;
        first.start_source = "--video-start";
    } else if (first.container_time) {
        first.start_time = *first.container_time;
        first.start_source = "container";
    } else {
        return fail("video " + first.path.string() +
                    " has no recording time in its container; give --video-start with the UTC time of its first frame "
                    "(ISO 8601, e.g. 2026-05-04T10:20:30Z)");
    }
    for (size_t i = 1; i < timeline.files_.size(); ++i) {
        auto& f = timeline.files_[i];
        const auto& prev = timeline.files_[i - 1];
        if (f.container_time && first.container_time) {
            f.start_time = first.start_time + (*f.container_time - *first.container_time);
            f.start_source = "container";
        } else {
            f.start_time = prev.start_time + double(prev.frames_declared) / prev.fps; // refined once decoded
            f.start_source = "follows previous file";
        }
    }
    for (auto& f : timeline.files_)
        f.start_time += time_offset;
    return timeline;
}

double VideoTimeline::expectedEnd() const
{
    const auto& last = files_.back();
    return last.start_time + double(last.frames_declared) / last.fps;
}

bool VideoTimeline::openFile(size_t index)
{
    capture_.release();
    if (!capture_.open(files_[index].path.string(), cv::CAP_FFMPEG))
        return false;
    frame_in_file_ = 0;
    last_pts_ms_ = -1;
    return true;
}

bool VideoTimeline::next(VideoFrameRef& frame)
{
    while (current_ < files_.size()) {
        VideoFileInfo& info = files_[current_];
        if (!opened_current_) {
            opened_current_ = true;
            if (current_ > 0 && info.start_source == "follows previous file") {
                const auto& prev = files_[current_ - 1];
                info.start_time = prev.start_time + double(prev.frames_decoded + prev.frames_lost) / prev.fps;
            }
            const bool reuse_probe = current_ == 0 && capture_.isOpened();
            if (!reuse_probe && !openFile(current_)) {
                info.partial = true;
                ++current_;
                opened_current_ = false;
                continue;
            }
        }
        const int64_t errors_before = videoDecoderErrorsSoFar();
        if (capture_.grab()) {
            if (const int64_t new_errors = videoDecoderErrorsSoFar() - errors_before; new_errors > 0) {
                ++info.frames_with_errors;
                info.errors_in_decoded_frames += new_errors;
            }
            double pts = capture_.get(cv::CAP_PROP_POS_MSEC);
            // OpenCV reports 0 for frames flushed from the decoder at the end of H.264 streams.
            if (frame_in_file_ > 0 && !(pts > last_pts_ms_)) {
                pts = last_pts_ms_ + 1000.0 / info.fps;
                ++info.timestamps_estimated;
            }
            last_pts_ms_ = pts;
            frame.file = current_;
            frame.frame_in_file = frame_in_file_++;
            frame.pts_ms = pts;
            frame.time = info.start_time + pts / 1000.0;
            ++info.frames_decoded;
            return true;
        }
        // OpenCV gives up at the first stretch it cannot decode, hiding FFmpeg's errors: a file that
        // stops early is only visible as fewer frames than the container declares.
        if (info.frames_declared > 0 && frame_in_file_ < info.frames_declared - 1 && skipUndecodable(info))
            continue;
        if (info.frames_declared > 0 && frame_in_file_ < info.frames_declared - 1)
            info.partial = true;
        noteDecoderMessages(info);
        capture_.release();
        ++current_;
        opened_current_ = false;
    }
    return false;
}

bool VideoTimeline::skipUndecodable(VideoFileInfo& info)
{
    // Seek ahead half a second at a time: FFmpeg restarts at the keyframe before each target and
    // OpenCV decodes forward to it, which succeeds once the keyframe lies past the damage.
    const int64_t step = std::max<int64_t>(1, int64_t(std::lround(info.fps / 2)));
    for (int64_t target = frame_in_file_ + step; target < info.frames_declared; target += step) {
        capture_.set(cv::CAP_PROP_POS_MSEC, double(target) * 1000.0 / info.fps);
        const auto at = int64_t(std::llround(capture_.get(cv::CAP_PROP_POS_FRAMES)));
        if (at > frame_in_file_) {
            info.frames_lost += at - frame_in_file_;
            frame_in_file_ = at;
            return true;
        }
    }
    info.frames_lost += std::max<int64_t>(0, info.frames_declared - frame_in_file_);
    return false;
}

void VideoTimeline::noteDecoderMessages(VideoFileInfo& info)
{
    const auto said = takeVideoDecoderMessages();
    info.decoder_errors += said.errors;
    if (info.decoder_message.empty() && !said.first.empty())
        info.decoder_message = said.first.front();
}

cv::Mat VideoTimeline::retrieve()
{
    cv::Mat image;
    capture_.retrieve(image);
    return image;
}

} // namespace voirie
