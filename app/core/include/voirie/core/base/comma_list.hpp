// Comma-separated lists of names, as projects store the plugins that saw a damage ("cracks,potholes").
#pragma once

#include <string>

namespace voirie {

// Every name of `a`, then those of `b` not in `a`, once each, spaces around them trimmed:
// "cracks, potholes" and "potholes,road-segnet" -> "cracks,potholes,road-segnet".
std::string joinCommaLists(const std::string& a, const std::string& b);

} // namespace voirie
