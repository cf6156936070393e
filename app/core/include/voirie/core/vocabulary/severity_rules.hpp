// Severity L/M/H from measured quantities, in the spirit of ASTM D6433 severity levels. The same
// rules classify generated ground truth and analysed damage, so they agree by construction.
//
//   cracks D00/D10 (mean width):   L < 10 mm <= M < 40 mm <= H      (ASTM: L < 10 mm, M 10-76 mm)
//   alligator D20 (area):          L < 1.5 m2 <= M < 4 m2 <= H
//   pothole D40 (largest extent):  L < 0.45 m <= M < 0.75 m <= H    (ASTM diameter bands)
#pragma once

#include "voirie/core/vocabulary/detection.hpp"

#include <optional>
#include <string>

namespace voirie {

Severity crackSeverity(double width_mm);
Severity alligatorSeverity(double area_m2);
Severity potholeSeverity(double largest_extent_m);
// The rule above for a damage class from its measures: nothing for a class without one, Unknown
// for a crack whose width was not measured.
std::optional<Severity> measuredSeverity(const std::string& class_code, std::optional<double> width_mm, double area_m2,
                                         double largest_extent_m);

std::string severityCode(Severity s); // "L", "M", "H", "" for unknown
Severity severityFromCode(const std::string& code);

} // namespace voirie
