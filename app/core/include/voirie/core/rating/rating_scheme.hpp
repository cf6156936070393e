// A road condition rating scheme: a small declarative JSON file (app/core/schemes/ ships
// pci-proxy and paser-like; users copy and edit them). What it declares:
//   "index": {"min", "max", "integer"}       the index range, best = max
//   "classes": {CODE: {"quantity": "length_m" | "area_m2" | "count",
//                      "deducts": {"L"|"M"|"H": [[density_percent, deduct], ...]}}}
//   "combine": {"weights": [w1, w2, ...]}    class deducts, largest first, times w1, w2, ... (the
//                                             last weight repeats); non-increasing weights
//   "grades": [{"min", "grade", "label", "treatment"}, ...]  bands, the first whose min <= index
// Density = quantity / surveyed area x 100 (length in m or count per 100 m2 of lane, or area
// share in percent). Deduct curves are read linearly in log10(density) between their points,
// linearly from 0 below the first point, flat beyond the last; deducts are on a 0-100 scale.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/vocabulary/detection.hpp"

#include <array>
#include <string>
#include <vector>

namespace voirie {

enum class RatedQuantity { LengthM, AreaM2, Count };

struct DeductCurve {
    std::vector<std::pair<double, double>> points; // (density %, deduct), density increasing
    double at(double density_percent) const;
};

struct ClassRule {
    std::string class_code;
    RatedQuantity quantity = RatedQuantity::Count;
    std::array<DeductCurve, 3> deducts; // L, M, H
};

struct GradeBand {
    double min_index = 0;
    std::string grade, label, treatment;
};

struct RatingScheme {
    std::string name, title, description;
    double index_min = 0, index_max = 100;
    bool integer_index = false;
    std::vector<double> weights;
    std::vector<ClassRule> classes;
    std::vector<GradeBand> grades; // sorted by min_index, best band first
    std::string source;            // where it came from: "built-in" or the file
    std::string text;              // the scheme as read, for the provenance
};

// Validates everything above; each problem is one sentence naming the origin and the key.
Result<RatingScheme> parseRatingScheme(const std::string& text, const std::string& origin);

// A built-in scheme by name, else a file path.
Result<RatingScheme> loadRatingScheme(const std::string& name_or_file);

std::vector<std::string> builtinRatingSchemes();
// The text of a built-in scheme (to copy and edit), empty when there is none of that name.
std::string builtinRatingSchemeText(const std::string& name);

} // namespace voirie
