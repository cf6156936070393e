#include "voirie/core/ingest/survey_reader.hpp"

#include "voirie/core/geo/camera_file.hpp"
#include "photo_exif.hpp"
#include "voirie/core/ingest/survey_gps.hpp"
#include "voirie/core/base/number_format.hpp"
#include "voirie/core/base/time_format.hpp"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace voirie {
namespace fs = std::filesystem;
namespace {

std::string lowerExtension(const fs::path& p)
{
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    return ext;
}

} // namespace

SurveyReader::~SurveyReader() = default;

Result<std::unique_ptr<SurveyReader>> SurveyReader::open(const IngestOptions& options)
{
    std::unique_ptr<SurveyReader> reader(new SurveyReader());
    reader->options_ = options;
    IngestSummary& summary = reader->summary_;
    summary.sampling = options.sampling.describe();
    summary.time_offset_s = options.time_offset_s;
    summary.time_offset_how = options.time_offset_how;
    if (options.time_offset_auto)
        return fail("--time-offset auto has to be worked out before the survey is read (resolveTimeOffset)");
    if (options.videos.empty() == !options.photos_dir.has_value())
        return fail("give either video file(s) or a photo folder, not both and not neither");

    std::vector<GpsFix> fixes;
    std::string track_source;
    if (options.photos_dir) {
        summary.source_kind = "photos";
        std::error_code ec;
        if (!fs::is_directory(*options.photos_dir, ec))
            return fail("photo folder " + options.photos_dir->string() + " does not exist or is not a folder");
        std::vector<std::pair<std::optional<double>, fs::path>> photos;
        for (const auto& entry : fs::directory_iterator(*options.photos_dir, ec)) {
            const auto ext = lowerExtension(entry.path());
            if (!entry.is_regular_file() || (ext != ".jpg" && ext != ".jpeg"))
                continue;
            auto tags = readPhotoTags(entry.path());
            if (!tags) {
                ++summary.photos_unreadable;
                summary.warnings.push_back(tags.error());
                continue;
            }
            std::optional<double> time;
            if (tags->time)
                time = *tags->time + options.time_offset_s;
            else
                ++summary.photos_without_time;
            if (time && tags->lon && !options.track)
                fixes.push_back({*time, *tags->lon, *tags->lat, std::nullopt});
            photos.emplace_back(time, entry.path());
        }
        if (photos.empty())
            return fail("photo folder " + options.photos_dir->string() + " holds no readable JPEG photos");
        std::sort(photos.begin(), photos.end(), [](const auto& a, const auto& b) {
            if (a.first && b.first && *a.first != *b.first)
                return *a.first < *b.first;
            return a.second < b.second;
        });
        std::sort(fixes.begin(), fixes.end(), [](const GpsFix& a, const GpsFix& b) { return a.time < b.time; });
        for (auto& [time, path] : photos) {
            reader->photos_.push_back(path);
            reader->photo_times_.push_back(time);
        }
        track_source = "EXIF GPS tags of the photos in " + options.photos_dir->string();
        summary.track_format = "EXIF";
        summary.track_source = "EXIF";
    } else {
        summary.source_kind = "video";
    }

    // Without --track, a video's GPS comes from inside it, else from a sidecar beside it.
    std::vector<double> telemetry_starts;
    std::optional<double> video_start = options.video_start;
    if (!options.videos.empty() || options.track) {
        auto gps = readSurveyGps(options);
        if (!gps)
            return fail(gps.error());
        fixes = std::move(gps->fixes);
        telemetry_starts = std::move(gps->telemetry_starts);
        track_source = gps->path;
        summary.track_format = gps->format;
        summary.track_source = gps->source;
        summary.telemetry = gps->telemetry;
        summary.track_clock_utc = gps->clock_utc;
        summary.telemetry_notes = std::move(gps->telemetry_notes);
        summary.nmea = gps->nmea;
        summary.track_rows_without_time = gps->rows_without_time;
        summary.warnings.insert(summary.warnings.end(), gps->warnings.begin(), gps->warnings.end());
        if (gps->video_start && !video_start)
            video_start = gps->video_start;
    }
    summary.track_path = track_source;
    auto track = Track::build(fixes, options.cleaning, track_source, summary.track_counts);
    if (!track)
        return fail(track.error());
    reader->track_.emplace(std::move(*track));
    summary.track_start = reader->track_->startTime();
    summary.track_end = reader->track_->endTime();
    summary.track_length_m = reader->track_->lengthMetres();

    int width = 0, height = 0;
    if (!options.videos.empty()) {
        auto video = VideoTimeline::open(options.videos, video_start, options.time_offset_s, telemetry_starts);
        if (!video)
            return fail(video.error());
        reader->video_.emplace(std::move(*video));
        width = reader->video_->files().front().width;
        height = reader->video_->files().front().height;
        const double vs = reader->video_->expectedStart(), ve = reader->video_->expectedEnd();
        if (ve < summary.track_start || vs > summary.track_end) {
            const double suggested = options.time_offset_s + (summary.track_start - vs);
            return fail("video time " + formatIso8601(vs) + " to " + formatIso8601(ve) +
                        " does not overlap the track's " + formatIso8601(summary.track_start) + " to " +
                        formatIso8601(summary.track_end) + "; --time-offset " + fixedDecimals(suggested, 1) +
                        " would align their starts");
        }
    } else {
        auto tags = readPhotoTags(reader->photos_.front());
        width = tags ? tags->width : 0;
        height = tags ? tags->height : 0;
    }

    if (options.camera_file) {
        auto camera = readCameraFile(*options.camera_file);
        if (!camera)
            return fail(camera.error());
        if (std::abs(double(camera->width) / camera->height - double(width) / height) > 0.01)
            summary.warnings.push_back("camera file " + options.camera_file->string() + " is for " +
                                       std::to_string(camera->width) + "x" + std::to_string(camera->height) +
                                       " but the frames are " + std::to_string(width) + "x" + std::to_string(height) +
                                       " (another aspect ratio): check the camera file");
        summary.camera = scaledTo(*camera, width, height);
        summary.camera_source = "file " + options.camera_file->string();
    } else if (options.camera) {
        summary.camera = scaledTo(*options.camera, width, height);
        summary.camera_source = options.camera_source;
        summary.camera_value_sources = options.camera_value_sources;
    } else {
        summary.camera = defaultDashcamCamera(width, height);
        summary.camera_source = "default dash-cam (90 deg field of view, 1.3 m high, pitched 12 deg down)";
    }
    // A lens's distortion is removed from every frame read: from here on the camera is a pinhole.
    if (auto undistortion = LensUndistortion::forCamera(summary.camera)) {
        summary.lens_camera = summary.camera;
        summary.camera = undistortion->pinhole();
        reader->undistortion_ = std::move(undistortion);
    }
    reader->sampler_ = std::make_unique<FrameSampler>(options.sampling);
    return reader;
}

