#include "voirie/core/ingest/track.hpp"

#include "voirie/core/base/time_format.hpp"

#include <algorithm>
#include <cmath>

namespace voirie {
namespace {

double distance(const MetricPoint& a, const MetricPoint& b) { return std::hypot(b.x - a.x, b.y - a.y); }

bool validPosition(const GpsFix& f)
{
    if (!std::isfinite(f.lon) || !std::isfinite(f.lat) || !std::isfinite(f.time))
        return false;
    if (std::abs(f.lat) > 90 || std::abs(f.lon) > 180)
        return false;
    return !(std::abs(f.lon) < 1e-7 && std::abs(f.lat) < 1e-7);
}

// Heading of travel over [i, i+1], looking further along the segment while the vehicle stands
// still (a stopped car's GPS jitter says nothing about its direction).
double headingAround(const std::vector<TrackPoint>& seg, size_t i)
{
    constexpr double kMinMove = 0.5; // metres
    for (size_t reach = 1; reach < seg.size(); ++reach) {
        const size_t a = i >= reach - 1 ? i - (reach - 1) : 0;
        const size_t b = std::min(seg.size() - 1, i + reach);
        if (distance(seg[a].metric, seg[b].metric) >= kMinMove || (a == 0 && b == seg.size() - 1))
            return headingDegrees(seg[b].metric.x - seg[a].metric.x, seg[b].metric.y - seg[a].metric.y);
    }
    return 0;
}

// Velocity at fix i (metres per second): the central difference of its neighbours' positions
// over their times, one-sided at a segment's ends.
MetricPoint velocityAt(const std::vector<TrackPoint>& seg, size_t i)
{
    const size_t lo = i > 0 ? i - 1 : i, hi = i + 1 < seg.size() ? i + 1 : i;
    const double dt = seg[hi].time - seg[lo].time;
    if (!(dt > 0))
        return {0, 0};
    return {(seg[hi].metric.x - seg[lo].metric.x) / dt, (seg[hi].metric.y - seg[lo].metric.y) / dt};
}

// Weighted least squares of v(dt) = sum c_k dt^k (k <= degree); returns c_0, the value at dt = 0.
std::optional<double> localPolynomialAt(const std::vector<double>& dt, const std::vector<double>& v,
                                        const std::vector<double>& w, int degree)
{
    const int n = degree + 1;
    double m[4][5] = {};
    for (size_t k = 0; k < dt.size(); ++k) {
        double basis[4] = {1, dt[k], dt[k] * dt[k], dt[k] * dt[k] * dt[k]};
        for (int r = 0; r < n; ++r) {
            for (int c = 0; c < n; ++c)
                m[r][c] += w[k] * basis[r] * basis[c];
            m[r][n] += w[k] * basis[r] * v[k];
        }
    }
    for (int col = 0; col < n; ++col) { // Gauss-Jordan with partial pivoting
        int pivot = col;
        for (int r = col + 1; r < n; ++r)
            if (std::abs(m[r][col]) > std::abs(m[pivot][col]))
                pivot = r;
        if (std::abs(m[pivot][col]) < 1e-12)
            return std::nullopt;
        std::swap(m[col], m[pivot]);
        for (int r = 0; r < n; ++r)
            if (r != col) {
                const double f = m[r][col] / m[col][col];
                for (int c = col; c <= n; ++c)
                    m[r][c] -= f * m[col][c];
            }
    }
    return m[0][n] / m[0][0];
}

void smoothSegment(std::vector<TrackPoint>& seg, double window_s)
{
    const double half = window_s / 2;
    std::vector<MetricPoint> smoothed(seg.size());
    size_t first = 0; // the earliest fix in the window (fixes are in time order): linear, not quadratic
    for (size_t i = 0; i < seg.size(); ++i) {
        while (seg[i].time - seg[first].time > half)
            ++first;
        std::vector<double> dt, xs, ys, w;
        for (size_t j = first; j < seg.size(); ++j) {
            const double d = seg[j].time - seg[i].time;
            if (d > half)
                break;
            const double u = std::abs(d) / (half * 1.0001);
            dt.push_back(d);
            xs.push_back(seg[j].metric.x);
            ys.push_back(seg[j].metric.y);
            w.push_back(std::pow(1 - u * u * u, 3));
        }
        smoothed[i] = seg[i].metric;
        if (dt.size() < 4)
            continue; // too few fixes for a fit: keep the fix as measured
        // Quadratic: a cubic gives the same value at the centre of a symmetric window; a quartic
        // over a longer window cut an 80 m curve's entry by as much and smoothed no better.
        auto x = localPolynomialAt(dt, xs, w, 2), y = localPolynomialAt(dt, ys, w, 2);
        if (x && y)
            smoothed[i] = {*x, *y};
    }
    for (size_t i = 0; i < seg.size(); ++i)
        seg[i].metric = smoothed[i];
}

// The fixes to keep so that time only goes forward, dropping as few as possible: the longest
// non-decreasing run of times (patience sorting). One fix dated 2926 costs that fix, not every
// fix after it; a clock that really jumps back keeps its longer side.
std::vector<bool> inTimeOrder(const std::vector<GpsFix>& fixes)
{
    std::vector<size_t> tails;                           // index ending the best run of each length
    std::vector<size_t> previous(fixes.size(), SIZE_MAX); // the fix before each in its run
    for (size_t i = 0; i < fixes.size(); ++i) {
        const auto at = std::upper_bound(tails.begin(), tails.end(), fixes[i].time,
                                         [&](double t, size_t j) { return t < fixes[j].time; });
        if (at != tails.begin())
            previous[i] = *(at - 1);
        if (at == tails.end())
            tails.push_back(i);
        else
            *at = i;
    }
    std::vector<bool> keep(fixes.size(), false);
    for (size_t i = tails.empty() ? SIZE_MAX : tails.back(); i != SIZE_MAX; i = previous[i])
        keep[i] = true;
    return keep;
}

// A lone jump: the fix is impossibly far from both neighbours, which are plausible together.
bool isPositionSpike(const std::vector<GpsFix>& fixes, size_t i, const LocalMetricFrame& frame, double max_speed)
{
    auto speed = [&](size_t a, size_t b) {
        const double dt = std::abs(fixes[b].time - fixes[a].time);
        return distance(frame.toMetric(fixes[a].lon, fixes[a].lat), frame.toMetric(fixes[b].lon, fixes[b].lat)) /
               std::max(dt, 1e-3);
    };
    if (fixes.size() < 3)
        return false;
    if (i == 0)
        return speed(0, 1) > max_speed && speed(1, 2) <= max_speed;
    if (i + 1 == fixes.size())
        return speed(i - 1, i) > max_speed && speed(i - 2, i - 1) <= max_speed;
    return speed(i - 1, i) > max_speed && speed(i, i + 1) > max_speed && speed(i - 1, i + 1) <= max_speed;
}

// How far each fix lies off the straight course of its two neighbours (0 at the ends).
std::vector<double> offCourse(const std::vector<GpsFix>& fixes, const LocalMetricFrame& frame)
{
    std::vector<double> off(fixes.size(), 0.0);
    for (size_t i = 1; i + 1 < fixes.size(); ++i) {
        const GpsFix &a = fixes[i - 1], &f = fixes[i], &b = fixes[i + 1];
        const double span = b.time - a.time;
        if (!(span > 0))
            continue;
        const double share = std::clamp((f.time - a.time) / span, 0.0, 1.0);
        const auto pa = frame.toMetric(a.lon, a.lat), pb = frame.toMetric(b.lon, b.lat);
        off[i] = distance(frame.toMetric(f.lon, f.lat), {pa.x + (pb.x - pa.x) * share, pa.y + (pb.y - pa.y) * share});
    }
    return off;
}

// A swerve: the fix lies off its neighbours' course by more than a receiver's multipath error
// (20 m; a white noise of 3 m per fix strays that far about once in three million fixes), more
// than either neighbour does (they look off course only because of it), and going there and back
// in the time between them would take over 2 g (a car corners at under 1 g). A curve bends the
// course far less at these intervals: at 1 s, a 20 m radius bend at 54 km/h strays 5 m; fixes
// 5 s apart must stray over 245 m to be dropped.
bool isSwerve(const std::vector<GpsFix>& fixes, const std::vector<double>& off, size_t i)
{
    if (i == 0 || i + 1 >= fixes.size() || off[i] < off[i - 1] || off[i] < off[i + 1])
        return false;
    const double half = (fixes[i + 1].time - fixes[i - 1].time) / 2;
    constexpr double kMultipathM = 20, kMaxAcceleration = 2 * 9.81;
    return off[i] > kMultipathM && 2 * off[i] / (half * half) > kMaxAcceleration;
}

void noteDropped(TrackCleaningCounts& counts, const GpsFix& f, size_t index, const char* why)
{
    if (counts.dropped_examples.size() < 5)
        counts.dropped_examples.push_back("fix " + std::to_string(index + 1) + " (" + formatIso8601(f.time) + "): " + why);
}

} // namespace

Result<Track> Track::build(const std::vector<GpsFix>& fixes, const TrackCleaningOptions& options,
                           const std::string& source, TrackCleaningCounts& counts)
{
    counts = {};
    counts.fixes_read = int(fixes.size());
    std::vector<GpsFix> positioned;
    std::vector<size_t> index_of; // each kept fix's place in the file, for the summary
    for (size_t i = 0; i < fixes.size(); ++i) {
        if (!validPosition(fixes[i]))
            ++counts.zero_position;
        else
            positioned.push_back(fixes[i]), index_of.push_back(i);
    }
    // Outliers cost themselves only: a fix whose time or position is impossible next to its
    // neighbours is dropped before the fixes are chained, so it cannot become the reference
    // every later fix is judged against.
    std::vector<GpsFix> valid;
    if (!positioned.empty()) {
        const std::vector<bool> ordered = inTimeOrder(positioned);
        std::vector<GpsFix> in_order;
        std::vector<size_t> in_order_index;
        for (size_t i = 0; i < positioned.size(); ++i) {
            if (ordered[i]) {
                in_order.push_back(positioned[i]), in_order_index.push_back(index_of[i]);
                continue;
            }
            // Earlier than the fix before it: "going backwards"; else dated ahead of the fixes after it.
            if (i > 0 && positioned[i].time < positioned[i - 1].time) {
                ++counts.backwards_time;
                noteDropped(counts, positioned[i], index_of[i], "earlier than the fix before it");
            } else {
                ++counts.time_outlier;
                noteDropped(counts, positioned[i], index_of[i], "dated after the fixes that follow it");
            }
        }
        const LocalMetricFrame spike_frame(in_order.front().lon, in_order.front().lat);
        const double max_speed = options.max_speed_kmh / 3.6;
        std::vector<GpsFix> unspiked;
        std::vector<size_t> unspiked_index;
        for (size_t i = 0; i < in_order.size(); ++i) {
            if (isPositionSpike(in_order, i, spike_frame, max_speed)) {
                ++counts.speed_outlier;
                noteDropped(counts, in_order[i], in_order_index[i], "a jump no vehicle makes, away from both neighbours");
                continue;
            }
            unspiked.push_back(in_order[i]), unspiked_index.push_back(in_order_index[i]);
        }
        const std::vector<double> off = offCourse(unspiked, spike_frame);
        for (size_t i = 0; i < unspiked.size(); ++i) {
            if (isSwerve(unspiked, off, i)) {
                ++counts.swerve_outlier;
                noteDropped(counts, unspiked[i], unspiked_index[i], "off its neighbours' course and back, faster than a vehicle turns");
                continue;
            }
            valid.push_back(unspiked[i]);
        }
    }
    if (valid.size() < 2)
        return fail("track " + source + " has " + std::to_string(valid.size()) +
                    " valid fix(es) (" + std::to_string(counts.fixes_read) + " read, " +
                    std::to_string(counts.zero_position) +
                    " at 0,0 or invalid); a track needs at least two fixes with position and time");

    LocalMetricFrame frame(valid.front().lon, valid.front().lat);
    const double max_speed = options.max_speed_kmh / 3.6;
    std::vector<std::vector<TrackPoint>> segments;
    std::optional<TrackPoint> last; // copied: segments grow and move
    for (const auto& f : valid) {
        TrackPoint p{f.time, f.lon, f.lat, frame.toMetric(f.lon, f.lat), 0.0, f.hdop};
        if (last) {
            const double dt = p.time - last->time;
            if (dt == 0) {
                ++counts.duplicate_time;
                continue;
            }
            if (dt < 0) {
                ++counts.backwards_time;
                continue;
            }
            const double d = distance(last->metric, p.metric);
            if (d / dt > max_speed) {
                ++counts.speed_outlier;
                continue;
            }
            if (dt > options.gap_seconds || d > options.gap_metres) {
                // Never interpolate across a gap; chainage bridges it in a straight line.
                p.chainage_m = last->chainage_m + d;
                segments.emplace_back();
            } else {
                p.chainage_m = last->chainage_m + d;
            }
        } else {
            segments.emplace_back();
        }
        segments.back().push_back(p);
        last = p;
    }
    // A segment of one fix cannot be interpolated: it stays only as a marker of where a gap was.
    std::vector<std::vector<TrackPoint>> usable;
    for (auto& s : segments)
        if (s.size() >= 2)
            usable.push_back(std::move(s));
    counts.fixes_used = 0;
    for (const auto& s : usable)
        counts.fixes_used += int(s.size());
    counts.segments = int(usable.size());
    counts.gaps = std::max(0, int(segments.size()) - 1);
    if (usable.empty())
        return fail("track " + source + " has no two consecutive fixes close enough in time and space to use (" +
                    std::to_string(counts.fixes_read) + " read, " + std::to_string(counts.dropped()) +
                    " dropped while cleaning, gap threshold " + std::to_string(int(options.gap_seconds)) + " s / " +
                    std::to_string(int(options.gap_metres)) + " m)");
    if (options.smoothing_s > 0) {
        const TrackPoint* previous = nullptr;
        for (auto& seg : usable) {
            smoothSegment(seg, options.smoothing_s);
            for (auto& p : seg) {
                frame.toGeographic(p.metric, p.lon, p.lat);
                p.chainage_m = previous ? previous->chainage_m + distance(previous->metric, p.metric) : 0.0;
                previous = &p;
            }
        }
    }
    return Track(std::move(frame), std::move(usable));
}

std::optional<TrackSample> Track::at(double time) const
{
    // Frame timestamps carry floating-point noise well below a millisecond: a frame that far
    // past a segment's end still belongs to it.
    constexpr double kTolerance = 1e-4;
    if (!std::isfinite(time))
        return std::nullopt;
    auto seg_it = std::upper_bound(segments_.begin(), segments_.end(), time - kTolerance,
                                   [](double t, const std::vector<TrackPoint>& s) { return t < s.back().time; });
    if (seg_it == segments_.end())
        return std::nullopt;
    const auto& seg = *seg_it;
    if (time < seg.front().time - kTolerance)
        return std::nullopt; // before the track, or inside a gap
    time = std::clamp(time, seg.front().time, seg.back().time);
    auto next = std::upper_bound(seg.begin(), seg.end(), time, [](double t, const TrackPoint& p) { return t < p.time; });
    if (next == seg.end())
        --next;
    const size_t i = size_t(next - seg.begin()) - 1;
    const TrackPoint& a = seg[i];
    const TrackPoint& b = seg[i + 1];
    const double h = b.time - a.time, f = (time - a.time) / h;
    // Cubic Hermite between the fixes, with the velocity at each fix from its neighbours
    // (Catmull-Rom on uneven times): between 1 Hz fixes on a 100 m radius bend the chord is 0.15 m
    // inside the curve and its heading up to 3 degrees off at either end; the curve is neither.
    const MetricPoint va = velocityAt(seg, i), vb = velocityAt(seg, i + 1);
    const double f2 = f * f, f3 = f2 * f;
    const double h00 = 2 * f3 - 3 * f2 + 1, h10 = (f3 - 2 * f2 + f) * h, h01 = -2 * f3 + 3 * f2, h11 = (f3 - f2) * h;
    const double d00 = (6 * f2 - 6 * f) / h, d10 = 3 * f2 - 4 * f + 1, d01 = (-6 * f2 + 6 * f) / h, d11 = 3 * f2 - 2 * f;
    TrackSample s;
    s.metric = {h00 * a.metric.x + h10 * va.x + h01 * b.metric.x + h11 * vb.x,
                h00 * a.metric.y + h10 * va.y + h01 * b.metric.y + h11 * vb.y};
    const MetricPoint velocity = {d00 * a.metric.x + d10 * va.x + d01 * b.metric.x + d11 * vb.x,
                                  d00 * a.metric.y + d10 * va.y + d01 * b.metric.y + d11 * vb.y};
    frame_.toGeographic(s.metric, s.lon, s.lat);
    s.chainage_m = a.chainage_m + f * (b.chainage_m - a.chainage_m);
    s.speed_mps = (b.chainage_m - a.chainage_m) / h;
    // Standing still (or nearly) the velocity has no direction: the fixes around tell it.
    constexpr double kMinSpeedForHeading = 0.5; // m/s
    s.heading_deg = std::hypot(velocity.x, velocity.y) >= kMinSpeedForHeading ? headingDegrees(velocity.x, velocity.y)
                                                                                : headingAround(seg, i);
    s.segment = int(seg_it - segments_.begin());
    return s;
}

} // namespace voirie
