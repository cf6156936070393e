#include "road_scene.hpp"

#include "voirie/core/vocabulary/severity_rules.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace voirie::sample {
namespace {

using Rng = std::mt19937_64;

double uniform(Rng& rng, double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); }

double worldLength(const RoadLayout& layout, const RoadLine& line)
{
    double total = 0;
    for (size_t i = 1; i < line.size(); ++i) {
        const auto a = layout.toWorld(line[i - 1]), b = layout.toWorld(line[i]);
        total += std::hypot(b.x - a.x, b.y - a.y);
    }
    return total;
}

double worldArea(const RoadLayout& layout, const RoadLine& ring)
{
    double twice = 0;
    for (size_t i = 0; i < ring.size(); ++i) {
        const auto a = layout.toWorld(ring[i]), b = layout.toWorld(ring[(i + 1) % ring.size()]);
        twice += a.x * b.y - b.x * a.y;
    }
    return std::abs(twice) / 2;
}

double worldExtent(const RoadLayout& layout, const RoadLine& ring)
{
    double best = 0;
    for (size_t i = 0; i < ring.size(); ++i)
        for (size_t j = i + 1; j < ring.size(); ++j) {
            const auto a = layout.toWorld(ring[i]), b = layout.toWorld(ring[j]);
            best = std::max(best, std::hypot(b.x - a.x, b.y - a.y));
        }
    return best;
}

// A crack wandering around a main direction (radians from the road axis), 5 cm steps.
RoadLine crackLine(Rng& rng, RoadPoint start, double direction, double length)
{
    RoadLine line{start};
    double angle = direction, drift = 0;
    for (double done = 0; done < length; done += 0.05) {
        drift = 0.85 * drift + uniform(rng, -0.12, 0.12);
        angle = direction + std::clamp(drift, -0.45, 0.45) + uniform(rng, -0.25, 0.25);
        const auto& p = line.back();
        line.push_back({p.s + 0.05 * std::cos(angle), p.t + 0.05 * std::sin(angle)});
    }
    return line;
}

RoadLine blobOutline(Rng& rng, RoadPoint centre, double radius_s, double radius_t, int vertices, double roughness)
{
    RoadLine ring;
    std::vector<double> bumps(6);
    for (auto& b : bumps)
        b = uniform(rng, -roughness, roughness);
    for (int i = 0; i < vertices; ++i) {
        const double a = 2 * M_PI * i / vertices;
        double r = 1.0;
        for (size_t k = 0; k < bumps.size(); ++k)
            r += bumps[k] * std::sin((k + 2) * a + k);
        r = std::max(0.55, r + uniform(rng, -roughness / 3, roughness / 3));
        ring.push_back({centre.s + radius_s * r * std::cos(a), centre.t + radius_t * r * std::sin(a)});
    }
    return ring;
}

void bounds(Damage& d)
{
    d.s_min = 1e18;
    d.s_max = -1e18;
    auto take = [&](const RoadLine& l) {
        for (const auto& p : l) {
            d.s_min = std::min(d.s_min, p.s);
            d.s_max = std::max(d.s_max, p.s);
        }
    };
    take(d.line);
    take(d.outline);
    for (const auto& b : d.branches)
        take(b);
}

