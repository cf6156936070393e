// One GPS fix as read from a track file, before cleaning.
#pragma once

#include <optional>

namespace voirie {

struct GpsFix {
    double time = 0; // UTC Unix seconds
    double lon = 0, lat = 0;
    std::optional<double> hdop;
};

} // namespace voirie
