#include "voirie/core/ingest/nmea_parser.hpp"

#include "voirie/core/base/time_format.hpp"

#include <cmath>
#include <map>
#include <sstream>

namespace voirie {
namespace {

bool checksumValid(const std::string& line, std::string& body)
{
    const auto star = line.rfind('*');
    if (line.empty() || line[0] != '$' || star == std::string::npos || star + 3 > line.size())
        return false;
    unsigned sum = 0;
    for (size_t i = 1; i < star; ++i)
        sum ^= static_cast<unsigned char>(line[i]);
    unsigned given = 0;
    try {
        given = static_cast<unsigned>(std::stoul(line.substr(star + 1, 2), nullptr, 16));
    } catch (...) {
        return false;
    }
    body = line.substr(1, star - 1);
    return sum == given;
}

std::vector<std::string> fields(const std::string& body)
{
    std::vector<std::string> out;
    std::stringstream s(body);
    std::string f;
    while (std::getline(s, f, ','))
        out.push_back(f);
    if (!body.empty() && body.back() == ',')
        out.emplace_back();
    return out;
}

// "4851.396" + "N" -> 48.8566; returns NaN when malformed.
double coordinate(const std::string& value, const std::string& hemisphere, int degree_digits)
{
    if (value.size() < size_t(degree_digits) + 2 || hemisphere.empty())
        return NAN;
    try {
        const double degrees = std::stod(value.substr(0, degree_digits));
        const double minutes = std::stod(value.substr(degree_digits));
        if (minutes >= 60)
            return NAN;
        double v = degrees + minutes / 60.0;
        if (hemisphere == "S" || hemisphere == "W")
            v = -v;
        else if (hemisphere != "N" && hemisphere != "E")
            return NAN;
        return v;
    } catch (...) {
        return NAN;
    }
}

// "102030.50" -> seconds of the day; NaN when malformed.
double timeOfDay(const std::string& hhmmss)
{
    if (hhmmss.size() < 6)
        return NAN;
    try {
        const int h = std::stoi(hhmmss.substr(0, 2)), m = std::stoi(hhmmss.substr(2, 2));
        const double s = std::stod(hhmmss.substr(4));
        if (h > 23 || m > 59 || s >= 61)
            return NAN;
        return h * 3600.0 + m * 60.0 + s;
    } catch (...) {
        return NAN;
    }
}

struct PendingGga {
    double seconds_of_day;
    double lon, lat, hdop;
    size_t order; // sentence index, to find the nearest RMC
};

} // namespace

bool looksLikeNmea(const std::string& head)
{
    std::stringstream s(head);
    std::string line;
    for (int i = 0; i < 20 && std::getline(s, line); ++i)
        if (line.size() > 6 && line[0] == '$' && (line.compare(3, 3, "RMC") == 0 || line.compare(3, 3, "GGA") == 0 ||
                                                  line.compare(3, 3, "GSA") == 0 || line.compare(3, 3, "GSV") == 0 ||
                                                  line.compare(3, 3, "VTG") == 0))
            return true;
    return false;
}

NmeaTrack parseNmea(const std::string& text)
{
    NmeaTrack track;
    std::map<double, GpsFix> by_time;              // keyed by Unix time: RMC and GGA merge here
    struct RmcDay {
        size_t order;    // sentence index in the log
        double midnight; // Unix time of 00:00 UTC that day
        double time_of_day;
    };
    std::vector<RmcDay> rmc_days;
    std::vector<PendingGga> ggas;
    std::stringstream s(text);
    std::string line;
    size_t order = 0;
    while (std::getline(s, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' '))
            line.pop_back();
        const auto dollar = line.find('$');
        if (dollar == std::string::npos)
            continue;
        line = line.substr(dollar);
        ++track.stats.sentences;
        ++order;
        std::string body;
        if (!checksumValid(line, body)) {
            ++track.stats.bad_checksum;
            continue;
        }
        const auto f = fields(body);
        if (f.empty() || f[0].size() != 5)
            continue;
        const std::string type = f[0].substr(2);
        if (type == "RMC") {
            if (f.size() < 10) {
                ++track.stats.unparseable;
                continue;
            }
            if (f[2] != "A") {
                ++track.stats.void_rmc;
                continue;
            }
            const double tod = timeOfDay(f[1]);
            const double lat = coordinate(f[3], f[4], 2), lon = coordinate(f[5], f[6], 3);
            if (std::isnan(tod) || std::isnan(lat) || std::isnan(lon) || f[9].size() != 6) {
                ++track.stats.unparseable;
                continue;
            }
            int day = 0, month = 0, year = 0;
            try {
                day = std::stoi(f[9].substr(0, 2));
                month = std::stoi(f[9].substr(2, 2));
                year = 2000 + std::stoi(f[9].substr(4, 2));
            } catch (...) {
                ++track.stats.unparseable;
                continue;
            }
            if (year >= 2080) // two-digit years: 80-99 are the 1900s
                year -= 100;
            const double midnight = unixFromUtc(year, month, day, 0, 0, 0);
            rmc_days.push_back({order, midnight, tod});
            GpsFix& fix = by_time[midnight + tod];
            fix.time = midnight + tod;
            fix.lon = lon;
            fix.lat = lat;
        } else if (type == "GGA") {
            if (f.size() < 9) {
                ++track.stats.unparseable;
                continue;
            }
            if (f[6].empty() || f[6] == "0") {
                ++track.stats.no_fix_gga;
                continue;
            }
            const double tod = timeOfDay(f[1]);
            const double lat = coordinate(f[2], f[3], 2), lon = coordinate(f[4], f[5], 3);
            if (std::isnan(tod) || std::isnan(lat) || std::isnan(lon)) {
                ++track.stats.unparseable;
                continue;
            }
            double hdop = NAN;
            try {
                if (!f[8].empty())
                    hdop = std::stod(f[8]);
            } catch (...) {
            }
            ggas.push_back({tod, lon, lat, hdop, order});
        }
    }

    for (const auto& g : ggas) {
        if (rmc_days.empty()) {
            ++track.stats.without_date;
            continue;
        }
        // The RMC nearest in the log gives the date; correct a midnight rollover between them.
        RmcDay nearest = rmc_days.front();
        for (const auto& r : rmc_days)
            if (std::abs(double(r.order) - double(g.order)) < std::abs(double(nearest.order) - double(g.order)))
                nearest = r;
        double t = nearest.midnight + g.seconds_of_day;
        if (g.seconds_of_day - nearest.time_of_day > 43200)
            t -= 86400;
        else if (nearest.time_of_day - g.seconds_of_day > 43200)
            t += 86400;
        auto it = by_time.find(t);
        if (it != by_time.end()) {
            if (!std::isnan(g.hdop))
                it->second.hdop = g.hdop;
            continue;
        }
        GpsFix fix{t, g.lon, g.lat, std::nullopt};
        if (!std::isnan(g.hdop))
            fix.hdop = g.hdop;
        by_time[t] = fix;
    }
    for (auto& [t, fix] : by_time)
        track.fixes.push_back(fix);
    return track;
}

} // namespace voirie
