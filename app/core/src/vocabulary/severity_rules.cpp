#include "voirie/core/vocabulary/severity_rules.hpp"

namespace voirie {

Severity crackSeverity(double width_mm)
{
    return width_mm < 10 ? Severity::Low : width_mm < 40 ? Severity::Medium : Severity::High;
}

Severity alligatorSeverity(double area_m2)
{
    return area_m2 < 1.5 ? Severity::Low : area_m2 < 4.0 ? Severity::Medium : Severity::High;
}

Severity potholeSeverity(double largest_extent_m)
{
    return largest_extent_m < 0.45 ? Severity::Low : largest_extent_m < 0.75 ? Severity::Medium : Severity::High;
}

std::optional<Severity> measuredSeverity(const std::string& class_code, std::optional<double> width_mm, double area_m2,
                                         double largest_extent_m)
{
    if (class_code == "D00" || class_code == "D10")
        return width_mm ? crackSeverity(*width_mm) : Severity::Unknown;
    if (class_code == "D20")
        return alligatorSeverity(area_m2);
    if (class_code == "D40")
        return potholeSeverity(largest_extent_m);
    return std::nullopt;
}

std::string severityCode(Severity s)
{
    switch (s) {
    case Severity::Low: return "L";
    case Severity::Medium: return "M";
    case Severity::High: return "H";
    default: return "";
    }
}

Severity severityFromCode(const std::string& code)
{
    if (code == "L")
        return Severity::Low;
    if (code == "M")
        return Severity::Medium;
    if (code == "H")
        return Severity::High;
    return Severity::Unknown;
}

} // namespace voirie
