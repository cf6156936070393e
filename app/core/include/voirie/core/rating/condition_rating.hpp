// The condition index of one road segment under a rating scheme (rating_scheme.hpp).
//
// For each class the scheme rates: the quantity of damage at each severity *or worse* gives a
// density per severity, each severity's curve gives a deduct at that density, and the class
// deduct is the largest of the three. (Counting worse damage into the milder levels makes the
// index monotone: more damage, or the same damage rated more severe, never raises it.) The class
// deducts, largest first, are combined with the scheme's non-increasing weights; the index is
//   max - (max - min) x min(100, combined) / 100, rounded when the scheme rates in whole numbers,
// and its grade the first band whose minimum it reaches.
#pragma once

#include "voirie/core/rating/rating_scheme.hpp"

#include <map>
#include <string>
#include <vector>

namespace voirie {

// Quantities of damage in one segment: per class, per severity L/M/H, in the unit the scheme
// rates the class in (metres, square metres or a count).
struct SegmentDamage {
    std::map<std::string, std::array<double, 3>> quantity;
    void add(const std::string& class_code, Severity severity, double amount);
};

struct ClassDeduct {
    std::string class_code;
    Severity worst = Severity::Unknown; // the severity whose curve gave the deduct
    double density_percent = 0;
    double deduct = 0;
};

struct SegmentRating {
    double index = 0;
    double combined_deduct = 0;
    GradeBand band;
    std::vector<ClassDeduct> deducts; // largest first
};

SegmentRating rateSegment(const RatingScheme& scheme, const SegmentDamage& damage, double surveyed_area_m2);

// The colour of grade band `band` (0 = best) out of `bands`, "#rrggbb": green through yellow to
// red (ColorBrewer RdYlGn), the same in QGIS styles, reports and the map.
std::string gradeColour(size_t band, size_t bands);
size_t bandIndex(const RatingScheme& scheme, const std::string& grade); // bands.size() when unknown

// The QGIS style of the segments layer: lines by grade band colour, labelled with the bands.
std::string segmentStyleQml(const RatingScheme& scheme);

} // namespace voirie