Damage makeCrack(Rng& rng, const RoadLayout& layout, const std::string& cls, double s, double t)
{
    Damage d;
    d.class_code = cls;
    const int level = int(uniform(rng, 0, 3)); // L, M, H equally often
    d.width_mm = level == 0 ? uniform(rng, 5, 9) : level == 1 ? uniform(rng, 13, 30) : uniform(rng, 45, 65);
    if (cls == "D00") { // longitudinal: along the road, 1.5-6 m
        const double length = uniform(rng, 1.5, 6.0);
        d.line = crackLine(rng, {s - length / 2, t}, uniform(rng, -0.12, 0.12), length);
    } else { // transverse: across the lane, 1.2-3.2 m
        const double length = uniform(rng, 1.2, 3.2);
        const double dir = M_PI / 2 + uniform(rng, -0.2, 0.2);
        d.line = crackLine(rng, {s, t - length / 2}, dir, length);
    }
    const int branches = level == 0 ? 0 : int(uniform(rng, 1, 3.99));
    for (int b = 0; b < branches; ++b) {
        const auto& from = d.line[size_t(uniform(rng, 0.2, 0.8) * double(d.line.size()))];
        const double dir = (cls == "D00" ? 0.0 : M_PI / 2) + uniform(rng, 0.5, 1.0) * (rng() % 2 ? 1 : -1);
        d.branches.push_back(crackLine(rng, from, dir, uniform(rng, 0.15, 0.5)));
    }
    d.length_m = worldLength(layout, d.line);
    d.severity = crackSeverity(d.width_mm);
    return d;
}

Damage makeAlligator(Rng& rng, const RoadLayout& layout, double s, double t)
{
    Damage d;
    d.class_code = "D20";
    const int level = int(uniform(rng, 0, 3));
    const double target_area = level == 0 ? uniform(rng, 0.7, 1.3) : level == 1 ? uniform(rng, 1.8, 3.6) : uniform(rng, 4.5, 7.0);
    const double aspect = uniform(rng, 1.2, 2.0); // longer along the wheel path
    const double rt = std::sqrt(target_area / (M_PI * aspect)), rs = rt * aspect;
    d.outline = blobOutline(rng, {s, t}, rs, rt, 28, 0.12);
    d.width_mm = level == 0 ? uniform(rng, 3, 6) : uniform(rng, 6, 12);
    d.area_m2 = worldArea(layout, d.outline);
    d.severity = alligatorSeverity(d.area_m2);
    // The cell network: a jittered grid of 15-30 cm cells, edges kept where both ends are inside.
    const double cell = level == 2 ? 0.16 : 0.24;
    std::vector<std::vector<RoadPoint>> grid;
    for (double gs = s - rs * 1.4; gs <= s + rs * 1.4; gs += cell) {
        grid.emplace_back();
        for (double gt = t - rt * 1.4; gt <= t + rt * 1.4; gt += cell)
            grid.back().push_back({gs + uniform(rng, -0.35, 0.35) * cell, gt + uniform(rng, -0.35, 0.35) * cell});
    }
    auto inside = [&](const RoadPoint& p) {
        bool in = false;
        for (size_t i = 0, j = d.outline.size() - 1; i < d.outline.size(); j = i++) {
            const auto& a = d.outline[i];
            const auto& b = d.outline[j];
            if ((a.t > p.t) != (b.t > p.t) && p.s < (b.s - a.s) * (p.t - a.t) / (b.t - a.t) + a.s)
                in = !in;
        }
        return in;
    };
    for (size_t i = 0; i < grid.size(); ++i)
        for (size_t j = 0; j < grid[i].size(); ++j) {
            const auto& p = grid[i][j];
            if (!inside(p))
                continue;
            if (i + 1 < grid.size() && inside(grid[i + 1][j]))
                d.branches.push_back(crackLine(rng, p, std::atan2(grid[i + 1][j].t - p.t, grid[i + 1][j].s - p.s),
                                               std::hypot(grid[i + 1][j].t - p.t, grid[i + 1][j].s - p.s)));
            if (j + 1 < grid[i].size() && inside(grid[i][j + 1]))
                d.branches.push_back(crackLine(rng, p, std::atan2(grid[i][j + 1].t - p.t, grid[i][j + 1].s - p.s),
                                               std::hypot(grid[i][j + 1].t - p.t, grid[i][j + 1].s - p.s)));
        }
    return d;
}

