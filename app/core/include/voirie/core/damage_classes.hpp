// The damage vocabulary: RDD2022 codes, so models trained on the public dataset plug in directly.
#pragma once

#include <array>
#include <string_view>

namespace voirie {

struct DamageClass {
    std::string_view code;
    std::string_view name;
};

inline constexpr std::array<DamageClass, 8> kDamageClasses{{
    {"D00", "longitudinal crack"},
    {"D10", "transverse crack"},
    {"D20", "alligator crack"},
    {"D40", "pothole"},
    {"D43", "faded crosswalk"},
    {"D44", "faded line"},
    {"D50", "manhole"},
    {"repair", "repair"},
}};

inline bool isKnownDamageClass(std::string_view code)
{
    for (const auto& c : kDamageClasses)
        if (c.code == code)
            return true;
    return false;
}

} // namespace voirie
