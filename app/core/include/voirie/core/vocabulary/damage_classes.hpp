// The damage vocabulary: RDD2022 codes, so models trained on the public dataset plug in directly.
#pragma once

#include <array>
#include <string_view>

namespace voirie {

struct DamageClass {
    std::string_view code;
    std::string_view name;
    std::string_view colour; // #rrggbb, the same in QGIS styles, the app and reports
};

inline constexpr std::array<DamageClass, 8> kDamageClasses{{
    {"D00", "longitudinal crack", "#1f78b4"},
    {"D10", "transverse crack", "#6a3d9a"},
    {"D20", "alligator crack", "#ff7f00"},
    {"D40", "pothole", "#e31a1c"},
    {"D43", "faded crosswalk", "#b2df8a"},
    {"D44", "faded line", "#33a02c"},
    {"D50", "manhole", "#737373"},
    {"repair", "repair", "#a6761d"},
}};

inline bool isKnownDamageClass(std::string_view code)
{
    for (const auto& c : kDamageClasses)
        if (c.code == code)
            return true;
    return false;
}

// What an anonymizer plugin finds: personal data to blur before any image leaves Voirie.
inline constexpr std::array<std::string_view, 4> kRegionKinds{"face", "plate", "person", "vehicle"};

inline bool isRegionKind(std::string_view kind)
{
    for (const auto& k : kRegionKinds)
        if (k == kind)
            return true;
    return false;
}

} // namespace voirie