Damage makePothole(Rng& rng, const RoadLayout& layout, double s, double t)
{
    Damage d;
    d.class_code = "D40";
    const int level = int(uniform(rng, 0, 3));
    const double extent = level == 0 ? uniform(rng, 0.28, 0.40) : level == 1 ? uniform(rng, 0.50, 0.70) : uniform(rng, 0.80, 1.1);
    const double r = extent / 2 / 1.1;
    d.outline = blobOutline(rng, {s, t}, r * uniform(rng, 0.9, 1.2), r * uniform(rng, 0.85, 1.1), 24, 0.15);
    d.depth_m = uniform(rng, 0.04, 0.12);
    d.area_m2 = worldArea(layout, d.outline);
    d.length_m = worldExtent(layout, d.outline);
    d.severity = potholeSeverity(d.length_m);
    return d;
}

// A defect of class `cls` centred `s` along the road, in the lanes where that class occurs.
Damage makeDamageAt(Rng& rng, const RoadLayout& layout, const std::string& cls, double s)
{
    // Mostly in the driving (right) lane, where the camera sees best; some in the other.
    const bool own_lane = uniform(rng, 0, 1) < 0.8;
    double t = own_lane ? uniform(rng, 0.6, 2.9) : uniform(rng, -2.9, -0.6);
    if (cls == "D00")
        t = own_lane ? (rng() % 2 ? 0.85 : 2.65) + uniform(rng, -0.25, 0.25) : -1.75 + uniform(rng, -0.9, 0.9);
    if (cls == "D10")
        t = own_lane ? 1.75 : -1.75;
    Damage d = cls == "D20" ? makeAlligator(rng, layout, s, t)
               : cls == "D40" ? makePothole(rng, layout, s, t)
                              : makeCrack(rng, layout, cls, s, t);
    bounds(d);
    return d;
}

// Never on a manhole or a patch.
bool clearOfTraps(const RoadScene& scene, const Damage& d)
{
    for (const auto& m : scene.manholes)
        if (m.centre.s >= d.s_min - 1.0 && m.centre.s <= d.s_max + 1.0)
            return false;
    for (const auto& p : scene.patches)
        if (p.s1 >= d.s_min - 0.5 && p.s0 <= d.s_max + 0.5)
            return false;
    return true;
}

RoadPoint centreOf(const Damage& d)
{
    const RoadLine& pts = d.outline.empty() ? d.line : d.outline;
    RoadPoint c;
    for (const auto& p : pts)
        c.s += p.s / double(pts.size()), c.t += p.t / double(pts.size());
    return c;
}

void scaleAbout(RoadLine& line, const RoadPoint& c, double factor)
{
    for (auto& p : line)
        p = {c.s + (p.s - c.s) * factor, c.t + (p.t - c.t) * factor};
}

// A year or more of traffic and frost: cracks get longer at both ends and open wider, alligator
// areas spread, potholes widen and deepen. Growth is at least 40 % in length or area, so that it
// stands out from measurement noise; severity follows the measures.
void grow(Rng& rng, const RoadLayout& layout, Damage& d)
{
    if (d.class_code == "D00" || d.class_code == "D10") {
        const double extra = d.length_m * uniform(rng, 0.45, 0.8) / 2;
        auto direction = [](const RoadPoint& from, const RoadPoint& to) { return std::atan2(to.t - from.t, to.s - from.s); };
        const size_t n = d.line.size(), k = std::min<size_t>(10, n - 1);
        RoadLine tail = crackLine(rng, d.line.back(), direction(d.line[n - 1 - k], d.line.back()), extra);
        RoadLine head = crackLine(rng, d.line.front(), direction(d.line[k], d.line.front()), extra);
        RoadLine grown(head.rbegin(), head.rend());
        grown.insert(grown.end(), d.line.begin() + 1, d.line.end());
        grown.insert(grown.end(), tail.begin() + 1, tail.end());
        d.line = std::move(grown);
        d.width_mm = std::min(65.0, d.width_mm * uniform(rng, 1.3, 1.8));
        d.length_m = worldLength(layout, d.line);
        d.severity = crackSeverity(d.width_mm);
    } else {
        const double factor = d.class_code == "D20" ? std::sqrt(uniform(rng, 1.5, 2.2)) : uniform(rng, 1.35, 1.7);
        const RoadPoint c = centreOf(d);
        scaleAbout(d.outline, c, factor);
        for (auto& b : d.branches)
            scaleAbout(b, c, factor);
        d.area_m2 = worldArea(layout, d.outline);
        if (d.class_code == "D20") {
            d.severity = alligatorSeverity(d.area_m2);
        } else {
            d.depth_m = std::min(0.15, d.depth_m * 1.2);
            d.length_m = worldExtent(layout, d.outline);
            d.severity = potholeSeverity(d.length_m);
        }
    }
    bounds(d);
}

} // namespace

