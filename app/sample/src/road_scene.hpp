// Everything painted on the road, in road coordinates: the damage (with its exact measurements,
// the ground truth) and the usual false-positive traps: lane markings, sealed joints, patches,
// manholes, oil stains and shadows.
#pragma once

#include "road_layout.hpp"

#include "voirie/core/vocabulary/detection.hpp"

#include <string>
#include <vector>

namespace voirie::sample {

using RoadLine = std::vector<RoadPoint>;

struct Damage {
    int id = 0;
    std::string class_code;  // D00 D10 D20 D40
    RoadLine line;           // cracks: the crack's centre line
    RoadLine outline;        // alligator and potholes: the outline polygon (open ring)
    std::vector<RoadLine> branches; // cracks: short branches; alligator: the cell network
    double width_mm = 0;     // cracks: mean opening; alligator: cell crack width
    double depth_m = 0;      // potholes
    Severity severity = Severity::Unknown;
    double length_m = 0;     // cracks: centre-line length; potholes: largest extent
    double area_m2 = 0;      // alligator and potholes
    double s_min = 0, s_max = 0;
    // After RoadScene::evolve: the id this defect had in the campaign before (0: new) and what
    // happened to it since ("new", "unchanged", "grown"); empty in a first campaign.
    int previous_id = 0;
    std::string change;
};

struct Manhole { RoadPoint centre; double radius; };
struct Patch { double s0, s1, t0, t1; int tone; };
struct OilStain { RoadPoint centre; double a, b, angle; };
struct Joint { RoadLine line; };
struct Shadow { std::vector<RoadLine> polygons; };

struct RoadScene {
    std::vector<Damage> damages;
    std::vector<Manhole> manholes;
    std::vector<Patch> patches;
    std::vector<OilStain> stains;
    std::vector<Joint> joints;
    std::vector<Shadow> shadows;

    // Places damage (unless `clean`) and traps between s_begin and s_end. Traps depend only on
    // the seed, so a --clean survey shows the same road without its damage.
    static RoadScene build(uint64_t seed, const RoadLayout& layout, double s_begin, double s_end,
                           double damage_per_km, bool clean);

    // The same road `years` later (campaign `step` of a series): some defects grew (longer,
    // wider, larger; severity follows), some were repaired (removed, a patch drawn in their
    // place), new ones appeared; the rest are unchanged. Deterministic for (seed, step, years).
    void evolve(uint64_t seed, int step, int years, const RoadLayout& layout, double s_begin, double s_end);
    std::vector<Damage> repaired; // the defects the last evolve() repaired, with their former ids
};

// Road cross-section (metres from the centre line, positive to the right).
inline constexpr double kLaneWidth = 3.5;
inline constexpr double kKerbOuter = 3.7;
inline constexpr double kSidewalkOuter = 6.0;

} // namespace voirie::sample
