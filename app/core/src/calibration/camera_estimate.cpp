#include "voirie/core/calibration/camera_estimate.hpp"

#include "ground_motion.hpp"
#include "horizon_tilt.hpp"
#include "path_fit.hpp"
#include "vanishing_point.hpp"

#include "voirie/core/base/number_format.hpp"
#include "voirie/core/base/statistics.hpp"
#include "voirie/core/calibration/lens_from_metadata.hpp"
#include "voirie/core/geo/camera_geometry.hpp"
#include "voirie/core/geo/local_metric_frame.hpp"
#include "voirie/core/ingest/camera_metadata.hpp"
#include "voirie/core/ingest/survey_gps.hpp"
#include "voirie/core/ingest/track.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

namespace voirie {
namespace {

constexpr double kStraightDegrees = 3.0; // heading change over +-1 s below which a stretch is straight
constexpr double kMaxTurnRadPerSecond = 1.0; // about 57 degrees a second: a car turns a corner at 30
// The path dead-reckoned from the sweep drifts (its small errors add up over kilometres): each
// minute of it is laid over the fixes with a shift, rotation and scale of its own. Laid whole over
// 2.4 km, one frame more or less moved the field of view found from 120 to 130 degrees.
constexpr double kTurnWindowSeconds = 60;

struct Seen {
    double time = 0, heading = 0, chainage = 0, speed = 0;
    cv::Mat grey; // at `scale` of the frame; beyond the first minute its rows down to just below the horizon
    std::optional<VanishingPoint> vp;
};

double median(std::vector<double> v) { return interpolatedQuantile(std::move(v), 0.5); }


double headingChange(double a, double b)
{
    double d = std::fmod(b - a + 540.0, 360.0) - 180.0;
    return std::abs(d);
}

CameraModel cameraFor(int width, int height, double hfov_deg, double height_m, double pitch_deg, double roll_deg)
{
    CameraModel c;
    c.width = width, c.height = height;
    c.fx = c.fy = (width / 2.0) / std::tan(hfov_deg / 2 * M_PI / 180.0);
    c.cx = width / 2.0, c.cy = height / 2.0;
    c.height_m = height_m, c.pitch_deg = pitch_deg, c.roll_deg = roll_deg;
    return c;
}

// How far `current` is shifted sideways from `key`, in pixels: phase correlation's sub-pixel
// reading leans towards whole pixels, so the current image is moved back by the first reading and
// what is left read again.
double sweptBetween(const cv::Mat& key, const cv::Mat& current, const cv::Mat& window)
{
    const double first = cv::phaseCorrelate(key, current, window).x;
    cv::Mat back;
    const cv::Mat move = (cv::Mat_<double>(2, 3) << 1, 0, -first, 0, 1, 0);
    cv::warpAffine(current, back, move, current.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    return first + cv::phaseCorrelate(key, back, window).x;
}

struct TurnFocal {
    double fx = 0, fx_error = 0; // pixels of the frames as kept
    double turned_deg = 0;       // the smoothed GPS heading's range over the frames used
};

// The focal length from the turns: a camera turning by an angle sweeps the distant scene (a band
// above the horizon) sideways by that angle. The band is resampled to a grid even in azimuth and
// elevation for the camera assumed (its focal length, and the pitch and roll that put its horizon
// through the vanishing point at the lean measured): a pinhole's pixels widen towards the edges,
// 4 times at 60 degrees, and a pitched camera sees the horizon's columns stretched by 1 /
// cos(pitch). The sweep, as turns, and the distance travelled dead-reckon a path; the gain on the
// turns that bends it as the GPS fixes bend (each minute laid over them with a shift, rotation
// and scale of its own: kTurnWindowSeconds)
// says how far off the focal length assumed was; rounds until the gain is 1. The fixes' positions,
// not headings between them: a heading between fixes a second apart carries two fixes' noise over
// 11 m (about 10 degrees at 1.7 m), and regressed on that the gain missed by 5 % on a minute of
// driving. Needs 20 degrees of turning at least. `start`: the camera for the frames as kept;
// (vx, vy) the vanishing point in them; `fixes`: the unsmoothed GPS positions on the frames' clock.
std::optional<TurnFocal> focalFromTurns(const std::vector<const Seen*>& seen, const std::vector<TrackPosition>& fixes,
                                        const CameraModel& start, double vx, double vy,
                                        std::optional<double> horizon_lean_deg)
{
    if (seen.size() < 20 || fixes.size() < 10)
        return std::nullopt;
    const int rows = start.height, cols = start.width;
    const cv::Size band(cols, std::max(8, int(0.19 * rows)));
    cv::Mat window;
    cv::createHanningWindow(window, band, CV_32F);
    // How far the drive turns, from the smoothed heading (the raw one's noise would add to it).
    double smooth = 0, low = 0, high = 0;
    for (size_t i = 1; i < seen.size(); ++i) {
        smooth += std::remainder(seen[i]->heading - seen[i - 1]->heading, 360.0);
        low = std::min(low, smooth), high = std::max(high, smooth);
    }
    const double turned = high - low;
    if (turned < 20)
        return std::nullopt;
    const double cx = cols / 2.0;
    TurnFocal out;
    out.turned_deg = turned;
    // Rounds until the slope is 1: the slope answers a change of the focal length assumed only
    // in part (by about half with a wide lens: columns off the centre see the lens's tangent), so
    // from the second round on the next focal length is found by the secant through the last two
    // (logarithms of both).
    double fx = start.fx;
    double previous_log_fx = 0, previous_log_slope = 0, response = 1; // d log slope / d log fx, negated
    for (int round = 0; round < 8; ++round) {
        CameraModel camera = start;
        camera.fx = camera.fy = fx;
        camera.roll_deg = 0;
        camera.pitch_deg = pitchThroughVanishingPoint(camera, vx, vy);
        if (horizon_lean_deg) {
            camera.roll_deg = rollForHorizonTilt(camera, *horizon_lean_deg);
            camera.pitch_deg = pitchThroughVanishingPoint(camera, vx, vy);
        }
        const CameraGeometry geometry(camera);
        // Column u looks (u - cx) / cx x half_angle right of the direction of travel; the rows
        // span from 0.22 of the frame's height above the horizon to 0.03 above it: the road near
        // the horizon turns with the vehicle and moves by parallax, the scene above it does not
        // (measured on generated drives with a perfect GPS: with 0.02 below, the sweep read 2-4 %
        // long).
        const double half_angle = std::atan(cx / fx);
        const double top = std::atan(0.22 * rows / fx), bottom = std::atan(0.03 * rows / fx);
        cv::Mat map_x(band, CV_32F), map_y(band, CV_32F);
        for (int v = 0; v < band.height; ++v) {
            const double elevation = top + (bottom - top) * v / (band.height - 1);
            for (int u = 0; u < band.width; ++u) {
                const double azimuth = (u - cx) / cx * half_angle;
                auto pixel = geometry.directionToPixel(std::cos(elevation) * std::cos(azimuth),
                                                       std::cos(elevation) * std::sin(azimuth), std::sin(elevation));
                map_x.at<float>(v, u) = pixel ? float(pixel->first) : -1.f;
                map_y.at<float>(v, u) = pixel ? float(pixel->second) : -1.f;
            }
        }
        auto even = [&](const Seen& s) {
            cv::Mat f, out_band;
            s.grey.convertTo(f, CV_32F);
            cv::remap(f, out_band, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
            return out_band;
        };
        // Each frame against a key frame kept until the scene has swept 16 pixels from it, each
        // reading taken twice (the frame moved back by the first and the rest read again): summed
        // frame-to-frame shifts of a pixel or less carry phase correlation's pull towards whole
        // pixels, which changed the sweep by up to 5 % with the band's sampling alone (measured
        // with the true camera on generated drives; key frames and the second look: under 0.2 %).
        // A reading that would turn the vehicle faster than kMaxTurnRadPerSecond is a misread
        // (one read 200 degrees in a tenth of a second at a drive's last frames, and the path
        // dead-reckoned from it missed the fixes by 9 m): the turn before it is kept instead and
        // the key frame starts again.
        std::vector<double> sweep{0}; // radians
        cv::Mat key = even(*seen.front());
        double key_sweep = 0;
        for (size_t i = 1; i < seen.size(); ++i) {
            cv::Mat current = even(*seen[i]);
            const double shift = sweptBetween(key, current, window);
            const double previous_turn = i >= 2 ? sweep[i - 1] - sweep[i - 2] : 0.0;
            sweep.push_back(key_sweep + shift * half_angle / cx);
            if (std::abs(sweep[i] - sweep[i - 1]) > kMaxTurnRadPerSecond * (seen[i]->time - seen[i - 1]->time)) {
                sweep[i] = sweep[i - 1] + previous_turn;
                key = current;
                key_sweep = sweep[i];
            } else if (std::abs(shift) > 16) {
                key = current;
                key_sweep = sweep.back();
            }
        }
        // The vehicle turns right as the scene sweeps left; the distance from the GPS chainage.
        std::vector<MotionStep> steps;
        for (size_t i = 1; i < seen.size(); ++i)
            steps.push_back({seen[i]->time, seen[i]->chainage - seen[i - 1]->chainage, -(sweep[i] - sweep[i - 1]), true});
        const auto turn_gain = fitTurnGain(steps, fixes, 1 / 2.95, 1 / 0.305, kTurnWindowSeconds);
        if (!turn_gain)
            return std::nullopt;
        const double gain = turn_gain->gain, gain_error = turn_gain->error;
        const double slope = 1 / gain; // the sweep for `fx` per radian the vehicle turned
        // The sweep measured in angles for `fx` is slope x the true one at the centre of the view:
        // the true focal length is longer by up to that much.
        const double log_fx = std::log(fx), log_slope = std::log(slope);
        if (round > 0 && std::abs(log_fx - previous_log_fx) > 1e-6) {
            const double measured = -(log_slope - previous_log_slope) / (log_fx - previous_log_fx);
            if (measured > 0.2 && measured < 1.5)
                response = measured;
        }
        // The gain's error moves the focal length by 1 / response as much.
        out.fx_error = fx * gain_error / gain / response;
        if (std::abs(log_slope) < 0.002)
            break;
        previous_log_fx = log_fx, previous_log_slope = log_slope;
        fx *= std::exp(std::clamp(log_slope / response, -0.4, 0.4));
    }
    if (!(fx > 0.15 * cols && fx < 5.0 * cols)) // a field of view between about 11 and 146 degrees
        return std::nullopt;
    out.fx = fx;
    return out;
}

// The frames after the `read` ones for the turns alone, up to options.turn_frames (`read` counts
// them all): every kLaterStep-th one (0.2 s apart), only its rows down to 8 % of the frame's
// height below the horizon (`horizon_row`, in the frames as kept): the distant band lies above it
// whatever the focal length tried and the roll (3-22 % of the height above the horizon straight
// ahead, twice that 60 degrees aside). The first minute is read whole; the rest at a quarter of
// the memory or less (about 0.5 MB a second at 640 x 360 with the horizon a third of the way down).
constexpr int kLaterStep = 2;
std::vector<Seen> readOnForTurns(SurveyReader& reader, int& read, const CalibrationOptions& options, int w, int h,
                                 double scale, double horizon_row)
{
    std::vector<Seen> later;
    if (read < options.max_frames || options.turn_frames <= read)
        return later;
    const int last = std::clamp(int(std::lround(horizon_row + 0.08 * h)), 2, h);
    for (int step = 0; read < options.turn_frames; ++step) {
        auto frame = reader.next();
        if (!frame)
            break;
        ++read;
        if (step % kLaterStep != 0)
            continue;
        const cv::Rect rows(0, 0, frame->image.cols, std::clamp(int(std::lround(last / scale)), 1, frame->image.rows));
        cv::Mat grey, small;
        cv::cvtColor(frame->image(rows), grey, cv::COLOR_BGR2GRAY);
        cv::resize(grey, small, cv::Size(w, last), 0, 0, cv::INTER_AREA);
        later.push_back({frame->time, frame->heading_deg, frame->chainage_m, frame->speed_mps, small, std::nullopt});
    }
    return later;
}

// The survey's GPS fixes unsmoothed (the reader's track is smoothed as the analysis will be):
// the field of view from the turns lays the footage's path over them.
std::vector<TrackPosition> unsmoothedFixes(const IngestOptions& ingest)
{
    std::vector<TrackPosition> fixes;
    if (auto gps = readSurveyGps(ingest)) {
        TrackCleaningOptions raw = ingest.cleaning;
        raw.smoothing_s = 0;
        TrackCleaningCounts counts;
        if (auto track = Track::build(gps->fixes, raw, gps->path, counts))
            for (const auto& segment : track->segments())
                for (const auto& p : segment)
                    fixes.push_back({p.time, p.metric.x, p.metric.y});
    }
    return fixes;
}

} // namespace

Result<CameraEstimate> estimateCamera(IngestOptions ingest, const CalibrationOptions& options)
{
    ingest.camera_file.reset();
    ingest.sampling = SamplingPolicy{};
    ingest.sampling.mode = SamplingPolicy::Mode::Seconds;
    ingest.sampling.step = 0.1;
    auto reader = SurveyReader::open(ingest);
    if (!reader)
        return fail(reader.error());
    CameraEstimate out;
    // The lens from the camera's own metadata, unless given: a fisheye's frames are then read
    // undistorted, and everything below works in the pinhole view they give.
    std::optional<MetadataLens> metadata_lens;
    if (!options.hfov_deg && !ingest.videos.empty()) {
        std::string why_not;
        metadata_lens = lensFromMetadata(readCameraMetadata(ingest.videos.front()), (*reader)->camera().width,
                                         (*reader)->camera().height, &why_not);
        if (!why_not.empty())
            out.notes.push_back(why_not);
        if (metadata_lens && metadata_lens->camera.lens.model != LensDistortion::Model::none) {
            ingest.camera = metadata_lens->camera;
            reader = SurveyReader::open(ingest);
            if (!reader)
                return fail(reader.error());
        }
    }
    const CameraModel frame_camera = (*reader)->camera();
    const int width = frame_camera.width, height = frame_camera.height;
    const double scale = std::min(1.0, 640.0 / width);
    const int w = int(std::lround(width * scale)), h = int(std::lround(height * scale));

    std::vector<Seen> seen;
    while (int(seen.size()) < options.max_frames) {
        auto frame = (*reader)->next();
        if (!frame)
            break;
        ++out.frames_examined;
        Seen s{frame->time, frame->heading_deg, frame->chainage_m, frame->speed_mps, {}, std::nullopt};
        cv::Mat grey;
        cv::cvtColor(frame->image, grey, cv::COLOR_BGR2GRAY);
        cv::resize(grey, s.grey, cv::Size(w, h), 0, 0, cv::INTER_AREA);
        s.vp = findVanishingPoint(s.grey);
        seen.push_back(std::move(s));
    }
    // Straight: the GPS heading changes by less than kStraightDegrees over a second each side.
    std::vector<bool> straight(seen.size(), false);
    for (size_t i = 0; i < seen.size(); ++i) {
        size_t a = i, b = i;
        while (a > 0 && seen[i].time - seen[a - 1].time <= 1.0)
            --a;
        while (b + 1 < seen.size() && seen[b + 1].time - seen[i].time <= 1.0)
            ++b;
        straight[i] = seen[i].speed > 3 && seen[b].time - seen[a].time > 1.5 &&
                      headingChange(seen[a].heading, seen[b].heading) < kStraightDegrees;
    }

    // The vanishing points of the straight frames: where the horizon is, and then the pitch.
    std::vector<double> vxs, vys;
    for (size_t i = 0; i < seen.size(); ++i)
        if (straight[i] && seen[i].vp) {
            vxs.push_back(seen[i].vp->x / scale);
            vys.push_back(seen[i].vp->y / scale);
        }
    out.straight_frames = int(vxs.size());

    // The horizon's lean (the roll), read about the row where the straight road vanishes.
    std::optional<HorizonTilt> tilt;
    if (vxs.size() >= 10) {
        std::vector<cv::Mat> greys;
        for (const Seen& s : seen)
            greys.push_back(s.grey);
        tilt = measureHorizonTilt(greys, median(vys) * scale);
    }

    // Field of view: given, else the camera's metadata, else from the turns (the distant scene's
    // sweep dead-reckoned against the GPS fixes), else the stated default.
    double hfov = options.hfov_deg.value_or(metadata_lens ? metadata_lens->hfov_deg : options.default_hfov_deg);
    std::optional<TurnFocal> turns;
    if (!options.hfov_deg && !metadata_lens && vxs.size() >= 10) {
        std::vector<Seen> later = readOnForTurns(**reader, out.frames_examined, options, w, h, scale, median(vys) * scale);
        std::vector<const Seen*> all;
        for (const auto* part : {&seen, &later})
            for (const Seen& s : *part)
                all.push_back(&s);
        turns = focalFromTurns(all, unsmoothedFixes(ingest), cameraFor(w, h, options.default_hfov_deg, 1, options.default_pitch_deg, 0),
                               median(vxs) * scale, median(vys) * scale,
                               tilt ? std::optional<double>(tilt->angle_deg) : std::nullopt);
    }
    if (options.hfov_deg) {
        out.hfov_deg = {hfov, "given", 0, "--hfov-deg"};
    } else if (metadata_lens) {
        out.hfov_deg = {hfov, "metadata", 0, metadata_lens->how};
    } else if (turns) {
        const double fx = turns->fx / scale;
        hfov = 2 * std::atan(width / 2.0 / fx) * 180 / M_PI;
        const double d_hfov = 2 * (width / 2.0) / (fx * fx + width * width / 4.0) * (turns->fx_error / scale) * 180 / M_PI;
        out.hfov_deg = {hfov, "estimated", d_hfov,
                        "the distant scene's sweep, dead-reckoned, laid over the GPS fixes through " + fixedDecimals(turns->turned_deg, 1) + " degrees of turns"};
    } else {
        out.hfov_deg = {hfov, "default", 0, "a typical dash-cam's (too little turning to measure it); give --hfov-deg when known"};
    }
    CameraModel camera = cameraFor(width, height, hfov, options.height_m.value_or(options.default_height_m),
                                   options.default_pitch_deg, 0);
    // The unit-height camera for the frames as kept (scaled): what the ground motion assumes.
    auto unitFor = [&](const CameraModel& c) {
        CameraModel u = c;
        u.height_m = 1.0;
        u.width = w, u.height = h;
        u.fx *= scale, u.fy *= scale, u.cx *= scale, u.cy *= scale;
        return u;
    };
    if (vxs.size() >= 10) {
        const double vx = median(vxs), vy = median(vys);
        camera.pitch_deg = pitchThroughVanishingPoint(camera, vx, vy);
        // Roll from the horizon's lean; the horizon passes through the vanishing point, so the
        // pitch is found again for the roll, and the roll for that pitch.
        if (tilt) {
            camera.roll_deg = rollForHorizonTilt(camera, tilt->angle_deg);
            camera.pitch_deg = pitchThroughVanishingPoint(camera, vx, vy);
            camera.roll_deg = rollForHorizonTilt(camera, tilt->angle_deg);
            camera.pitch_deg = pitchThroughVanishingPoint(camera, vx, vy);
            const double roll_error = std::abs(rollForHorizonTilt(camera, tilt->angle_deg + tilt->error_deg) - camera.roll_deg);
            out.roll_deg = {camera.roll_deg, "estimated", roll_error,
                            "the horizon's lean: level edges about it in " + std::to_string(tilt->stretches) + " 6-second stretches"};
        } else {
            out.roll_deg = {0, "default", 0, "level assumed: too few level edges about the horizon to read its lean (edit camera.json when it leans)"};
        }
        // One standard error of the pitch: the spread of the vanishing rows, and the focal length's
        // error when the turns gave it (the pitch that puts the horizon through the vanishing point
        // moves with the focal length: a 4 % longer one tilts a camera pitched 18 degrees by 0.7).
        const double row_error = robustSpread(vys) / std::sqrt(double(vys.size()));
        double pitch_error = std::atan(row_error / camera.fy) * 180 / M_PI;
        if (turns) {
            CameraModel longer = camera;
            longer.fx = longer.fy = camera.fx + turns->fx_error / scale;
            const double moved = pitchThroughVanishingPoint(longer, vx, vy) - camera.pitch_deg;
            pitch_error = std::hypot(pitch_error, moved);
        }
        out.pitch_deg = {camera.pitch_deg, "estimated", pitch_error,
                         "vanishing point of the road in " + std::to_string(vxs.size()) + " straight frames" +
                             (turns ? ", for the field of view from the turns" : "")};
        const double yaw = std::atan((vx - camera.cx) / camera.fx) * 180 / M_PI;
        if (std::abs(yaw) > 2)
            out.notes.push_back("the camera looks " + fixedDecimals(std::abs(yaw), 1) + " degrees " + (yaw > 0 ? "right" : "left") +
                                " of the direction of travel (not corrected: distances across the road are less sure)");
    } else {
        out.pitch_deg = {camera.pitch_deg, "default", 0,
                         "too few straight frames with visible lane lines or road edges (" + std::to_string(vxs.size()) + ")"};
        out.roll_deg = {0, "default", 0, "level assumed"};
        out.notes.push_back("pitch and roll could not be estimated: the drive has too little straight road with visible "
                            "lane lines or edges in its first minute");
    }

    // Height: the road's shift between consecutive frames, for an assumed height, against the
    // distance the GPS travelled (the shift scales inversely with the height).
    if (options.height_m) {
        out.height_m = {*options.height_m, "given", 0, "--height-m"};
    } else {
        // Twice: the patch covers 4-10 m for the assumed height, so a camera much higher than
        // assumed looks further, at coarser pixels; the second round looks where it should.
        std::vector<double> heights;
        double assumed = options.default_height_m;
        for (int round = 0; round < 2; ++round) {
            CameraModel at = unitFor(camera);
            at.height_m = assumed;
            const GroundMotion motion(at);
            heights.clear();
            cv::Mat previous;
            for (size_t i = 0; i < seen.size(); ++i) {
                cv::Mat patch = straight[i] ? motion.birdsEye(seen[i].grey) : cv::Mat();
                if (i > 0 && straight[i] && straight[i - 1] && !previous.empty() && !patch.empty()) {
                    const double travelled = seen[i].chainage - seen[i - 1].chainage;
                    auto shift = motion.shift(previous, patch);
                    if (shift && shift->response > 0.3 && shift->forward_m > 0.05 && travelled > 0.3)
                        heights.push_back(assumed * travelled / shift->forward_m);
                }
                previous = patch;
            }
            if (heights.size() < 10)
                break;
            assumed = median(heights);
        }
        out.motion_pairs = int(heights.size());
        if (heights.size() >= 10) {
            const double m = median(heights);
            out.height_m = {m, "estimated", robustSpread(heights) / std::sqrt(double(heights.size())),
                            "road's image motion against GPS distance over " + std::to_string(heights.size()) + " frame pairs"};
        } else {
            out.height_m = {options.default_height_m, "default", 0,
                            "too few frame pairs where the road's motion could be measured (" + std::to_string(heights.size()) + ")"};
        }
    }
    camera.height_m = out.height_m.value;
    out.camera = camera;
    if (metadata_lens && metadata_lens->camera.lens.model != LensDistortion::Model::none) {
        // The lens as recorded (the analysis undistorts it), mounted as found in its pinhole view.
        out.camera = metadata_lens->camera;
        out.camera.height_m = camera.height_m;
        out.camera.pitch_deg = camera.pitch_deg;
        out.camera.roll_deg = camera.roll_deg;
    }
    return out;
}

std::string describe(const CameraValue& value)
{
    std::ostringstream out;
    out << value.source;
    if (value.source == "estimated")
        out << " (+-" << std::setprecision(2) << value.uncertainty << ")";
    if (!value.how.empty())
        out << ": " << value.how;
    return out.str();
}

IngestOptions resolveCamera(IngestOptions ingest, std::string* why_not, const CalibrationOptions& options)
{
    if (ingest.camera_file || ingest.camera || ingest.videos.empty())
        return ingest;
    auto estimate = estimateCamera(ingest, options);
    if (!estimate) {
        if (why_not)
            *why_not = estimate.error();
        return ingest;
    }
    ingest.camera = estimate->camera;
    ingest.camera_source = "estimated from the footage (voirie calibrate; pass --camera to use another)";
    ingest.camera_value_sources = {{"height_m", describe(estimate->height_m)},
                                   {"pitch_deg", describe(estimate->pitch_deg)},
                                   {"roll_deg", describe(estimate->roll_deg)},
                                   {"hfov_deg", describe(estimate->hfov_deg)}};
    return ingest;
}

} // namespace voirie