cv::Mat SurveyReader::undistorted(const cv::Mat& image) const
{
    return undistortion_ ? undistortion_->apply(image) : image;
}

std::optional<TrackSample> SurveyReader::positionAt(double time)
{
    auto sample = track_->at(time);
    if (!sample) {
        if (time >= track_->startTime() && time <= track_->endTime())
            ++summary_.frames_skipped_in_gaps;
        else
            ++summary_.frames_outside_track;
    }
    return sample;
}

void SurveyReader::place(GeoFrame& frame, double time, const TrackSample& sample)
{
    frame.time = time;
    frame.lon = sample.lon;
    frame.lat = sample.lat;
    frame.heading_deg = sample.heading_deg;
    frame.speed_mps = sample.speed_mps;
    frame.chainage_m = sample.chainage_m;
}

std::vector<std::string> IngestSummary::incompleteness() const
{
    std::vector<std::string> out;
    for (const auto& v : videos) {
        if (v.partial || v.frames_lost > 0) {
            std::string s = "video " + v.path.string() + ": " + std::to_string(v.frames_decoded) + " of " +
                            std::to_string(v.frames_declared) + " frames decoded";
            if (v.frames_lost > 0)
                s += ", " + std::to_string(v.frames_lost) + " lost to damage";
            s += v.partial ? ", decoding stopped before the end" : ", decoding went on after it";
            if (!v.decoder_message.empty())
                s += " (FFmpeg: \"" + v.decoder_message + "\")";
            out.push_back(std::move(s));
        }
        // OpenCV shows a concealed picture as a good one: FFmpeg's error count is the only sign.
        if (v.frames_with_errors > 0)
            out.push_back("video " + v.path.string() + ": FFmpeg reported " + std::to_string(v.errors_in_decoded_frames) +
                          " decoding error(s) in " + std::to_string(v.frames_with_errors) + " of " +
                          std::to_string(v.frames_decoded) +
                          " frames decoded (damaged data it concealed): pictures up to the next keyframe may show "
                          "artefacts, and what was detected there may be wrong");
    }
    if (frames_outside_track > 0)
        out.push_back(std::to_string(frames_outside_track) + " of " + std::to_string(frames_decoded) +
                      " frames fall outside the GPS track (it starts after or ends before the footage) and could not "
                      "be placed");
    return out;
}

int64_t IngestSummary::framesLost() const
{
    int64_t n = 0;
    for (const auto& v : videos)
        n += v.frames_lost;
    return n;
}

const IngestSummary& SurveyReader::summary()
{
    if (video_)
        summary_.videos = video_->files(); // decode counts and partial flags, as of now
    return summary_;
}

std::optional<GeoFrame> SurveyReader::next()
{
    return video_ ? nextVideoFrame() : nextPhoto();
}

std::optional<GeoFrame> SurveyReader::nextVideoFrame()
{
    VideoFrameRef ref;
    while (video_->next(ref)) {
        ++summary_.frames_decoded;
        const int64_t index = decoded_++;
        auto sample = positionAt(ref.time);
        if (!sample || !sampler_->accept(ref.time, sample->chainage_m))
            continue;
        GeoFrame frame;
        frame.image = undistorted(video_->retrieve());
        if (frame.image.empty())
            continue;
        frame.index = index;
        frame.file = video_->files()[ref.file].path;
        frame.frame_in_file = ref.frame_in_file;
        frame.pts_ms = ref.pts_ms;
        place(frame, ref.time, *sample);
        ++summary_.frames_sampled;
        return frame;
    }
    return std::nullopt;
}

std::optional<GeoFrame> SurveyReader::nextPhoto()
{
    while (next_photo_ < photos_.size()) {
        const size_t i = next_photo_++;
        ++summary_.frames_decoded;
        const auto& time = photo_times_[i];
        if (!time)
            continue; // counted as without time when listed
        auto sample = positionAt(*time);
        if (!sample || !sampler_->accept(*time, sample->chainage_m))
            continue;
        GeoFrame frame;
        frame.image = undistorted(cv::imread(photos_[i].string(), cv::IMREAD_COLOR));
        if (frame.image.empty()) {
            ++summary_.photos_unreadable;
            summary_.warnings.push_back("photo " + photos_[i].string() + " cannot be decoded");
            continue;
        }
        frame.index = int64_t(i);
        frame.file = photos_[i];
        place(frame, *time, *sample);
        ++summary_.frames_sampled;
        return frame;
    }
    return std::nullopt;
}

} // namespace voirie
