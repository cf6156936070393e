#include "voirie/core/rating/condition_rating.hpp"

#include "voirie/core/project/qgis_styles.hpp"

#include <algorithm>
#include <cmath>

namespace voirie {

void SegmentDamage::add(const std::string& class_code, Severity severity, double amount)
{
    if (severity == Severity::Unknown)
        severity = Severity::Low; // unmeasured damage still counts, at the mildest level
    quantity[class_code][size_t(int(severity) - 1)] += amount;
}

SegmentRating rateSegment(const RatingScheme& scheme, const SegmentDamage& damage, double surveyed_area_m2)
{
    SegmentRating rating;
    for (const auto& rule : scheme.classes) {
        auto it = damage.quantity.find(rule.class_code);
        if (it == damage.quantity.end() || surveyed_area_m2 <= 0)
            continue;
        ClassDeduct best{rule.class_code, Severity::Unknown, 0, 0};
        double at_least = 0; // quantity at this severity or worse
        for (int s = 2; s >= 0; --s) {
            at_least += it->second[size_t(s)];
            if (at_least <= 0)
                continue;
            const double density = at_least / surveyed_area_m2 * 100.0;
            const double deduct = rule.deducts[size_t(s)].at(density);
            if (deduct > best.deduct)
                best = {rule.class_code, Severity(s + 1), density, deduct};
        }
        if (best.deduct > 0)
            rating.deducts.push_back(best);
    }
    std::sort(rating.deducts.begin(), rating.deducts.end(),
              [](const ClassDeduct& a, const ClassDeduct& b) { return a.deduct > b.deduct; });
    for (size_t i = 0; i < rating.deducts.size(); ++i)
        rating.combined_deduct += rating.deducts[i].deduct * scheme.weights[std::min(i, scheme.weights.size() - 1)];
    const double span = scheme.index_max - scheme.index_min;
    rating.index = scheme.index_max - span * std::min(100.0, rating.combined_deduct) / 100.0;
    if (scheme.integer_index)
        rating.index = std::round(rating.index);
    rating.index = std::clamp(rating.index, scheme.index_min, scheme.index_max);
    rating.band = scheme.grades.back();
    for (const auto& band : scheme.grades)
        if (rating.index >= band.min_index) {
            rating.band = band;
            break;
        }
    return rating;
}

std::string gradeColour(size_t band, size_t bands)
{
    static const char* const ramp[] = {"#1a9641", "#a6d96a", "#ffffbf", "#fdae61", "#d7191c"};
    if (bands <= 1)
        return ramp[0];
    const size_t i = std::min<size_t>(4, (std::min(band, bands - 1) * 4 + (bands - 1) / 2) / (bands - 1));
    return ramp[i];
}

size_t bandIndex(const RatingScheme& scheme, const std::string& grade)
{
    for (size_t i = 0; i < scheme.grades.size(); ++i)
        if (scheme.grades[i].grade == grade)
            return i;
    return scheme.grades.size();
}

std::string segmentStyleQml(const RatingScheme& scheme)
{
    std::vector<StyleCategory> bands;
    for (size_t i = 0; i < scheme.grades.size(); ++i) {
        const auto& band = scheme.grades[i];
        bands.push_back({band.grade, "grade " + band.grade + (band.label.empty() ? "" : " " + band.label),
                         gradeColour(i, scheme.grades.size())});
    }
    return categorisedLineStyleQml("grade", bands, 2.2);
}

} // namespace voirie
