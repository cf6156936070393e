// UTC times as Unix seconds (double), parsed from and printed as ISO 8601.
#pragma once

#include "voirie/core/base/result.hpp"

#include <optional>
#include <string>

namespace voirie {

// "2026-05-04T10:20:30.5Z", "2026-05-04 10:20:30+02:00", "2026-05-04T10:20:30" (taken as UTC),
// "2026:05:04 10:20:30" (EXIF) -> Unix seconds.
std::optional<double> parseIso8601(const std::string& text);

// Unix seconds -> "2026-05-04T10:20:30.500Z" (milliseconds).
std::string formatIso8601(double unix_seconds);

// A UTC calendar time -> Unix seconds (no time zone lookup).
double unixFromUtc(int year, int month, int day, int hour, int minute, double second);

} // namespace voirie
