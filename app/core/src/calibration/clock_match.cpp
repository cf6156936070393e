#include "clock_match.hpp"

#include "voirie/core/base/number_format.hpp"
#include "voirie/core/base/statistics.hpp"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace voirie {
namespace {

// How every "nothing to match" refusal ends.
constexpr const char* kOnlyChangesTell = "; only turns, stops and changes of speed tell the clocks apart, and a straight "
                                         "road at constant speed fits every offset. Give --time-offset in seconds";

// What the track says over [from, to]: how far its heading turns (degrees, between chords 3 s
// long), how much its speed varies (the spread of those chords' speeds over their median), and
// how much its fixes jitter about a smooth course (metres, per fix: the GPS's own noise).
struct TrackShape {
    double turn_deg = 0, speed_variation = 0, noise_m = 0;
};

TrackShape shapeOf(const std::vector<TrackPosition>& track, double from, double to)
{
    std::vector<const TrackPosition*> in;
    for (const auto& p : track)
        if (p.time >= from && p.time <= to)
            in.push_back(&p);
    TrackShape shape;
    std::vector<double> headings, speeds, jitter;
    for (size_t i = 0, j = 0; i < in.size(); ++i) {
        while (j < in.size() && in[j]->time - in[i]->time < 3.0)
            ++j;
        if (j == in.size())
            break;
        const double dx = in[j]->x - in[i]->x, dy = in[j]->y - in[i]->y, dt = in[j]->time - in[i]->time;
        speeds.push_back(std::hypot(dx, dy) / dt);
        if (std::hypot(dx, dy) > 5) // a heading only where the vehicle moved
            headings.push_back(std::atan2(dx, dy) * 180 / M_PI);
    }
    for (size_t i = 1; i + 1 < in.size(); ++i) // second differences: a smooth course has almost none
        jitter.push_back(std::hypot(in[i + 1]->x - 2 * in[i]->x + in[i - 1]->x, in[i + 1]->y - 2 * in[i]->y + in[i - 1]->y));
    for (size_t i = 1; i < headings.size(); ++i) // unwrapped
        headings[i] = headings[i - 1] + std::remainder(headings[i] - headings[i - 1], 360.0);
    if (!headings.empty())
        shape.turn_deg = *std::max_element(headings.begin(), headings.end()) - *std::min_element(headings.begin(), headings.end());
    if (speeds.size() >= 3) {
        const double median = nearestRankQuantile(speeds, 0.5);
        shape.speed_variation =
            median > 0.5 ? (nearestRankQuantile(speeds, 0.9) - nearestRankQuantile(speeds, 0.1)) / median : 1.0;
    }
    if (jitter.size() >= 3) // white noise of s per axis gives second differences of about 2.4 s in all
        shape.noise_m = nearestRankQuantile(jitter, 0.5) / 2.4;
    return shape;
}

} // namespace

