#include "voirie/core/campaign/defect_matching.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace voirie {
namespace {

double shapeDistance(const PlacedDefect& a, const PlacedDefect& b, double east, double north)
{
    if (!a.shape || !b.shape)
        return std::hypot(b.centre.x + east - a.centre.x, b.centre.y + north - a.centre.y);
    const auto moved = shifted(*b.shape, east, north);
    return a.shape->Distance(moved.get());
}

} // namespace

std::unique_ptr<OGRGeometry> shifted(const OGRGeometry& shape, double east_m, double north_m)
{
    std::unique_ptr<OGRGeometry> copy(shape.clone());
    translate(*copy, east_m, north_m);
    return copy;
}

namespace {

template <typename OffsetAt>
std::vector<DefectPair> matchWith(const std::vector<PlacedDefect>& first, const std::vector<PlacedDefect>& second,
                                  OffsetAt offset_at, double match_m, double class_penalty_m)
{
    std::vector<std::tuple<double, int, int, double>> candidates; // score, i, j, distance
    for (size_t i = 0; i < first.size(); ++i) {
        const MetricPoint o = offset_at(first[i].centre);
        for (size_t j = 0; j < second.size(); ++j) {
            // Cheap reject on the centres first: shapes are at most tens of metres long.
            const double centre = std::hypot(second[j].centre.x + o.x - first[i].centre.x, second[j].centre.y + o.y - first[i].centre.y);
            if (centre > match_m + 30)
                continue;
            const double d = shapeDistance(first[i], second[j], o.x, o.y);
            if (d > match_m)
                continue;
            const double penalty = first[i].class_code == second[j].class_code ? 0 : class_penalty_m;
            // Ties (touching shapes) are broken by the centres' distance.
            candidates.emplace_back(d + penalty + 1e-3 * centre, int(i), int(j), d);
        }
    }
    std::sort(candidates.begin(), candidates.end());
    std::vector<bool> used_first(first.size()), used_second(second.size());
    std::vector<DefectPair> pairs;
    for (const auto& [score, i, j, d] : candidates) {
        if (used_first[size_t(i)] || used_second[size_t(j)])
            continue;
        used_first[size_t(i)] = used_second[size_t(j)] = true;
        pairs.push_back({i, j, d});
    }
    return pairs;
}

} // namespace

std::vector<DefectPair> matchDefects(const std::vector<PlacedDefect>& first, const std::vector<PlacedDefect>& second,
                                     const DefectOffset& offset, double match_m, double class_penalty_m)
{
    const MetricPoint o{offset.east_m, offset.north_m};
    return matchWith(first, second, [&](const MetricPoint&) { return o; }, match_m, class_penalty_m);
}

std::vector<DefectPair> matchDefects(const std::vector<PlacedDefect>& first, const std::vector<PlacedDefect>& second,
                                     const LocalOffset& offset, double match_m, double class_penalty_m)
{
    return matchWith(first, second, [&](const MetricPoint& p) { return offset.at(p); }, match_m, class_penalty_m);
}

void matchLeftovers(const std::vector<PlacedDefect>& first, const std::vector<PlacedDefect>& second,
                    const LocalOffset& offset, double reach_m, std::vector<DefectPair>& pairs)
{
    std::vector<bool> used_first(first.size()), used_second(second.size());
    for (const auto& p : pairs)
        used_first[size_t(p.first)] = used_second[size_t(p.second)] = true;
    auto distance = [&](size_t i, size_t j) {
        const MetricPoint o = offset.at(first[i].centre);
        return shapeDistance(first[i], second[j], o.x, o.y);
    };
    auto nearest = [&](size_t i, bool from_first) {
        int best = -1;
        double best_d = reach_m;
        const size_t n = from_first ? second.size() : first.size();
        for (size_t k = 0; k < n; ++k) {
            const auto& [a, b] = from_first ? std::pair{i, k} : std::pair{k, i};
            if ((from_first ? used_second[k] : used_first[k]) || first[a].class_code != second[b].class_code)
                continue;
            if (const double d = distance(a, b); d <= best_d)
                best_d = d, best = int(k);
        }
        return std::pair{best, best_d};
    };
    for (size_t i = 0; i < first.size(); ++i) {
        if (used_first[i])
            continue;
        const auto [j, d] = nearest(i, true);
        if (j < 0 || nearest(size_t(j), false).first != int(i))
            continue;
        used_first[i] = used_second[size_t(j)] = true;
        pairs.push_back({int(i), j, d});
    }
}

