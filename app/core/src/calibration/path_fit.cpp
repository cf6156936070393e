#include "path_fit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace voirie {
namespace {

using Complex = std::complex<double>;

// g ~ a q + b (a complex: rotation and scale), least squares in closed form.
void addWindow(const std::vector<Complex>& q, const std::vector<Complex>& g, PathFit& total)
{
    Complex mq = 0, mg = 0;
    for (size_t i = 0; i < q.size(); ++i)
        mq += q[i], mg += g[i];
    mq /= double(q.size()), mg /= double(q.size());
    Complex cross = 0;
    double norm = 0;
    for (size_t i = 0; i < q.size(); ++i) {
        cross += (g[i] - mg) * std::conj(q[i] - mq);
        norm += std::norm(q[i] - mq);
    }
    const Complex a = norm > 0 ? cross / norm : Complex(0);
    for (size_t i = 0; i < q.size(); ++i)
        total.squared += std::norm(g[i] - mg - a * (q[i] - mq));
    total.fixes += int(q.size());
    total.parameters += 4;
    total.scale_sum += std::abs(a) * double(q.size());
}

} // namespace

DeadReckonedPath deadReckon(const std::vector<MotionStep>& steps, const TurnModel& model)
{
    DeadReckonedPath path;
    const double first_dt = steps.size() > 1 ? steps[1].time - steps[0].time : 0.1;
    path.time.push_back(steps.empty() ? 0.0 : steps.front().time - first_dt);
    path.at.push_back({0, 0});
    double heading = 0;
    for (const auto& s : steps) {
        const double turn = model.gain * s.yaw_rad + model.per_metre * s.forward_m;
        const double mid = heading + 0.5 * turn;
        heading += turn;
        path.time.push_back(s.time);
        path.at.push_back(path.at.back() + s.forward_m * Complex(std::sin(mid), std::cos(mid)));
    }
    return path;
}

double PathFit::cost() const
{
    return fixes > parameters ? squared / (fixes - parameters) : std::numeric_limits<double>::infinity();
}

PathFit PathFitter::fit(double offset) const
{
    PathFit total;
    if (path_.time.size() < 2)
        return total;
    const double t0 = path_.time.front(), t1 = path_.time.back();
    auto fix = std::lower_bound(track_.begin(), track_.end(), t0 + offset,
                                [](const TrackPosition& p, double t) { return p.time < t; });
    size_t k = 0; // path index: path_.time[k] <= fix time - offset < path_.time[k + 1]
    std::vector<Complex> q, g;
    double window_end = t0 + window_s_;
    bool first = true;
    auto close = [&] {
        if (q.size() >= 6)
            addWindow(q, g, total);
        q.clear(), g.clear();
    };
    for (; fix != track_.end() && fix->time - offset <= t1; ++fix) {
        const double t = fix->time - offset;
        while (k + 2 < path_.time.size() && path_.time[k + 1] <= t)
            ++k;
        if (t >= window_end && t1 - t >= window_s_ / 2) {
            close();
            window_end += window_s_;
        }
        const double span = path_.time[k + 1] - path_.time[k];
        const double w = span > 0 ? std::clamp((t - path_.time[k]) / span, 0.0, 1.0) : 0.0;
        q.push_back(path_.at[k] + w * (path_.at[k + 1] - path_.at[k]));
        g.push_back({fix->x, fix->y});
        if (first)
            total.first = t, first = false;
        total.last = t;
    }
    close();
    return total;
}

std::optional<TurnGain> fitTurnGain(const std::vector<MotionStep>& steps, const std::vector<TrackPosition>& fixes,
                                    double min_gain, double max_gain, double window_s)
{
    if (steps.size() < 2 || !(min_gain > 0 && max_gain > min_gain) || !(window_s > 0))
        return std::nullopt;
    PathFitter fitter(fixes, window_s);
    auto squaredAt = [&](double gain) {
        fitter.setPath(deadReckon(steps, {gain, 0}));
        return fitter.fit(0).squared;
    };
    constexpr double kGridStep = 0.05; // in log gain
    double best = min_gain, best_squared = std::numeric_limits<double>::infinity();
    for (double log_gain = std::log(min_gain); log_gain <= std::log(max_gain) + 1e-9; log_gain += kGridStep)
        if (const double squared = squaredAt(std::exp(log_gain)); squared < best_squared)
            best_squared = squared, best = std::exp(log_gain);
    TurnGain out;
    out.gain = goldenSectionMinimum(best * std::exp(-kGridStep), best * std::exp(kGridStep), squaredAt);
    if (out.gain <= min_gain * std::exp(kGridStep / 2) || out.gain >= max_gain * std::exp(-kGridStep / 2))
        return std::nullopt;
    fitter.setPath(deadReckon(steps, {out.gain, 0}));
    const PathFit at_best = fitter.fit(0);
    if (at_best.fixes < 10)
        return std::nullopt;
    out.fixes = at_best.fixes;
    out.rms_m = std::sqrt(at_best.cost());
    // var = 2 sigma^2 / S'' (S the sum of squares, sigma^2 one coordinate's residual variance),
    // three times that for the correlated fixes.
    const double step = 0.01 * out.gain;
    const double curvature = (squaredAt(out.gain + step) - 2 * at_best.squared + squaredAt(out.gain - step)) / (step * step);
    if (!(curvature > 0))
        return std::nullopt; // every gain fits alike: a straight road
    const double sigma2 = at_best.squared / std::max(1, 2 * at_best.fixes - at_best.parameters);
    out.error = std::sqrt(3 * 2 * sigma2 / curvature);
    return out;
}

} // namespace voirie
