// Text placed into HTML (KML descriptions, reports): the characters HTML gives meaning escaped.
#pragma once

#include <string>

namespace voirie {

inline std::string htmlEscaped(const std::string& s)
{
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

} // namespace voirie
