#include "voirie/core/calibration/clock_alignment.hpp"

#include "clock_match.hpp"
#include "image_motion.hpp"

#include "voirie/core/base/number_format.hpp"
#include "voirie/core/base/time_format.hpp"
#include "voirie/core/geo/camera_file.hpp"
#include "voirie/core/ingest/survey_gps.hpp"

#include <cmath>

namespace voirie {

Result<ClockAlignment> estimateClockOffset(const IngestOptions& ingest, const ClockAlignmentOptions& options)
{
    if (ingest.videos.empty())
        return fail("--time-offset auto needs video footage (photos: give the offset in seconds)");
    auto gps = readSurveyGps(ingest);
    if (!gps)
        return fail(gps.error());
    if (gps->source == "video telemetry") {
        ClockAlignment same;
        same.how = "none needed: the GPS is recorded inside the video, on its clock";
        return same;
    }
    // The fixes as measured (cleaned, not smoothed: smoothing would round off the turns' ends).
    TrackCleaningOptions cleaning = ingest.cleaning;
    cleaning.smoothing_s = 0;
    TrackCleaningCounts counts;
    auto track = Track::build(gps->fixes, cleaning, gps->path, counts);
    if (!track)
        return fail(track.error());
    std::vector<TrackPosition> positions;
    for (const auto& segment : track->segments())
        for (const auto& p : segment)
            positions.push_back({p.time, p.metric.x, p.metric.y});

    // The video on its own clock; where it has none, the track's start stands in for it.
    std::optional<double> video_start = ingest.video_start ? ingest.video_start : gps->video_start;
    auto video = VideoTimeline::open(ingest.videos, video_start, 0);
    bool clockless = false;
    if (!video && !video_start) {
        video = VideoTimeline::open(ingest.videos, track->startTime(), 0);
        clockless = true;
    }
    if (!video)
        return fail(video.error());
    ImageMotionOptions motion_options;
    motion_options.max_s = options.max_footage_s;
    if (ingest.camera_file) {
        auto camera = readCameraFile(*ingest.camera_file);
        if (!camera)
            return fail(camera.error());
        motion_options.camera = *camera;
    }
    auto motion = measureImageMotion(*video, motion_options);
    if (!motion)
        return fail("--time-offset auto: " + motion.error());
    if (motion->unmeasured * 3 > int(motion->steps.size()))
        return fail("--time-offset auto: the road's motion could be followed in only " +
                    std::to_string(motion->steps.size() - size_t(motion->unmeasured)) + " of " +
                    std::to_string(motion->steps.size()) + " frame pairs (too little road texture, or the camera "
                    "does not see the road); give --time-offset in seconds");
    auto match = matchClock(motion->steps, positions);
    if (!match)
        return fail("--time-offset auto: " + match.error());

    ClockAlignment out;
    out.offset_s = match->offset_s;
    out.uncertainty_s = match->uncertainty_s;
    out.matched_s = match->matched_s;
    out.fixes = match->fixes;
    out.rms_m = match->rms_m;
    const double first_frame = video->files().front().start_time + out.offset_s;
    if (clockless) {
        out.first_frame_time = first_frame;
        out.offset_s = 0;
    }
    out.how = "from the footage: its motion over " + fixedDecimals(out.matched_s, 0) + " s matched to " +
              std::to_string(out.fixes) + " track fixes (" + fixedDecimals(out.rms_m, 1) + " m apart), +-" +
              fixedDecimals(out.uncertainty_s, 2) + " s; first frame at " + formatIso8601(first_frame) +
              (clockless ? " (the video has no clock of its own)" : "");
    return out;
}

Result<IngestOptions> resolveTimeOffset(IngestOptions ingest, const ClockAlignmentOptions& options)
{
    if (!ingest.time_offset_auto)
        return ingest;
    auto alignment = estimateClockOffset(ingest, options);
    if (!alignment)
        return fail(alignment.error());
    ingest.time_offset_auto = false;
    ingest.time_offset_s = alignment->offset_s;
    if (alignment->first_frame_time)
        ingest.video_start = alignment->first_frame_time;
    ingest.time_offset_how = "auto: " + alignment->how;
    return ingest;
}

} // namespace voirie
