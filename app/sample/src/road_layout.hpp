// The synthetic road: a smooth centreline of straights and circular arcs in a local metric frame,
// and the mapping between road coordinates (s: metres along the centreline, t: metres to the right
// of it) and world coordinates (x east, y north).
#pragma once

#include <cstdint>
#include <vector>

namespace voirie::sample {

struct WorldPoint {
    double x = 0, y = 0;
};

struct RoadPoint {
    double s = 0, t = 0;
};

class RoadLayout {
public:
    // Builds at least `length_m` of road from the seed: straights of 40-90 m and arcs of
    // 90-220 m radius turning 12-40 degrees, alternating left and right.
    RoadLayout(uint64_t seed, double length_m, double start_heading_deg);

    double length() const { return double(x_.size() - 1) * kStep; }
    WorldPoint toWorld(const RoadPoint& p) const;
    // Nearest road coordinates of a world point, searching from a hint index (fast when the hint
    // is close, as it is for neighbouring pixels).
    RoadPoint toRoad(const WorldPoint& w, int& hint) const;
    // Heading of the centreline at s, degrees clockwise from north.
    double headingAt(double s) const;
    double curvatureAt(double s) const; // 1/m, positive turning right
    int indexOf(double s) const;

    static constexpr double kStep = 0.25; // metres between centreline samples

private:
    std::vector<double> x_, y_, heading_, curvature_; // heading in radians
};

} // namespace voirie::sample
