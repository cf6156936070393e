// Survey ingest: video file(s) or a photo folder + a GPS track + the camera -> a stream of
// georeferenced frames, sampled by distance travelled (docs/ARCHITECTURE.md: FrameSource -> Sampler -> GeoFrame).
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/geo/camera_model.hpp"
#include "voirie/core/ingest/embedded_telemetry.hpp"
#include "voirie/core/ingest/frame_sampler.hpp"
#include "voirie/core/ingest/lens_undistortion.hpp"
#include "voirie/core/ingest/track.hpp"
#include "voirie/core/ingest/track_reader.hpp"
#include "voirie/core/ingest/video_timeline.hpp"

#include <opencv2/core.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

struct IngestOptions {
    std::vector<std::filesystem::path> videos;
    std::optional<std::filesystem::path> photos_dir;
    // Optional: without it a video's own telemetry is read, else a sidecar beside it (a photo
    // folder uses the photos' EXIF positions).
    std::optional<std::filesystem::path> track;
    TelemetryOptions telemetry;
    TrackColumns track_columns;
    TrackCleaningOptions cleaning;
    std::optional<double> video_start; // UTC of the first video frame
    double time_offset_s = 0;
    // --time-offset auto: the offset is worked out from the footage against the track before the
    // survey is read (calibration's resolveTimeOffset); SurveyReader refuses options still asking.
    bool time_offset_auto = false;
    std::string time_offset_how;       // how time_offset_s was found; empty: given
    SamplingPolicy sampling;
    std::optional<std::filesystem::path> camera_file;
    // A camera worked out beforehand (calibration's resolveCamera), used where no camera_file is
    // given; how each value was found ("height_m" -> "estimated: ..."), for the summary and the
    // provenance.
    std::optional<CameraModel> camera;
    std::string camera_source;
    std::vector<std::pair<std::string, std::string>> camera_value_sources;
};

struct GeoFrame {
    int64_t index = 0;            // position in the survey's decoded frames (photos: photo index)
    std::filesystem::path file;
    int64_t frame_in_file = 0;
    double pts_ms = 0;
    double time = 0;              // UTC Unix seconds
    double lon = 0, lat = 0;
    double heading_deg = 0;
    double speed_mps = 0;
    double chainage_m = 0;
    cv::Mat image;                // BGR
};

struct IngestSummary {
    std::string source_kind;      // "video" or "photos"
    std::vector<VideoFileInfo> videos;
    int64_t frames_decoded = 0;   // video frames decoded, or photos read
    int64_t frames_sampled = 0;
    int64_t frames_skipped_in_gaps = 0;
    int64_t frames_outside_track = 0;
    int64_t photos_unreadable = 0;
    int64_t photos_without_time = 0;
    std::string track_path, track_format;
    // Where the GPS came from: "--track", "video telemetry", "sidecar" or "EXIF".
    std::string track_source;
    std::optional<TelemetryCounts> telemetry; // positions read and dropped, for embedded GPS
    bool track_clock_utc = true;              // false: the camera's own clock (70mai, DJI SRT)
    std::vector<std::string> telemetry_notes; // the container's clock, damaged telemetry
    TrackCleaningCounts track_counts;
    std::optional<NmeaStatistics> nmea;
    int track_rows_without_time = 0;
    double track_start = 0, track_end = 0, track_length_m = 0;
    std::string camera_source;    // "file PATH", "estimated from the footage" or "default dash-cam"
    std::vector<std::pair<std::string, std::string>> camera_value_sources; // an estimated camera's, per value
    CameraModel camera;           // the frames' camera: a pinhole (a lens's distortion removed)
    std::optional<CameraModel> lens_camera; // the camera as given, when its distortion was removed
    std::string sampling;
    double time_offset_s = 0;
    std::string time_offset_how;  // empty: given (or none)
    std::vector<std::string> warnings;

    // Why part of the footage was not analysed - a damaged file (one sentence each), frames the
    // track does not cover - ; empty when all of it was.
    std::vector<std::string> incompleteness() const;
    int64_t framesLost() const;
};

class SurveyReader {
public:
    // Reads and cleans the track, opens the videos (or lists the photos), reads the camera, and
    // checks that video time and track time overlap. Every refusal is one sentence.
    static Result<std::unique_ptr<SurveyReader>> open(const IngestOptions& options);
    ~SurveyReader();

    // The next sampled frame, with its image; nothing at the end of the survey.
    std::optional<GeoFrame> next();

    // What was read, decoded, sampled and dropped so far (complete once next() returned nothing).
    const IngestSummary& summary();
    const Track& track() const { return *track_; }
    const CameraModel& camera() const { return summary_.camera; }

private:
    SurveyReader() = default;
    std::optional<GeoFrame> nextVideoFrame();
    std::optional<GeoFrame> nextPhoto();
    // Positions a frame at `time`, counting it as skipped when the track has no position there.
    std::optional<TrackSample> positionAt(double time);
    static void place(GeoFrame& frame, double time, const TrackSample& sample);
    cv::Mat undistorted(const cv::Mat& image) const;

    IngestOptions options_;
    IngestSummary summary_;
    std::optional<Track> track_;
    std::optional<VideoTimeline> video_;
    std::vector<std::filesystem::path> photos_;
    std::vector<std::optional<double>> photo_times_;
    size_t next_photo_ = 0;
    std::unique_ptr<FrameSampler> sampler_;
    std::optional<LensUndistortion> undistortion_;
    int64_t decoded_ = 0;
};

} // namespace voirie
