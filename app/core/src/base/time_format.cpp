#include "voirie/core/base/time_format.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <regex>

namespace voirie {

double unixFromUtc(int year, int month, int day, int hour, int minute, double second)
{
    // Days from civil (Howard Hinnant's algorithm): exact for the proleptic Gregorian calendar.
    year -= month <= 2;
    const long era = (year >= 0 ? year : year - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(year - era * 400);
    const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const long days = era * 146097 + static_cast<long>(doe) - 719468;
    return double(days) * 86400.0 + hour * 3600.0 + minute * 60.0 + second;
}

std::optional<double> parseIso8601(const std::string& text)
{
    static const std::regex pattern(
        R"(\s*(\d{4})[-:](\d{2})[-:](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}(?:[.,]\d+)?))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*)",
        std::regex::icase);
    std::smatch m;
    if (!std::regex_match(text, m, pattern))
        return std::nullopt;
    const int year = std::stoi(m[1]), month = std::stoi(m[2]), day = std::stoi(m[3]);
    const int hour = m[4].matched ? std::stoi(m[4]) : 0, minute = m[5].matched ? std::stoi(m[5]) : 0;
    double second = 0;
    if (m[6].matched) {
        std::string s = m[6];
        for (auto& c : s)
            if (c == ',')
                c = '.';
        second = std::stod(s);
    }
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second >= 61)
        return std::nullopt;
    double t = unixFromUtc(year, month, day, hour, minute, second);
    if (m[7].matched && m[7] != "Z" && m[7] != "z") {
        const std::string zone = m[7];
        const int sign = zone[0] == '-' ? -1 : 1;
        const int zh = std::stoi(zone.substr(1, 2));
        const int zm = zone.size() > 3 ? std::stoi(zone.substr(zone.size() - 2)) : 0;
        t -= sign * (zh * 3600.0 + zm * 60.0);
    }
    return t;
}

std::string formatIso8601(double unix_seconds)
{
    const double whole = std::floor(unix_seconds);
    int millis = static_cast<int>(std::lround((unix_seconds - whole) * 1000.0));
    std::time_t seconds = static_cast<std::time_t>(whole);
    if (millis == 1000) {
        millis = 0;
        ++seconds;
    }
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[96];
    std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
    return text;
}

} // namespace voirie
