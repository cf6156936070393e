#include "voirie/core/calibration/camera_estimate.hpp"

#include "ground_motion.hpp"
#include "vanishing_point.hpp"

#include "voirie/core/base/statistics.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace voirie {
namespace {

constexpr double kStraightDegrees = 3.0; // heading change over +-1 s below which a stretch is straight

struct Seen {
    double time = 0, heading = 0, chainage = 0, speed = 0;
    cv::Mat grey; // at `scale` of the frame
    std::optional<VanishingPoint> vp;
};

double median(std::vector<double> v) { return interpolatedQuantile(std::move(v), 0.5); }

// 1.4826 x the median absolute deviation: the spread of one value, robust to outliers.
double spread(const std::vector<double>& v)
{
    const double m = median(v);
    std::vector<double> d;
    for (double x : v)
        d.push_back(std::abs(x - m));
    return 1.4826 * median(d);
}

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

std::string fixed1(double v)
{
    std::ostringstream out;
    out.precision(1);
    out << std::fixed << v;
    return out.str();
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
    const CameraModel frame_camera = (*reader)->camera();
    const int width = frame_camera.width, height = frame_camera.height;
    const double scale = std::min(1.0, 640.0 / width);
    const int w = int(std::lround(width * scale)), h = int(std::lround(height * scale));

    CameraEstimate out;
    std::vector<Seen> seen;
    while (auto frame = (*reader)->next()) {
        if (int(seen.size()) >= options.max_frames)
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

    // Field of view: given, else the stated default (lens tables and turns: not yet).
    const double hfov = options.hfov_deg.value_or(options.default_hfov_deg);
    out.hfov_deg = options.hfov_deg ? CameraValue{hfov, "given", 0, "--hfov-deg"}
                                    : CameraValue{hfov, "default", 0, "a typical dash-cam's; give --hfov-deg when known"};

    // Pitch from the vanishing points of the straight frames (roll: level assumed).
    std::vector<double> vxs, vys;
    for (size_t i = 0; i < seen.size(); ++i)
        if (straight[i] && seen[i].vp) {
            vxs.push_back(seen[i].vp->x / scale);
            vys.push_back(seen[i].vp->y / scale);
        }
    out.straight_frames = int(vxs.size());
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
        // One standard error of the pitch, from the spread of the vanishing rows.
        const double row_error = spread(vys) / std::sqrt(double(vys.size()));
        out.pitch_deg = {camera.pitch_deg, "estimated", std::atan(row_error / camera.fy) * 180 / M_PI,
                         "vanishing point of the road in " + std::to_string(vxs.size()) + " straight frames"};
        out.roll_deg = {0, "default", 0, "level assumed: roll is not estimated yet (edit camera.json when the horizon leans)"};
        const double yaw = std::atan((vx - camera.cx) / camera.fx) * 180 / M_PI;
        if (std::abs(yaw) > 2)
            out.notes.push_back("the camera looks " + fixed1(std::abs(yaw)) + " degrees " + (yaw > 0 ? "right" : "left") +
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
            out.height_m = {m, "estimated", spread(heights) / std::sqrt(double(heights.size())),
                            "road's image motion against GPS distance over " + std::to_string(heights.size()) + " frame pairs"};
        } else {
            out.height_m = {options.default_height_m, "default", 0,
                            "too few frame pairs where the road's motion could be measured (" + std::to_string(heights.size()) + ")"};
        }
    }
    camera.height_m = out.height_m.value;
    out.camera = camera;
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
