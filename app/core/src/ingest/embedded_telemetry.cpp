#include "voirie/core/ingest/embedded_telemetry.hpp"

#include "voirie/core/base/number_format.hpp"
#include "voirie/core/base/statistics.hpp"
#include "voirie/core/base/time_format.hpp"
#include "voirie/core/ingest/gpmf_parser.hpp"
#include "voirie/core/ingest/mp4_boxes.hpp"
#include "voirie/core/ingest/mp4_tracks.hpp"
#include "voirie/core/ingest/nmea_parser.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <regex>
#include <sstream>

namespace voirie {
namespace fs = std::filesystem;
namespace {

bool validPosition(double lat, double lon)
{
    return std::isfinite(lat) && std::isfinite(lon) && std::abs(lat) <= 90 && std::abs(lon) <= 180 &&
           !(std::abs(lat) < 1e-9 && std::abs(lon) < 1e-9);
}

double median(std::vector<double> v) { return interpolatedQuantile(std::move(v), 0.5); }

std::string droppedSentence(const TelemetryCounts& c)
{
    return std::to_string(c.positions_read) + " positions read, " + std::to_string(c.dropped_no_fix) +
           " without a fix, " + std::to_string(c.dropped_precision) + " with poor precision, " +
           std::to_string(c.dropped_invalid) + " untimed or outside the world";
}

// ---- GoPro GPMF: the `gpmd` timed-metadata track ----

Result<std::optional<EmbeddedTrack>> readGpmf(Mp4File& file, const Mp4Movie& movie, const Mp4Track& track,
                                              const TelemetryOptions& options)
{
    EmbeddedTrack out;
    out.format = "GoPro GPMF";
    if (!track.problem.empty())
        out.notes.push_back("the telemetry track's index is damaged: " + track.problem);
    // Each payload is timed by the track (media time); its GPSU, or GPS9's own times, say which UTC
    // that is. Positions spread evenly over their payload's duration, as gpmf-parser does.
    struct Timed {
        double media;
        GpmfGpsSample sample;
        std::optional<double> dop;
        bool keep;
    };
    std::vector<Timed> timed;
    std::vector<double> clock_offsets; // UTC - media time, one per payload (or per GPS9 sample)
    bool any_gps_stream = false;
    int damaged = 0;
    std::vector<std::string> streams;
    for (const auto& s : track.samples) {
        auto bytes = file.read(s.offset, s.size, uint64_t(16) << 20);
        if (!bytes) {
            ++damaged;
            continue;
        }
        GpmfGps gps = parseGpmfPayload(*bytes);
        damaged += gps.damaged ? 1 : 0;
        for (auto& name : gps.streams)
            if (std::find(streams.begin(), streams.end(), name) == streams.end())
                streams.push_back(name);
        if (!gps.has_gps_stream)
            continue;
        any_gps_stream = true;
        const size_t n = gps.samples.size();
        for (size_t i = 0; i < n; ++i) {
            const auto& g = gps.samples[i];
            const double media = s.start_s + s.duration_s * double(i) / double(n);
            ++out.counts.positions_read;
            const int fix = g.fix ? *g.fix : gps.fix.value_or(3); // a stream without GPSF: trust it
            const std::optional<double> dop = g.dop ? g.dop : gps.dop;
            bool keep = true;
            if (fix < 2) {
                ++out.counts.dropped_no_fix;
                keep = false;
            } else if (dop && *dop > options.max_dop) {
                ++out.counts.dropped_precision;
                keep = false;
            } else if (!validPosition(g.lat, g.lon)) {
                ++out.counts.dropped_invalid;
                keep = false;
            }
            if (keep && g.time)
                clock_offsets.push_back(*g.time - media);
            timed.push_back({media, g, dop, keep});
        }
        if (gps.gpsu && gps.fix.value_or(3) >= 2)
            clock_offsets.push_back(*gps.gpsu - s.start_s);
    }
    if (!any_gps_stream) {
        if (track.samples.empty())
            return fail("video " + file.path().string() + " has a GoPro telemetry track with no samples in it");
        std::string what = streams.empty() ? std::string("no sensor stream Voirie knows") : "only ";
        for (size_t i = 0; i < streams.size(); ++i)
            what += (i ? ", " : "") + streams[i];
        return fail("video " + file.path().string() + " has GoPro telemetry but no GPS in it (" + what +
                    "): the camera's GPS was off or it has none; give the track with --track");
    }
    if (damaged > 0)
        out.notes.push_back(std::to_string(damaged) + " of " + std::to_string(track.samples.size()) +
                            " telemetry payloads were damaged and read in part or not at all");
    if (out.counts.used() == 0)
        return fail("video " + file.path().string() + " has GoPro GPS telemetry but not one usable fix (" +
                    droppedSentence(out.counts) + "): the camera had no satellite fix while recording");
    if (clock_offsets.empty())
        return fail("video " + file.path().string() + " has GoPro GPS positions but no GPS time (GPSU) to place them; "
                    "give the track with --track");
    out.video_start = median(clock_offsets);
    for (const auto& t : timed)
        if (t.keep)
            out.fixes.push_back({out.video_start + t.media, t.sample.lon, t.sample.lat, t.dop});
    out.container_time = movie.creation_time;
    return std::optional<EmbeddedTrack>(std::move(out));
}

// ---- Novatek: moov/`gps ` lists (offset, size) of `free` boxes holding one GPS record each ----

struct NovatekRecord {
    double time;
    double lat, lon;
    bool active;
};

// The record 48 bytes into a `free`/"GPS " box: hour, minute, second, year-2000, month, day as
// little-endian 32-bit integers, status ('A' active), hemispheres, then latitude and longitude as
// floats in NMEA's DDMM.MMMM.
std::optional<NovatekRecord> novatekRecord(const std::string& box)
{
    if (box.size() < 92 || box.compare(4, 4, "free") != 0 || box.compare(8, 4, "GPS ") != 0)
        return std::nullopt;
    int v[6];
    for (int i = 0; i < 6; ++i)
        v[i] = int(readLittleEndian(box, 48 + size_t(i) * 4, 4));
    const int hour = v[0], minute = v[1], second = v[2], year = v[3], month = v[4], day = v[5];
    if (hour > 23 || minute > 59 || second > 60 || year > 99 || month < 1 || month > 12 || day < 1 || day > 31)
        return std::nullopt;
    char iso[64];
    std::snprintf(iso, sizeof iso, "20%02d-%02d-%02dT%02d:%02d:%02dZ", year, month, day, hour, minute, std::min(second, 59));
    auto time = parseIso8601(iso);
    if (!time)
        return std::nullopt;
    auto floatAt = [&](size_t at) {
        const uint32_t bits = uint32_t(readLittleEndian(box, at, 4));
        float f;
        std::memcpy(&f, &bits, 4);
        return double(f);
    };
    auto degrees = [](double ddmm) { return std::floor(ddmm / 100.0) + std::fmod(ddmm, 100.0) / 60.0; };
    const char status = box[72], ns = box[73], ew = box[74];
    double lat = degrees(floatAt(76)), lon = degrees(floatAt(80));
    if ((ns != 'N' && ns != 'S') || (ew != 'E' && ew != 'W'))
        return NovatekRecord{*time, NAN, NAN, status == 'A'};
    if (ns == 'S')
        lat = -lat;
    if (ew == 'W')
        lon = -lon;
    return NovatekRecord{*time, lat, lon, status == 'A'};
}

Result<std::optional<EmbeddedTrack>> readNovatek(Mp4File& file, const Mp4Movie& movie, const Mp4Box& gps_box)
{
    EmbeddedTrack out;
    out.format = "Novatek GPS boxes";
    auto index = file.payload(gps_box, uint64_t(16) << 20);
    if (!index || index->size() < 8)
        return fail("video " + file.path().string() + " has a Novatek GPS index that is cut short");
    std::vector<double> clock_offsets;
    int unreadable = 0, entries = 0;
    for (size_t at = 8; at + 8 <= index->size(); at += 8, ++entries) {
        const uint64_t offset = readBigEndian(*index, at, 4), size = readBigEndian(*index, at + 4, 4);
        auto box = file.read(offset, size, 1 << 16);
        auto record = box ? novatekRecord(*box) : std::nullopt;
        if (!record) {
            ++unreadable;
            continue;
        }
        ++out.counts.positions_read;
        if (!record->active) {
            ++out.counts.dropped_no_fix;
            continue;
        }
        if (!validPosition(record->lat, record->lon)) {
            ++out.counts.dropped_invalid;
            continue;
        }
        // One record a second from the start of the recording: the n-th entry is media second n.
        clock_offsets.push_back(record->time - double(entries));
        out.fixes.push_back({record->time, record->lon, record->lat, std::nullopt});
    }
    if (unreadable > 0)
        out.notes.push_back(std::to_string(unreadable) + " of " + std::to_string(entries) +
                            " GPS records the index points to could not be read (damaged or cut short)");
    if (out.fixes.empty())
        return fail("video " + file.path().string() + " has a Novatek GPS index but not one usable fix (" +
                    std::to_string(entries) + " entries, " + droppedSentence(out.counts) + ")");
    out.video_start = median(clock_offsets);
    out.container_time = movie.creation_time;
    return std::optional<EmbeddedTrack>(std::move(out));
}

// ---- 70mai: a top-level `GPS ` box of 36-byte records, timed by the camera's clock ----

// The camera's clock at the start of the recording: the YYYYMMDD-HHMMSS 70mai writes into the
// file name (what its app shows), else the container's creation time.
std::optional<double> cameraClockStart(const Mp4Movie& movie, const fs::path& video)
{
    std::smatch m;
    const std::string name = video.filename().string();
    static const std::regex stamp("(\\d{4})(\\d{2})(\\d{2})-(\\d{2})(\\d{2})(\\d{2})");
    if (std::regex_search(name, m, stamp))
        if (auto t = parseIso8601(m[1].str() + "-" + m[2].str() + "-" + m[3].str() + "T" + m[4].str() + ":" +
                                  m[5].str() + ":" + m[6].str() + "Z"))
            return t;
    return movie.creation_time;
}

Result<std::optional<EmbeddedTrack>> read70mai(Mp4File& file, const Mp4Movie& movie, const Mp4Box& gps_box)
{
    EmbeddedTrack out;
    out.format = "70mai GPS box";
    out.utc = false;
    auto bytes = file.payload(gps_box, uint64_t(16) << 20);
    if (!bytes)
        return fail("video " + file.path().string() + " has a 70mai GPS box that cannot be read");
    auto start = cameraClockStart(movie, file.path());
    if (!start)
        return fail("video " + file.path().string() + " has 70mai GPS records but no recording time, neither in its "
                    "container nor in its name; give the track with --track");
    for (size_t at = 0; at + 36 <= bytes->size(); at += 36) {
        // status, ?, second of the recording, speed (m/h), 'N'/'S', latitude, 'E'/'W', longitude:
        // little-endian, coordinates as degrees * 100000 + minutes * 1000.
        const uint32_t second = uint32_t(readLittleEndian(*bytes, at + 8, 4));
        const char ns = (*bytes)[at + 16], ew = (*bytes)[at + 21];
        ++out.counts.positions_read;
        if ((ns != 'N' && ns != 'S') || (ew != 'E' && ew != 'W')) {
            ++out.counts.dropped_no_fix;
            continue;
        }
        auto degrees = [](int32_t v) { return double(v / 100000) + double(v % 100000) / 1000.0 / 60.0; };
        double lat = degrees(int32_t(readLittleEndian(*bytes, at + 17, 4)));
        double lon = degrees(int32_t(readLittleEndian(*bytes, at + 22, 4)));
        if (ns == 'S')
            lat = -lat;
        if (ew == 'W')
            lon = -lon;
        if (!validPosition(lat, lon) || second > 86400) {
            ++out.counts.dropped_invalid;
            continue;
        }
        out.fixes.push_back({*start + second, lon, lat, std::nullopt});
    }
    if (out.counts.positions_read == 0)
        return fail("video " + file.path().string() + " has a 70mai GPS box with no positions in it (" +
                    std::to_string(bytes->size()) + " bytes): the camera recorded no GPS");
    if (out.fixes.empty())
        return fail("video " + file.path().string() + " has a 70mai GPS box but not one usable fix (" +
                    droppedSentence(out.counts) + "): the camera had no satellite fix while recording");
    out.video_start = *start;
    out.container_time = movie.creation_time;
    out.notes.push_back("70mai records no GPS time: positions are timed by the camera's own clock, which "
                        "may be local time; dates in the project are that clock's");
    return std::optional<EmbeddedTrack>(std::move(out));
}

// ---- NMEA sentences in a subtitle/text track ----

Result<std::optional<EmbeddedTrack>> readNmeaText(Mp4File& file, const Mp4Movie& movie, const Mp4Track& track)
{
    EmbeddedTrack out;
    out.format = "NMEA text track";
    std::vector<double> clock_offsets;
    NmeaStatistics total;
    for (const auto& s : track.samples) {
        auto bytes = file.read(s.offset, s.size, 1 << 20);
        if (!bytes)
            continue;
        // tx3g and QuickTime text samples start with a 16-bit length; some cameras write bare text.
        std::string text = *bytes;
        if (text.size() >= 2) {
            const size_t length = size_t(readBigEndian(text, 0, 2));
            if (length + 2 <= text.size() && (text.size() < 3 || text[2] == '$'))
                text = text.substr(2, length);
        }
        if (!looksLikeNmea(text))
            continue;
        NmeaTrack parsed = parseNmea(text);
        total.sentences += parsed.stats.sentences;
        total.bad_checksum += parsed.stats.bad_checksum;
        total.void_rmc += parsed.stats.void_rmc;
        total.no_fix_gga += parsed.stats.no_fix_gga;
        for (auto& fix : parsed.fixes) {
            ++out.counts.positions_read;
            if (!validPosition(fix.lat, fix.lon)) {
                ++out.counts.dropped_invalid;
                continue;
            }
            clock_offsets.push_back(fix.time - s.start_s);
            out.fixes.push_back(fix);
        }
    }
    if (total.sentences == 0)
        return std::optional<EmbeddedTrack>(); // a text track of something else: not telemetry
    out.counts.dropped_no_fix = total.void_rmc + total.no_fix_gga;
    out.counts.positions_read += out.counts.dropped_no_fix;
    if (out.fixes.empty())
        return fail("video " + file.path().string() + " has NMEA sentences in a text track but not one usable fix (" +
                    std::to_string(total.sentences) + " sentences, " + std::to_string(total.bad_checksum) +
                    " with a bad checksum, " + std::to_string(out.counts.dropped_no_fix) + " without a fix)");
    std::sort(out.fixes.begin(), out.fixes.end(), [](const GpsFix& a, const GpsFix& b) { return a.time < b.time; });
    out.video_start = median(clock_offsets);
    out.container_time = movie.creation_time;
    return std::optional<EmbeddedTrack>(std::move(out));
}

bool isTextTrack(const Mp4Track& t)
{
    return t.handler == "text" || t.handler == "sbtl" || t.handler == "subt" || t.format == "tx3g" ||
           t.format == "text";
}

} // namespace

std::optional<std::string> describeContainerClock(double container_time, double gps_time)
{
    const double difference = container_time - gps_time;
    if (std::abs(difference) < 60)
        return std::nullopt;
    const double hours = std::round(difference / 3600.0);
    if (hours != 0 && std::abs(hours) <= 14 && std::abs(difference - hours * 3600.0) <= 15 * 60) {
        const int h = int(hours);
        return "container clock is local time (UTC" + std::string(h > 0 ? "+" : "-") + std::to_string(std::abs(h)) + ")";
    }
    return "container clock is off by " + fixedDecimals(difference, 1) + " s";
}

Result<std::optional<EmbeddedTrack>> readEmbeddedTrack(const fs::path& video, const TelemetryOptions& options)
{
    auto file = Mp4File::open(video);
    if (!file)
        return fail("video " + video.string() + " cannot be opened");
    Mp4Movie movie = readMp4Movie(*file);
    Result<std::optional<EmbeddedTrack>> found = std::optional<EmbeddedTrack>();
    for (const auto& track : movie.tracks)
        if (track.format == "gpmd") {
            found = readGpmf(*file, movie, track, options);
            break;
        }
    if (found && !*found && movie.moov)
        if (auto gps = file->child(*movie.moov, "gps "))
            found = readNovatek(*file, movie, *gps);
    if (found && !*found)
        for (const auto& box : movie.top_level)
            if (box.type == "GPS ") {
                if (box.cut_short)
                    return fail("video " + video.string() + " has a 70mai GPS box that is cut short (" +
                                std::to_string(box.end - box.begin) + " of " + std::to_string(box.declared_size) +
                                " bytes): the file was not closed properly or was truncated");
                found = read70mai(*file, movie, box);
                break;
            }
    if (found && !*found)
        for (const auto& track : movie.tracks)
            if (isTextTrack(track)) {
                found = readNmeaText(*file, movie, track);
                if (!found || *found)
                    break;
            }
    if (!found || !*found) {
        if (found && !movie.moov && !movie.problems.empty())
            return fail("video " + video.string() + " has no readable movie index (" + movie.problems.front() +
                        "), so no telemetry can be found in it");
        return found;
    }
    EmbeddedTrack& track = **found;
    track.video = video;
    for (const auto& p : movie.problems)
        track.notes.push_back(p);
    if (track.utc && track.container_time)
        if (auto clock = describeContainerClock(*track.container_time, track.video_start))
            track.notes.push_back(*clock + "; GPS time is used");
    return found;
}

} // namespace voirie
