// Which defect of one survey is which defect of another: the GPS offset between the two surveys
// estimated from the defects themselves (point-set registration: consumer receivers are metres
// off from one day to the next, and the same defect must be recognised all the same), then a
// one-to-one matching of defects, closest pairs first. Used by `voirie compare` (two campaigns)
// and `voirie merge` (drives of one campaign).
#pragma once

#include "voirie/core/geo/local_metric_frame.hpp"

#include <ogr_geometry.h>

#include <memory>
#include <string>
#include <vector>

namespace voirie {

// A defect in a local metric frame: its shape and class (measures stay with the caller).
struct PlacedDefect {
    std::string class_code;
    std::shared_ptr<const OGRGeometry> shape; // metres east/north in the shared frame
    MetricPoint centre;
};

struct DefectOffset {
    double east_m = 0, north_m = 0; // add to the second survey's positions to bring them onto the first's
    int supporting_pairs = 0;       // pairs that agreed on it
    double residual_m = 0;          // RMS distance of those pairs after removing it
    bool estimated = false;         // false: too few common defects; the offset is zero
};

// Robust: every pair of same-class defects within `search_m` votes for its displacement; the
// displacement most pairs agree on (within 1 m) wins, then it is refined as the mean
// displacement of the centres of the one-to-one matches (within 3 m) it yields. At least
// `min_pairs` pairs must agree, else no offset is estimated.
DefectOffset estimateOffset(const std::vector<PlacedDefect>& first, const std::vector<PlacedDefect>& second,
                            double search_m = 8.0, int min_pairs = 3);

struct DefectPair;
// The mean displacement of the centres of `pairs` of one class (and its RMS residual): the
// offset once the matching is done. Not estimated below `min_pairs`.
DefectOffset offsetOfPairs(const std::vector<PlacedDefect>& first, const std::vector<PlacedDefect>& second,
                           const std::vector<DefectPair>& pairs, int min_pairs = 3);

struct DefectPair {
    int first = -1, second = -1;
    double distance_m = 0; // between the shapes after the offset (0 when they touch)
};

// The offset near each place: a receiver's error wanders over minutes, so two surveys' offset is
// not the same along a whole street. The global offset, refined near a place by the pairs it
// matched within about `sigma_m` (Gaussian weights; the global offset weighs as one pair).
class LocalOffset {
public:
    LocalOffset(const DefectOffset& global, const std::vector<PlacedDefect>& first,
                const std::vector<PlacedDefect>& second, double sigma_m = 50.0);
    MetricPoint at(const MetricPoint& place_in_first) const;

private:
    DefectOffset global_;
    std::vector<MetricPoint> places_, displacements_;
    double sigma_m_;
};

// One-to-one: pairs whose shapes lie within `match_m` after shifting `second` by `offset`,
// closest first; a pair of different classes counts `class_penalty_m` farther (a crack a
// detector called longitudinal once and transverse the next time is still the same crack).
std::vector<DefectPair> matchDefects(const std::vector<PlacedDefect>& first, const std::vector<PlacedDefect>& second,
                                     const DefectOffset& offset, double match_m, double class_penalty_m = 0.5);
// The same with the offset near each defect of `first`.
std::vector<DefectPair> matchDefects(const std::vector<PlacedDefect>& first, const std::vector<PlacedDefect>& second,
                                     const LocalOffset& offset, double match_m, double class_penalty_m = 0.5);

// A second look at what `pairs` left unmatched: a defect of `first` and one of `second` of the
// same class, each the other's nearest unmatched one, within `reach_m`, are one defect (a
// position off by more than the match distance, not a repair next to a new defect of the
// same kind). Appends them to `pairs`.
void matchLeftovers(const std::vector<PlacedDefect>& first, const std::vector<PlacedDefect>& second,
                    const LocalOffset& offset, double reach_m, std::vector<DefectPair>& pairs);

// The shape moved by (east, north) metres.
std::unique_ptr<OGRGeometry> shifted(const OGRGeometry& shape, double east_m, double north_m);

} // namespace voirie
