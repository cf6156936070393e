#include "voirie/core/ingest/survey_gps.hpp"

#include "voirie/core/ingest/video_gps_source.hpp"

namespace voirie {
namespace fs = std::filesystem;

Result<SurveyGps> readSurveyGps(const IngestOptions& options)
{
    SurveyGps gps;
    std::optional<fs::path> track_file = options.track;
    if (options.track) {
        gps.source = "--track";
    } else {
        auto embedded = readVideoGps(options.videos, options.telemetry);
        if (!embedded) {
            auto sidecar = findSidecar(options.videos.front());
            if (!sidecar)
                return fail(embedded.error());
            gps.warnings.push_back(embedded.error() + "; the sidecar " + sidecar->string() + " is used instead");
            track_file = sidecar;
            gps.source = "sidecar";
        } else if (*embedded) {
            VideoGps& inside = **embedded;
            gps.fixes = std::move(inside.fixes);
            gps.telemetry_starts = std::move(inside.file_starts);
            for (const auto& v : inside.videos) // the track "file" is the video(s) it was read from
                gps.path += (gps.path.empty() ? "" : ", ") + v.string();
            gps.format = inside.format;
            gps.source = "video telemetry";
            gps.telemetry = inside.counts;
            gps.clock_utc = inside.utc;
            gps.telemetry_notes = inside.notes;
            if (!inside.utc)
                gps.warnings.push_back("the GPS inside " + inside.videos.front().filename().string() +
                                       " is timed by the camera's own clock, not GPS time: dates may be local time");
            return gps;
        } else if (auto sidecar = findSidecar(options.videos.front())) {
            track_file = sidecar;
            gps.source = "sidecar";
        } else {
            return fail(noGpsFoundSentence(options.videos.front()));
        }
    }

    auto file = readTrackFile(*track_file, options.track_columns);
    if (!file)
        return fail(file.error());
    gps.fixes = std::move(file->fixes);
    gps.nmea = file->nmea;
    gps.format = file->format;
    gps.rows_without_time = file->rows_without_time;
    gps.warnings.insert(gps.warnings.end(), file->warnings.begin(), file->warnings.end());
    gps.path = track_file->string();
    if (file->video_start) { // a track timed by the video's media time (DJI SRT)
        gps.video_start = *file->video_start;
        gps.clock_utc = false;
    }
    if (file->nmea && gps.fixes.empty()) {
        const auto& n = *file->nmea;
        return fail("NMEA log " + gps.path + " has no usable fix: " + std::to_string(n.sentences) + " sentences, " +
                    std::to_string(n.bad_checksum) + " with a bad or missing checksum, " + std::to_string(n.void_rmc) +
                    " RMC with status V, " + std::to_string(n.no_fix_gga) + " GGA without a fix, " +
                    std::to_string(n.unparseable) + " malformed");
    }
    if (gps.fixes.empty() && file->rows_without_time > 0)
        return fail("track " + gps.path + " has positions but no readable times (" +
                    std::to_string(file->rows_without_time) + " without time); Voirie needs a time for every fix");
    return gps;
}

} // namespace voirie
