// The footage's path laid over the GPS fixes: the camera's motion (distance forward, turns)
// dead-reckoned into a path, and the fixes fitted to it per window of footage with a shift, a
// rotation and a scale of their own. The clock match slides the fixes along it in time; the
// field of view from the turns asks which turn gain makes the path bend as the fixes do.
#pragma once

#include "image_motion.hpp"

#include <complex>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

namespace voirie {

struct TrackPosition {
    double time = 0;
    double x = 0, y = 0; // metres east and north
};

// How the image's turns relate to the vehicle's: a gain (the texture that decides the sideways
// match lies nearer than its middle; the camera is not where the vehicle turns about) and a turn
// per metre forward (a camera that looks aside sees the road slide sideways as it moves).
struct TurnModel {
    double gain = 1;
    double per_metre = 0;
};

// The footage's path: where the camera was at each step's time, dead-reckoned from its motion.
struct DeadReckonedPath {
    std::vector<double> time;
    std::vector<std::complex<double>> at; // x east-ish + i y, in the image's own frame
};

DeadReckonedPath deadReckon(const std::vector<MotionStep>& steps, const TurnModel& model);

struct PathFit {
    double squared = 0; // sum of squared residuals, metres^2
    int fixes = 0, parameters = 0;
    double first = 0, last = 0; // footage times of the first and last fix used
    double scale_sum = 0;       // scale x fixes, summed over windows
    double cost() const; // squared / (fixes - parameters): the residual's variance
};

class PathFitter {
public:
    // `track` in time order; kept by reference.
    PathFitter(const std::vector<TrackPosition>& track, double window_s) : track_(track), window_s_(window_s) {}
    void setPath(DeadReckonedPath path) { path_ = std::move(path); }
    const DeadReckonedPath& path() const { return path_; }

    // The fixes laid over the path at `offset` (track time = footage time + offset), each window
    // of footage fitted with its own similarity (a short last window joins the one before).
    PathFit fit(double offset) const;

private:
    const std::vector<TrackPosition>& track_;
    double window_s_;
    DeadReckonedPath path_;
};

// The minimum of `cost` over [lo, hi] by 30 golden sections (cost unimodal there).
template <class Cost>
double goldenSectionMinimum(double lo, double hi, Cost&& cost)
{
    for (int i = 0; i < 30; ++i) {
        const double a = hi - 0.618 * (hi - lo), b = lo + 0.618 * (hi - lo);
        if (cost(a) < cost(b))
            hi = b;
        else
            lo = a;
    }
    return (lo + hi) / 2;
}

// The turn gain whose dead-reckoned path the fixes fit best (one shift, rotation and scale for
// each `window_s` of footage, all of it by default; `per_metre` 0), searched within [min_gain,
// max_gain]: a log grid, then golden sections about its best (a wrong gain can turn a loop onto
// a second, shallower minimum).
// `error`: one standard error from the fit's curvature, consecutive fixes' errors taken as
// correlated (a third as many independent ones, as the clock match counts them). Nothing when
// fewer than 10 fixes fall within the footage, the best gain is at the range's edge or every
// gain fits alike (a straight road).
struct TurnGain {
    double gain = 1, error = 0;
    double rms_m = 0; // the fixes' distance from the path
    int fixes = 0;
};
std::optional<TurnGain> fitTurnGain(const std::vector<MotionStep>& steps, const std::vector<TrackPosition>& fixes,
                                    double min_gain, double max_gain,
                                    double window_s = std::numeric_limits<double>::infinity());

} // namespace voirie