RoadScene RoadScene::build(uint64_t seed, const RoadLayout& layout, double s_begin, double s_end,
                           double damage_per_km, bool clean)
{
    RoadScene scene;
    Rng traps(seed * 31 + 5);
    const double length = s_end - s_begin;
    // Traps, per 100 m: a sealed transverse joint, a patch, a manhole, two oil stains, shadows.
    for (double s = s_begin + uniform(traps, 5, 25); s < s_end; s += uniform(traps, 45, 80))
        scene.joints.push_back({{{s, -kLaneWidth}, {s + uniform(traps, -0.3, 0.3), kLaneWidth}}});
    for (double s = s_begin + uniform(traps, 20, 40); s < s_end; s += uniform(traps, 70, 130)) {
        const double len = uniform(traps, 25, 50);
        scene.joints.push_back({{{s, 0.18}, {s + len, 0.18}}}); // longitudinal seam near the centre
    }
    for (double s = s_begin + uniform(traps, 10, 40); s < s_end; s += uniform(traps, 60, 110)) {
        const double t0 = uniform(traps, -3.0, 1.5);
        scene.patches.push_back({s, s + uniform(traps, 1.2, 3.0), t0, std::min(3.3, t0 + uniform(traps, 0.9, 2.4)),
                                 int(uniform(traps, -14, 14))});
    }
    for (double s = s_begin + uniform(traps, 15, 45); s < s_end; s += uniform(traps, 55, 95))
        scene.manholes.push_back({{s, uniform(traps, -2.6, 2.6)}, uniform(traps, 0.3, 0.36)});
    for (double s = s_begin + uniform(traps, 5, 30); s < s_end; s += uniform(traps, 30, 60))
        scene.stains.push_back({{s, (traps() % 2 ? 1.75 : -1.75) + uniform(traps, -0.5, 0.5)}, uniform(traps, 0.2, 0.5),
                                uniform(traps, 0.12, 0.3), uniform(traps, 0, M_PI)});
    for (double s = s_begin + uniform(traps, 0, 20); s < s_end; s += uniform(traps, 18, 40)) {
        Shadow shadow;
        if (traps() % 3 == 0) { // a pole's shadow: a long thin bar across the road
            const double angle = uniform(traps, 0.9, 1.4), len = uniform(traps, 7, 11), w = uniform(traps, 0.1, 0.18);
            const RoadPoint a{s, -5.5}, b{s + len * std::cos(angle), -5.5 + len * std::sin(angle)};
            const double ns = -std::sin(angle) * w / 2, nt = std::cos(angle) * w / 2;
            shadow.polygons.push_back({{a.s + ns, a.t + nt}, {b.s + ns, b.t + nt}, {b.s - ns, b.t - nt}, {a.s - ns, a.t - nt}});
        } else { // a tree's shadow: overlapping blobs reaching in from a side
            const double side = traps() % 2 ? 1 : -1;
            const RoadPoint base{s, side * uniform(traps, 3.0, 6.5)};
            for (int k = 0; k < 4; ++k)
                shadow.polygons.push_back(blobOutline(traps, {base.s + uniform(traps, -1.5, 1.5), base.t + uniform(traps, -1.5, 1.5)},
                                                      uniform(traps, 0.8, 1.8), uniform(traps, 0.8, 1.8), 20, 0.2));
        }
        scene.shadows.push_back(std::move(shadow));
    }
    if (clean)
        return scene;

    // Damage: the four scored classes in equal numbers, at least 6 m apart along the road, so
    // that every defect is unambiguous for scoring; never on a manhole or a patch.
    Rng rng(seed * 104729 + 3);
    const int count = std::max(4, int(std::lround(length / 1000.0 * damage_per_km)));
    const char* classes[] = {"D00", "D10", "D20", "D40"};
    std::vector<std::string> order;
    for (int i = 0; i < count; ++i)
        order.push_back(classes[i % 4]);
    std::shuffle(order.begin(), order.end(), rng);
    const double first = s_begin + 12, slot = (s_end - 4 - first) / count;
    for (int i = 0; i < count; ++i) {
        const std::string& cls = order[size_t(i)];
        Damage d;
        for (int attempt = 0; attempt < 20; ++attempt) {
            const double s = first + slot * (i + uniform(rng, 0.15, 0.85 - std::min(0.6, 6.0 / slot)));
            d = makeDamageAt(rng, layout, cls, s);
            if (clearOfTraps(scene, d))
                break;
        }
        d.id = i + 1;
        scene.damages.push_back(std::move(d));
    }
    std::sort(scene.damages.begin(), scene.damages.end(), [](const Damage& a, const Damage& b) { return a.s_min < b.s_min; });
    for (size_t i = 0; i < scene.damages.size(); ++i)
        scene.damages[i].id = int(i) + 1;
    return scene;
}

