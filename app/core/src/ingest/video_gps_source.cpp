#include "voirie/core/ingest/video_gps_source.hpp"

#include <algorithm>
#include <cctype>

namespace voirie {
namespace fs = std::filesystem;

const std::vector<std::string>& sidecarExtensions()
{
    static const std::vector<std::string> extensions = {".gpx", ".nmea", ".nma", ".srt", ".csv", ".geojson", ".kml", ".log"};
    return extensions;
}

std::optional<fs::path> findSidecar(const fs::path& video)
{
    std::error_code ec;
    const fs::path folder = video.has_parent_path() ? video.parent_path() : fs::path(".");
    const std::string stem = video.stem().string();
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
        if (!entry.is_regular_file(ec) || entry.path().stem().string() != stem)
            continue;
        std::string ext = entry.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        if (std::find(sidecarExtensions().begin(), sidecarExtensions().end(), ext) != sidecarExtensions().end())
            found.push_back(entry.path());
    }
    if (found.empty())
        return std::nullopt;
    auto rank = [](const fs::path& p) {
        std::string ext = p.extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        return std::find(sidecarExtensions().begin(), sidecarExtensions().end(), ext) - sidecarExtensions().begin();
    };
    return *std::min_element(found.begin(), found.end(), [&](const fs::path& a, const fs::path& b) {
        return rank(a) != rank(b) ? rank(a) < rank(b) : a < b;
    });
}

std::string VideoGps::describe() const
{
    std::string names;
    for (const auto& v : videos)
        names += (names.empty() ? "" : ", ") + v.filename().string();
    return format + " in " + names;
}

Result<std::optional<VideoGps>> readVideoGps(const std::vector<fs::path>& videos, const TelemetryOptions& options)
{
    VideoGps gps;
    std::vector<fs::path> without;
    for (const auto& video : videos) {
        auto track = readEmbeddedTrack(video, options);
        if (!track)
            return fail(track.error());
        if (!*track) {
            without.push_back(video);
            continue;
        }
        EmbeddedTrack& t = **track;
        if (!gps.format.empty() && gps.format != t.format)
            return fail("videos " + gps.videos.front().string() + " and " + video.string() +
                        " hold different kinds of telemetry (" + gps.format + ", " + t.format +
                        "): give the chapters of one recording together");
        gps.format = t.format;
        gps.utc = gps.utc && t.utc;
        gps.videos.push_back(video);
        gps.file_starts.push_back(t.video_start);
        gps.fixes.insert(gps.fixes.end(), t.fixes.begin(), t.fixes.end());
        gps.counts.positions_read += t.counts.positions_read;
        gps.counts.dropped_no_fix += t.counts.dropped_no_fix;
        gps.counts.dropped_precision += t.counts.dropped_precision;
        gps.counts.dropped_invalid += t.counts.dropped_invalid;
        for (const auto& note : t.notes)
            gps.notes.push_back(video.filename().string() + ": " + note);
    }
    if (gps.videos.empty())
        return std::optional<VideoGps>();
    if (!without.empty())
        return fail("video " + without.front().string() + " holds no GPS telemetry while " + gps.videos.front().string() +
                    " does (" + gps.format + "): give the chapters of one recording, or a --track for all");
    std::stable_sort(gps.fixes.begin(), gps.fixes.end(), [](const GpsFix& a, const GpsFix& b) { return a.time < b.time; });
    return std::optional<VideoGps>(std::move(gps));
}

std::string noGpsFoundSentence(const fs::path& video)
{
    std::string extensions;
    for (const auto& e : sidecarExtensions())
        extensions += (extensions.empty() ? "" : ", ") + e;
    const fs::path folder = video.has_parent_path() ? video.parent_path() : fs::path(".");
    return "no GPS found for video " + video.string() +
           ": it holds no telemetry Voirie reads (GoPro GPMF, Novatek or 70mai GPS boxes, NMEA in a text track) and "
           "there is no sidecar " + video.stem().string() + " with " + extensions + " in " + folder.string() +
           "; give the track with --track";
}

} // namespace voirie
