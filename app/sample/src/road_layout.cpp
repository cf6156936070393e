#include "road_layout.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace voirie::sample {

RoadLayout::RoadLayout(uint64_t seed, double length_m, double start_heading_deg)
{
    std::mt19937_64 rng(seed * 7919 + 17);
    std::uniform_real_distribution<double> straight_len(40, 90), radius(90, 220), turn(12, 40);
    double x = 0, y = 0, h = start_heading_deg * M_PI / 180.0;
    auto push = [&](double curvature) {
        x_.push_back(x);
        y_.push_back(y);
        heading_.push_back(h);
        curvature_.push_back(curvature);
    };
    push(0);
    int sign = (rng() % 2) ? 1 : -1;
    while (double(x_.size() - 1) * kStep < length_m) {
        // A straight, then an arc, each integrated in small steps (arc: constant curvature).
        const int straight_steps = int(straight_len(rng) / kStep);
        for (int i = 0; i < straight_steps; ++i) {
            x += kStep * std::sin(h);
            y += kStep * std::cos(h);
            push(0);
        }
        const double r = radius(rng), angle = turn(rng) * M_PI / 180.0;
        const double k = sign / r;
        const int arc_steps = int(angle * r / kStep);
        for (int i = 0; i < arc_steps; ++i) {
            const double mid = h + 0.5 * k * kStep; // midpoint rule keeps the arc exact to 1e-6
            x += kStep * std::sin(mid);
            y += kStep * std::cos(mid);
            h += k * kStep;
            push(k);
        }
        sign = -sign;
    }
}

int RoadLayout::indexOf(double s) const
{
    return std::clamp(int(std::floor(s / kStep)), 0, int(x_.size()) - 2);
}

WorldPoint RoadLayout::toWorld(const RoadPoint& p) const
{
    const int i = indexOf(p.s);
    const double f = (p.s - i * kStep) / kStep;
    const double h = heading_[i] + f * (heading_[i + 1] - heading_[i]);
    const double cx = x_[i] + f * (x_[i + 1] - x_[i]), cy = y_[i] + f * (y_[i + 1] - y_[i]);
    // Right of the direction of travel: (cos h, -sin h).
    return {cx + p.t * std::cos(h), cy - p.t * std::sin(h)};
}

RoadPoint RoadLayout::toRoad(const WorldPoint& w, int& hint) const
{
    const int n = int(x_.size());
    int i = std::clamp(hint, 0, n - 2);
    auto along = [&](int k) { // signed distance of w ahead of sample k along its tangent
        return (w.x - x_[k]) * std::sin(heading_[k]) + (w.y - y_[k]) * std::cos(heading_[k]);
    };
    // Step to the sample whose tangent-normal slab [0, kStep) contains w; on a smooth road a
    // good hint converges in one or two steps, a poor one in a few jumps.
    for (int iteration = 0; iteration < 64; ++iteration) {
        const double a = along(i);
        int next = i;
        if (a < 0 && i > 0)
            next = std::max(0, i - std::max(1, int(std::ceil(-a / kStep))));
        else if (a >= kStep && i < n - 2)
            next = std::min(n - 2, i + std::max(1, int(a / kStep)));
        if (next == i)
            break;
        i = next;
    }
    hint = i;
    const double h = heading_[i];
    const double dx = w.x - x_[i], dy = w.y - y_[i];
    return {i * kStep + (dx * std::sin(h) + dy * std::cos(h)), dx * std::cos(h) - dy * std::sin(h)};
}

double RoadLayout::headingAt(double s) const
{
    const int i = indexOf(s);
    const double f = (s - i * kStep) / kStep;
    double h = (heading_[i] + f * (heading_[i + 1] - heading_[i])) * 180.0 / M_PI;
    h = std::fmod(h, 360.0);
    return h < 0 ? h + 360.0 : h;
}

double RoadLayout::curvatureAt(double s) const { return curvature_[indexOf(s)]; }

} // namespace voirie::sample