Result<ClockMatch> matchClock(const std::vector<MotionStep>& steps, const std::vector<TrackPosition>& track,
                              const ClockMatchOptions& options)
{
    if (steps.size() < 20)
        return fail("too little footage to match against the track");
    if (track.size() < 10)
        return fail("the track has too few fixes to match the footage against (" + std::to_string(track.size()) + ")");
    PathFitter matcher(track, options.window_s);
    TurnModel model;
    matcher.setPath(deadReckon(steps, model));
    const double t0 = matcher.path().time.front(), t1 = matcher.path().time.back();
    const double footage = t1 - t0, track_span = track.back().time - track.front().time;
    const double needed = options.min_coverage * std::min(footage, track_span);
    auto covered = [&](const PathFit& f) { return f.fixes >= 10 && f.last - f.first >= needed; };
    auto costAt = [&](const TurnModel& m, double offset) {
        matcher.setPath(deadReckon(steps, m));
        const PathFit f = matcher.fit(offset);
        return covered(f) ? f.cost() : std::numeric_limits<double>::infinity();
    };
    // Every offset that lays the footage over the track, coarsely.
    const double lo = track.front().time - t1, hi = track.back().time - t0;
    std::vector<std::pair<double, double>> curve; // offset, cost
    auto coarse = [&] {
        curve.clear();
        matcher.setPath(deadReckon(steps, model));
        for (double offset = lo; offset <= hi; offset += options.coarse_step_s) {
            const PathFit f = matcher.fit(offset);
            if (covered(f))
                curve.emplace_back(offset, f.cost());
        }
        return std::min_element(curve.begin(), curve.end(), [](auto& a, auto& b) { return a.second < b.second; });
    };
    auto best = coarse();
    if (curve.empty())
        return fail("the track's " + fixedDecimals(track_span, 0) + " s and the footage's " + fixedDecimals(footage, 0) +
                    " s overlap too little at every offset to be matched");
    double offset = best->first;
    // The turn model that fits best at that offset, then the offset again; twice.
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 2; ++i) {
            model.gain = goldenSectionMinimum(0.4, 3.0, [&](double g) { return costAt({g, model.per_metre}, offset); });
            model.per_metre = goldenSectionMinimum(-0.015, 0.015, [&](double k) { return costAt({model.gain, k}, offset); });
        }
        best = coarse();
        offset = best->first;
    }
    matcher.setPath(deadReckon(steps, model));
    std::vector<std::pair<double, double>> fine;
    for (double at = offset - 1.0; at <= offset + 1.0 + 1e-9; at += 0.02) {
        const PathFit f = matcher.fit(at);
        if (covered(f))
            fine.emplace_back(at, f.cost());
    }
    if (fine.size() < 5)
        return fail("the footage could not be laid over the track near its best offset");
    auto fine_best = std::min_element(fine.begin(), fine.end(), [](auto& a, auto& b) { return a.second < b.second; });
    offset = fine_best->first;

    // The cost's curvature at the minimum gives the uncertainty: a quadratic over +-0.3 s.
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, c0 = 0, c1 = 0, c2 = 0;
    for (const auto& [at, cost] : fine) {
        const double x = at - offset;
        if (std::abs(x) > 0.3 + 1e-9 || !std::isfinite(cost))
            continue;
        s0 += 1, s1 += x, s2 += x * x, s3 += x * x * x, s4 += x * x * x * x;
        c0 += cost, c1 += cost * x, c2 += cost * x * x;
    }
    const cv::Matx33d m(s0, s1, s2, s1, s2, s3, s2, s3, s4);
    cv::Vec3d coefficients;
    cv::solve(m, cv::Vec3d(c0, c1, c2), coefficients, cv::DECOMP_SVD);
    const PathFit at_best = matcher.fit(offset);
    ClockMatch out;
    out.yaw_gain = model.gain;
    out.turn_per_metre = model.per_metre;
    out.rms_m = std::sqrt(at_best.cost());
    out.fixes = at_best.fixes;
    out.matched_s = at_best.last - at_best.first;
    out.scale = at_best.scale_sum / std::max(1, at_best.fixes);
    const double curvature = coefficients[2];
    if (curvature > 0) {
        offset = std::clamp(offset - coefficients[1] / (2 * curvature), offset - 0.02, offset + 0.02);
        // Consecutive fixes' errors are correlated: count a third as many independent ones.
        out.uncertainty_s = std::sqrt(3.0 * at_best.cost() / (at_best.fixes * curvature));
    } else {
        out.uncertainty_s = std::numeric_limits<double>::infinity();
    }
    out.offset_s = offset;

    // The best offset elsewhere: a drive that repeats itself (or says nothing) fits there too.
    double runner_up = std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < curve.size(); ++i) {
        const bool local_minimum = (i == 0 || curve[i].second <= curve[i - 1].second) &&
                                   (i + 1 == curve.size() || curve[i].second <= curve[i + 1].second);
        if (local_minimum && std::abs(curve[i].first - offset) > 3 && curve[i].second < runner_up) {
            runner_up = curve[i].second;
            out.runner_up_offset_s = curve[i].first;
        }
    }
    out.runner_up_rms_m = std::sqrt(runner_up);
    const double best_cost = best->second;
    const bool ambiguous = std::isfinite(runner_up) && runner_up < options.ambiguity_ratio * best_cost;
    if (!(out.uncertainty_s <= options.max_uncertainty_s) || ambiguous) {
        std::string why = ambiguous ? "offsets " + fixedDecimals(offset, 1) + " s and " + fixedDecimals(out.runner_up_offset_s, 1) +
                                          " s fit the track about as well (" + fixedDecimals(out.rms_m, 1) + " and " +
                                          fixedDecimals(out.runner_up_rms_m, 1) + " m)"
                                    : "the best offset, " + fixedDecimals(offset, 1) + " s, is uncertain by " +
                                          (std::isfinite(out.uncertainty_s) ? fixedDecimals(out.uncertainty_s, 1) + " s" : "more than the footage");
        return fail("the drive has nothing to match the track by: " + why + kOnlyChangesTell);
    }
    // Where the footage lies on the track, the track must say something (a turn, a change of
    // speed), and the footage's path must fit it about as closely as the GPS's own noise allows.
    const TrackShape shape = shapeOf(track, at_best.first + offset, at_best.last + offset);
    if (shape.turn_deg < options.min_turn_deg && shape.speed_variation < options.min_speed_variation)
        return fail("the drive has nothing to match the track by: where the footage would lie, the track turns by " +
                    fixedDecimals(shape.turn_deg, 0) + " degrees and keeps its speed within " +
                    fixedDecimals(100 * shape.speed_variation, 0) + "%" + kOnlyChangesTell);
    const double expected = std::sqrt(2.0) * shape.noise_m; // in both axes
    if (out.rms_m > 2 * expected + options.fit_tolerance_m)
        return fail("the footage's path does not fit the track at any offset: " + fixedDecimals(out.rms_m, 1) +
                    " m from it at best, where the track's own noise is " + fixedDecimals(expected, 1) +
                    " m; is the track of this drive? Give --time-offset in seconds");
    return out;
}

} // namespace voirie