LocalOffset::LocalOffset(const DefectOffset& global, const std::vector<PlacedDefect>& first,
                         const std::vector<PlacedDefect>& second, double sigma_m)
    : global_(global), sigma_m_(sigma_m)
{
    if (!global.estimated)
        return;
    for (const auto& p : matchDefects(first, second, global, 1.5, 1e9)) {
        const auto& a = first[size_t(p.first)];
        const auto& b = second[size_t(p.second)];
        if (a.class_code != b.class_code)
            continue;
        places_.push_back(a.centre);
        displacements_.push_back({a.centre.x - b.centre.x, a.centre.y - b.centre.y});
    }
}

MetricPoint LocalOffset::at(const MetricPoint& place) const
{
    double w_sum = 1, x = global_.east_m, y = global_.north_m; // the global offset weighs as one pair
    for (size_t k = 0; k < places_.size(); ++k) {
        const double d = std::hypot(places_[k].x - place.x, places_[k].y - place.y);
        const double w = std::exp(-d * d / (2 * sigma_m_ * sigma_m_));
        w_sum += w, x += w * displacements_[k].x, y += w * displacements_[k].y;
    }
    return {x / w_sum, y / w_sum};
}

DefectOffset offsetOfPairs(const std::vector<PlacedDefect>& first, const std::vector<PlacedDefect>& second,
                           const std::vector<DefectPair>& pairs, int min_pairs)
{
    std::vector<MetricPoint> moves; // same-class pairs only: a class change says little of where
    for (const auto& p : pairs) {
        const auto& a = first[size_t(p.first)];
        const auto& b = second[size_t(p.second)];
        if (a.class_code == b.class_code)
            moves.push_back({a.centre.x - b.centre.x, a.centre.y - b.centre.y});
    }
    DefectOffset out;
    if (int(moves.size()) < min_pairs)
        return out;
    double sx = 0, sy = 0;
    for (const auto& m : moves)
        sx += m.x, sy += m.y;
    const double n = double(moves.size());
    out.east_m = sx / n, out.north_m = sy / n;
    double squares = 0;
    for (const auto& m : moves)
        squares += std::pow(m.x - out.east_m, 2) + std::pow(m.y - out.north_m, 2);
    out.residual_m = std::sqrt(squares / n);
    out.supporting_pairs = int(moves.size());
    out.estimated = true;
    return out;
}

DefectOffset estimateOffset(const std::vector<PlacedDefect>& first, const std::vector<PlacedDefect>& second,
                            double search_m, int min_pairs)
{
    // Candidate displacements: same class, centres within search_m.
    std::vector<MetricPoint> votes;
    for (const auto& a : first)
        for (const auto& b : second)
            if (a.class_code == b.class_code && std::hypot(a.centre.x - b.centre.x, a.centre.y - b.centre.y) <= search_m)
                votes.push_back({a.centre.x - b.centre.x, a.centre.y - b.centre.y});
    DefectOffset best;
    int best_support = 0;
    double best_spread = 0;
    for (const auto& v : votes) {
        int support = 0;
        double spread = 0;
        for (const auto& w : votes)
            if (const double d = std::hypot(v.x - w.x, v.y - w.y); d <= 1.0)
                ++support, spread += d;
        if (support > best_support || (support == best_support && spread < best_spread)) {
            best_support = support, best_spread = spread;
            best.east_m = v.x, best.north_m = v.y;
        }
    }
    if (best_support < min_pairs)
        return {};
    // Refine: the mean displacement of the pairs the offset matches (the matching can change
    // once the offset has moved).
    for (int round = 0; round < 3; ++round) {
        const DefectOffset refined = offsetOfPairs(first, second, matchDefects(first, second, best, 3.0, 1e9), min_pairs);
        if (!refined.estimated)
            break;
        best = refined;
    }
    if (!best.estimated) { // the vote alone: no refinement found enough pairs
        best.supporting_pairs = best_support;
        best.estimated = true;
    }
    return best;
}

} // namespace voirie