void RoadScene::evolve(uint64_t seed, int step, int years, const RoadLayout& layout, double s_begin, double s_end)
{
    Rng rng(seed * 6151 + uint64_t(step) * 977 + 29);
    const double p_repaired = std::min(0.45, 0.12 * years), p_grown = std::min(0.55, 0.2 * years);
    repaired.clear();
    std::vector<Damage> kept;
    for (auto& d : damages) {
        const double u = uniform(rng, 0, 1);
        d.previous_id = d.id;
        if (u < p_repaired) {
            // Cut out and filled: a patch a little larger than the defect, fresher than the road.
            double t0 = 1e9, t1 = -1e9;
            for (const RoadLine* l : {&d.line, &d.outline})
                for (const auto& p : *l)
                    t0 = std::min(t0, p.t), t1 = std::max(t1, p.t);
            patches.push_back({d.s_min - uniform(rng, 0.3, 0.6), d.s_max + uniform(rng, 0.3, 0.6),
                               std::max(-3.4, t0 - uniform(rng, 0.25, 0.5)), std::min(3.3, t1 + uniform(rng, 0.25, 0.5)),
                               int(uniform(rng, 6, 16)) * (rng() % 4 ? -1 : 1)});
            d.change = "repaired";
            repaired.push_back(std::move(d));
            continue;
        }
        if (u < p_repaired + p_grown) {
            grow(rng, layout, d);
            d.change = "grown";
        } else {
            d.change = "unchanged";
        }
        kept.push_back(std::move(d));
    }
    damages = std::move(kept);

    // New defects, in the gaps: at least 6 m from any other, never on a manhole or a patch.
    const int before = int(damages.size() + repaired.size());
    const int added = years > 0 ? std::max(1, int(std::lround(before * std::min(0.6, 0.15 * years)))) : 0;
    const char* classes[] = {"D00", "D10", "D20", "D40"};
    for (int i = 0, attempts = 0; i < added && attempts < 400; ++attempts) {
        const std::string cls = classes[rng() % 4];
        Damage d = makeDamageAt(rng, layout, cls, uniform(rng, s_begin + 12, s_end - 6));
        bool clear = clearOfTraps(*this, d);
        for (const auto& other : damages)
            clear = clear && (other.s_max < d.s_min - 6 || other.s_min > d.s_max + 6);
        if (!clear)
            continue;
        d.change = "new";
        damages.push_back(std::move(d));
        ++i;
    }
    std::sort(damages.begin(), damages.end(), [](const Damage& a, const Damage& b) { return a.s_min < b.s_min; });
    for (size_t i = 0; i < damages.size(); ++i)
        damages[i].id = int(i) + 1;
}

} // namespace voirie::sample
