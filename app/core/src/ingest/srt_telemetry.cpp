#include "voirie/core/ingest/srt_telemetry.hpp"

#include "voirie/core/base/statistics.hpp"
#include "voirie/core/base/time_format.hpp"

#include <algorithm>
#include <cmath>
#include <regex>
#include <sstream>

namespace voirie {
namespace {

const std::regex kTiming(R"((\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})\s*-->)");
const std::regex kLatitude(R"(latitude\s*[:=]\s*(-?\d+(?:\.\d+)?))", std::regex::icase);
const std::regex kLongitude(R"(longitude\s*[:=]\s*(-?\d+(?:\.\d+)?))", std::regex::icase);
const std::regex kGpsTuple(R"(GPS\s*\(\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?))");
const std::regex kDateTime(R"((\d{4})[-./](\d{2})[-./](\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[.,:](\d{1,3}))?)");

double media(const std::smatch& m)
{
    return std::stoi(m[1].str()) * 3600.0 + std::stoi(m[2].str()) * 60.0 + std::stoi(m[3].str()) +
           std::stoi(m[4].str()) / std::pow(10.0, double(m[4].length()));
}

} // namespace

bool looksLikeSrt(const std::string& head)
{
    std::istringstream in(head);
    std::string line;
    int seen = 0;
    while (std::getline(in, line) && seen < 4) {
        if (line.find_first_not_of(" \t\r\xef\xbb\xbf") == std::string::npos)
            continue;
        ++seen;
        std::smatch m;
        if (std::regex_search(line, m, kTiming))
            return seen <= 2;
    }
    return false;
}

SrtTelemetry parseSrtTelemetry(const std::string& text, std::optional<double> recording_start)
{
    SrtTelemetry out;
    std::vector<double> clock_offsets;
    std::istringstream in(text);
    std::string line, block;
    std::optional<double> block_media;
    auto finish = [&] {
        if (!block_media)
            return;
        ++out.subtitles;
        std::smatch m;
        std::optional<double> lat, lon, time;
        if (std::regex_search(block, m, kLatitude))
            lat = std::stod(m[1].str());
        if (std::regex_search(block, m, kLongitude))
            lon = std::stod(m[1].str());
        if ((!lat || !lon) && std::regex_search(block, m, kGpsTuple)) { // older firmware: GPS(lon,lat,alt)
            lon = std::stod(m[1].str());
            lat = std::stod(m[2].str());
        }
        if (std::regex_search(block, m, kDateTime)) {
            time = parseIso8601(m[1].str() + "-" + m[2].str() + "-" + m[3].str() + "T" + m[4].str() + ":" + m[5].str() +
                                ":" + m[6].str() + "Z");
            if (time && m[7].matched)
                *time += std::stoi(m[7].str()) / std::pow(10.0, double(m[7].length()));
        }
        if (time)
            clock_offsets.push_back(*time - *block_media);
        else if (recording_start)
            time = *recording_start + *block_media;
        if (!lat || !lon || !std::isfinite(*lat) || !std::isfinite(*lon) || std::abs(*lat) > 90 || std::abs(*lon) > 180 ||
            (*lat == 0 && *lon == 0))
            ++out.without_position;
        else if (!time)
            ++out.without_time;
        else
            out.fixes.push_back({*time, *lon, *lat, std::nullopt});
        block.clear();
        block_media.reset();
    };
    while (std::getline(in, line)) {
        // Bounded so that a damaged file's endless line cannot exhaust std::regex's recursion.
        if (line.size() > 2000)
            line.resize(2000);
        if (block.size() > 8000)
            block.resize(8000);
        std::smatch m;
        if (std::regex_search(line, m, kTiming)) {
            finish();
            block_media = media(m);
            continue;
        }
        if (block_media)
            block += line + "\n";
    }
    finish();
    if (!clock_offsets.empty()) {
        out.video_start = interpolatedQuantile(clock_offsets, 0.5);
    } else if (recording_start) {
        out.video_start = recording_start;
    }
    std::stable_sort(out.fixes.begin(), out.fixes.end(), [](const GpsFix& a, const GpsFix& b) { return a.time < b.time; });
    return out;
}

} // namespace voirie
