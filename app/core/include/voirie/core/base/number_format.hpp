// A number with a fixed count of decimals, for the sentences Voirie writes ("0.4 s", "12 degrees").
#pragma once

#include <sstream>
#include <string>

namespace voirie {

inline std::string fixedDecimals(double value, int decimals)
{
    std::ostringstream out;
    out.precision(decimals);
    out << std::fixed << value;
    return out.str();
}

} // namespace voirie
