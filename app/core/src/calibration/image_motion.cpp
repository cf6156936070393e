#include "image_motion.hpp"

#include "ground_motion.hpp"
#include "vanishing_point.hpp"

#include "voirie/core/base/statistics.hpp"
#include "voirie/core/geo/camera_file.hpp"
#include "voirie/core/geo/camera_geometry.hpp"
#include "voirie/core/ingest/lens_undistortion.hpp"

#include <opencv2/imgproc.hpp>

#include <cmath>

namespace voirie {
namespace {

constexpr int kPitchFrames = 100; // the first 10 s of frames give the pitch when no camera is given
constexpr double kMinResponse = 0.3;

// A match that disagrees with its neighbours is a mismatch (the road's texture matched where a
// lane line or a repeating pattern made it look alike): the neighbours' median replaces it. A
// vehicle cannot change speed by a quarter within a tenth of a second; stops come on gradually.
void dropMismatches(ImageMotion& motion)
{
    auto& steps = motion.steps;
    std::vector<MotionStep> checked = steps;
    constexpr int kHalf = 5;
    for (size_t i = 0; i < steps.size(); ++i) {
        if (!steps[i].measured)
            continue;
        std::vector<double> forward, yaw;
        for (size_t j = i >= kHalf ? i - kHalf : 0; j < std::min(steps.size(), i + kHalf + 1); ++j)
            if (steps[j].measured && j != i) {
                forward.push_back(steps[j].forward_m);
                yaw.push_back(steps[j].yaw_rad);
            }
        if (forward.size() < 4)
            continue;
        const double expected = interpolatedQuantile(forward, 0.5);
        if (std::abs(steps[i].forward_m - expected) > 0.25 * expected + 0.05) {
            checked[i] = {steps[i].time, expected, interpolatedQuantile(yaw, 0.5), false};
            ++motion.unmeasured;
        }
    }
    steps = std::move(checked);
}

} // namespace

Result<ImageMotion> measureImageMotion(VideoTimeline& video, const ImageMotionOptions& options)
{
    const auto& first = video.files().front();
    const double scale = std::min(1.0, 640.0 / first.width);
    const cv::Size size(int(std::lround(first.width * scale)), int(std::lround(first.height * scale)));
    ImageMotion out;
    out.camera = options.camera ? scaledTo(*options.camera, first.width, first.height)
                                : defaultDashcamCamera(first.width, first.height);
    // A lens's distortion removed first, as the survey's frames will be.
    const auto undistortion = LensUndistortion::forCamera(out.camera);
    if (undistortion)
        out.camera = undistortion->pinhole();

    // Frames kept every step_s; the first ones held until the camera's pitch is known.
    std::vector<std::pair<double, cv::Mat>> pending;
    std::optional<GroundMotion> motion;
    cv::Mat previous;
    double previous_time = 0, start = 0, next_keep = -1e300;
    std::vector<double> vxs, vys;
    auto measure = [&](double time, const cv::Mat& grey) {
        cv::Mat patch = motion->birdsEye(grey);
        MotionStep step{time, 0, 0, false};
        if (!previous.empty() && !patch.empty()) {
            const double dt = time - previous_time;
            auto shift = motion->shift(previous, patch);
            if (shift && shift->response > kMinResponse) {
                // The road at distance d swings left by d x the turn to the right. (A camera that
                // looks aside of the travel adds a sideways shift in proportion to the forward
                // one: the clock match fits it, as it does the turns' scale.)
                step = {time, shift->forward_m, -shift->right_m / shift->pattern_forward_m, true};
            } else if (!out.steps.empty()) {
                const MotionStep& last = out.steps.back();
                const double last_dt = out.steps.size() > 1 ? last.time - out.steps[out.steps.size() - 2].time : dt;
                step = {time, last.forward_m * dt / last_dt, last.yaw_rad * dt / last_dt, false};
                ++out.unmeasured;
            }
            out.steps.push_back(step);
        }
        previous = patch;
        previous_time = time;
    };
    auto startMeasuring = [&] {
        if (!options.camera && vxs.size() >= 10) {
            const double vx = interpolatedQuantile(vxs, 0.5) / scale, vy = interpolatedQuantile(vys, 0.5) / scale;
            out.camera.pitch_deg = pitchThroughVanishingPoint(out.camera, vx, vy);
        }
        // The road near the camera, where its texture is sharpest (far off, each image pixel spreads
        // over many centimetres and the resampling's own pattern, fixed in the image, would match at
        // no motion): from what the frame's lower sixth shows (a bonnet may hide its bottom) for 4 m.
        const CameraModel kept = scaledTo(out.camera, size.width, size.height); // the frames as kept
        const auto lowest = CameraGeometry(kept).pixelToGround(kept.cx, kept.height * 5.0 / 6.0);
        const double near = std::max(2.0, lowest ? lowest->forward : 4.0);
        motion.emplace(kept, -1.5, 1.5, near, near + 4.0);
        for (const auto& [time, grey] : pending)
            measure(time, grey);
        pending.clear();
    };

    VideoFrameRef ref;
    bool started = false;
    while (video.next(ref)) {
        if (!started)
            start = ref.time, started = true;
        if (ref.time - start > options.max_s)
            break;
        if (ref.time < next_keep - 0.4 / video.files()[ref.file].fps) // a frame due within 0.4 of a frame is on time
            continue;
        next_keep = next_keep + options.step_s > ref.time ? next_keep + options.step_s : ref.time + options.step_s;
        ++out.frames;
        cv::Mat colour = video.retrieve(), grey, small;
        if (colour.empty())
            continue;
        if (undistortion)
            colour = undistortion->apply(colour);
        cv::cvtColor(colour, grey, cv::COLOR_BGR2GRAY);
        cv::resize(grey, small, size, 0, 0, cv::INTER_AREA);
        if (!motion) {
            if (!options.camera)
                if (auto vp = findVanishingPoint(small)) {
                    vxs.push_back(vp->x);
                    vys.push_back(vp->y);
                }
            pending.emplace_back(ref.time, small);
            if (int(pending.size()) >= kPitchFrames)
                startMeasuring();
            continue;
        }
        measure(ref.time, small);
    }
    if (!motion)
        startMeasuring();
    dropMismatches(out);
    if (out.steps.size() < 20)
        return fail("the video has too few frames to see the vehicle's motion (" + std::to_string(out.frames) + ")");
    return out;
}

} // namespace voirie
