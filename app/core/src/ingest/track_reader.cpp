#include "voirie/core/ingest/track_reader.hpp"

#include "voirie/core/base/time_format.hpp"
#include "voirie/core/ingest/srt_telemetry.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace voirie {
namespace fs = std::filesystem;
namespace {

const std::vector<std::string> kLatNames = {"lat", "latitude", "lat_deg", "latitude_deg", "gps_lat", "y"};
const std::vector<std::string> kLonNames = {"lon", "lng", "long", "longitude", "lon_deg", "longitude_deg", "gps_lon", "x"};
const std::vector<std::string> kTimeNames = {"time", "timestamp", "datetime", "date_time", "utc", "gps_time",
                                             "time_utc", "utc_time", "unix_time", "epoch", "t", "when", "date"};

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// Times: ISO 8601, or Unix epoch seconds (milliseconds when the number is too large for seconds).
std::optional<double> parseTime(const std::string& text)
{
    if (auto iso = parseIso8601(text))
        return iso;
    try {
        size_t used = 0;
        double v = std::stod(text, &used);
        if (used != text.size() || !std::isfinite(v) || v < 0)
            return std::nullopt;
        if (v > 1e11) // epoch milliseconds
            v /= 1000.0;
        return v;
    } catch (...) {
        return std::nullopt;
    }
}

std::optional<double> fieldTime(OGRFeature& f, int index)
{
    if (index < 0 || !f.IsFieldSetAndNotNull(index))
        return std::nullopt;
    const OGRFieldType type = f.GetFieldDefnRef(index)->GetType();
    if (type == OFTDateTime || type == OFTDate) {
        int y, mo, d, h, mi, tz;
        float s;
        if (!f.GetFieldAsDateTime(index, &y, &mo, &d, &h, &mi, &s, &tz))
            return std::nullopt;
        // GDAL keeps what the file says ("2026-94-14" is month 94): not a date, not a time to
        // normalise into another year.
        if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || !(s >= 0 && s < 61))
            return std::nullopt;
        double t = unixFromUtc(y, mo, d, h, mi, s);
        if (tz > 100) // GDAL: 100 is UTC, each step is 15 minutes east
            t -= (tz - 100) * 900.0;
        return t;
    }
    if (type == OFTInteger || type == OFTInteger64 || type == OFTReal) {
        double v = f.GetFieldAsDouble(index);
        return v > 1e11 ? v / 1000.0 : v;
    }
    return parseTime(f.GetFieldAsString(index));
}

int findField(OGRFeatureDefn& defn, const std::vector<std::string>& names, const std::string& override_name)
{
    if (!override_name.empty()) {
        for (int i = 0; i < defn.GetFieldCount(); ++i)
            if (defn.GetFieldDefn(i)->GetNameRef() == override_name)
                return i;
        return -2; // named but absent
    }
    for (const auto& want : names)
        for (int i = 0; i < defn.GetFieldCount(); ++i)
            if (lower(defn.GetFieldDefn(i)->GetNameRef()) == want)
                return i;
    return -1;
}

std::string fieldList(OGRFeatureDefn& defn)
{
    std::string out;
    for (int i = 0; i < defn.GetFieldCount(); ++i)
        out += (out.empty() ? "" : ", ") + std::string(defn.GetFieldDefn(i)->GetNameRef());
    return out.empty() ? "none" : out;
}

std::optional<double> parseNumber(const char* text)
{
    try {
        size_t used = 0;
        const std::string s(text);
        double v = std::stod(s, &used);
        if (used == 0 || !std::isfinite(v))
            return std::nullopt;
        return v;
    } catch (...) {
        return std::nullopt;
    }
}

// Rows left out of a table track, said in one sentence.
void noteUnreadableRows(TrackFile& out, const fs::path& path, int rows)
{
    const int unreadable = out.rows_without_position + out.rows_without_time;
    if (unreadable > 0)
        out.warnings.push_back(std::to_string(unreadable) + " of " + std::to_string(rows) + " rows of " + out.format +
                               " track " + path.string() + " could not be read and were left out (" +
                               std::to_string(out.rows_without_position) + " without a readable position, " +
                               std::to_string(out.rows_without_time) + " without a readable time)");
}

Result<TrackFile> readCsv(GDALDataset& ds, const fs::path& path, const TrackColumns& columns)
{
    TrackFile out;
    out.format = "CSV";
    OGRLayer* layer = ds.GetLayer(0);
    if (layer == nullptr)
        return fail("track file " + path.string() + " holds no table");
    OGRFeatureDefn& defn = *layer->GetLayerDefn();
    const int lat = findField(defn, kLatNames, columns.lat), lon = findField(defn, kLonNames, columns.lon),
              time = findField(defn, kTimeNames, columns.time);
    if (lat < 0 || lon < 0 || time < 0) {
        std::string missing;
        for (auto [index, what, given] : {std::tuple{lat, "latitude", columns.lat}, {lon, "longitude", columns.lon},
                                          {time, "time", columns.time}})
            if (index < 0)
                missing += (missing.empty() ? "" : ", ") + std::string(what) +
                           (given.empty() ? "" : " (no column named '" + given + "')");
        return fail("cannot identify the " + missing + " column(s) in CSV track " + path.string() + " (columns: " +
                    fieldList(defn) + "); name them with --track-columns lat=NAME,lon=NAME,time=NAME");
    }
    int rows = 0;
    for (auto& feature : *layer) {
        ++rows;
        auto la = parseNumber(feature->GetFieldAsString(lat)), lo = parseNumber(feature->GetFieldAsString(lon));
        if (!la || !lo) {
            ++out.rows_without_position;
            continue;
        }
        auto t = fieldTime(*feature, time);
        if (!t) {
            ++out.rows_without_time;
            continue;
        }
        out.fixes.push_back({*t, *lo, *la, std::nullopt});
    }
    noteUnreadableRows(out, path, rows);
    return out;
}

// Point features with a time attribute, or lines with per-vertex times ("coordTimes" as written
// by common GPX->GeoJSON converters).
Result<TrackFile> readFeatures(GDALDataset& ds, const std::string& format)
{
    TrackFile out;
    out.format = format;
    std::vector<OGRLayer*> layers;
    if (format == "GPX") { // track points first; routes and waypoints only when there are none
        for (const char* name : {"track_points", "route_points", "waypoints"})
            if (OGRLayer* l = ds.GetLayerByName(name); l && l->GetFeatureCount() > 0) {
                layers.push_back(l);
                break;
            }
    } else {
        for (int i = 0; i < ds.GetLayerCount(); ++i)
            layers.push_back(ds.GetLayer(i));
    }
    for (OGRLayer* layer : layers) {
        OGRFeatureDefn& defn = *layer->GetLayerDefn();
        const int time = findField(defn, kTimeNames, "");
        const int coord_times = findField(defn, {"coordtimes", "times"}, "");
        for (auto& feature : *layer) {
            const OGRGeometry* g = feature->GetGeometryRef();
            if (g == nullptr || g->IsEmpty()) {
                ++out.rows_without_position;
                continue;
            }
            const auto type = wkbFlatten(g->getGeometryType());
            if (type == wkbPoint) {
                auto t = fieldTime(*feature, time);
                if (!t) {
                    ++out.rows_without_time;
                    continue;
                }
                const auto* p = g->toPoint();
                out.fixes.push_back({*t, p->getX(), p->getY(), std::nullopt});
            } else if (type == wkbLineString && coord_times >= 0) {
                const auto* line = g->toLineString();
                char** times = feature->GetFieldAsStringList(coord_times);
                const int n = CSLCount(times);
                for (int i = 0; i < line->getNumPoints(); ++i) {
                    auto t = i < n ? parseTime(times[i]) : std::nullopt;
                    if (!t) {
                        ++out.rows_without_time;
                        continue;
                    }
                    out.fixes.push_back({*t, line->getX(i), line->getY(i), std::nullopt});
                }
            } else {
                ++out.rows_without_time;
            }
        }
    }
    return out;
}

std::string readAll(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A GPX whose writer stopped mid-file (a logger unplugged) is not XML GDAL accepts: its complete
// points are read from a copy cut after the last one, with the open elements closed.
Result<TrackFile> readCutShortGpx(const fs::path& path)
{
    const std::string text = readAll(path);
    if (text.find("<gpx") == std::string::npos)
        return fail("not GPX");
    size_t end = std::string::npos;
    for (const char* closing : {"</trkpt>", "</rtept>", "</wpt>"})
        if (const size_t at = text.rfind(closing); at != std::string::npos) {
            end = at + std::strlen(closing);
            break;
        }
    if (end == std::string::npos)
        return fail("a GPX file cut before its first complete point");
    std::string repaired = text.substr(0, end);
    auto opens = [&](const char* tag) {
        for (size_t at = repaired.find(tag); at != std::string::npos; at = repaired.find(tag, at + 1)) {
            const char next = at + std::strlen(tag) < repaired.size() ? repaired[at + std::strlen(tag)] : '\0';
            if (next == '>' || std::isspace(static_cast<unsigned char>(next)))
                return true;
        }
        return false;
    };
    if (opens("<trkseg"))
        repaired += "</trkseg>";
    if (opens("<trk"))
        repaired += "</trk>";
    if (opens("<rte"))
        repaired += "</rte>";
    repaired += "</gpx>\n";
    const std::string memory = "/vsimem/voirie-cut-short-" + std::to_string(reinterpret_cast<uintptr_t>(&repaired)) + ".gpx";
    VSILFILE* file = VSIFileFromMemBuffer(memory.c_str(), reinterpret_cast<GByte*>(repaired.data()),
                                          vsi_l_offset(repaired.size()), FALSE);
    if (file == nullptr)
        return fail("cannot stage the repaired GPX");
    VSIFCloseL(file);
    const char* gpx_only[] = {"GPX", nullptr};
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetUniquePtr ds(GDALDataset::Open(memory.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, gpx_only));
    CPLPopErrorHandler();
    Result<TrackFile> out = ds ? readFeatures(*ds, "GPX") : Result<TrackFile>(fail("still not readable"));
    ds.reset();
    VSIUnlink(memory.c_str());
    if (!out)
        return out;
    const auto line = 1 + std::count(text.begin(), text.begin() + long(end), '\n');
    out->warnings.push_back("GPX track " + path.string() + " is cut short after line " + std::to_string(line) +
                            " of " + std::to_string(1 + std::count(text.begin(), text.end(), '\n')) +
                            " (its writer stopped mid-file): the " + std::to_string(out->fixes.size()) +
                            " complete fixes before the cut are used");
    return out;
}

std::string readHead(const fs::path& path, size_t bytes)
{
    std::ifstream in(path, std::ios::binary);
    std::string head(bytes, '\0');
    in.read(head.data(), std::streamsize(bytes));
    head.resize(size_t(in.gcount()));
    return head;
}

} // namespace

Result<TrackColumns> parseTrackColumns(const std::string& spec)
{
    TrackColumns c;
    std::stringstream s(spec);
    std::string item;
    while (std::getline(s, item, ',')) {
        const auto eq = item.find('=');
        const std::string key = item.substr(0, eq);
        if (eq == std::string::npos || eq + 1 >= item.size() || (key != "lat" && key != "lon" && key != "time"))
            return fail("--track-columns \"" + item + "\" must be lat=NAME, lon=NAME or time=NAME");
        (key == "lat" ? c.lat : key == "lon" ? c.lon : c.time) = item.substr(eq + 1);
    }
    return c;
}

Result<TrackFile> readTrackFile(const fs::path& path, const TrackColumns& columns)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return fail("track file " + path.string() + " does not exist or is not a file");
    const std::string head = readHead(path, 4096);
    if (looksLikeNmea(head)) {
        const std::string text = readAll(path);
        TrackFile out;
        out.format = "NMEA";
        NmeaTrack nmea = parseNmea(text);
        out.fixes = std::move(nmea.fixes);
        out.nmea = nmea.stats;
        // A logger that stopped mid-write leaves a last sentence without its checksum.
        const size_t last_line = text.find_last_of('\n', text.size() > 1 ? text.size() - 2 : 0);
        const std::string last = text.substr(last_line == std::string::npos ? 0 : last_line + 1);
        if (!last.empty() && last[0] == '$' && last.find('*') == std::string::npos)
            out.warnings.push_back("NMEA log " + path.string() + " is cut short inside its last sentence (line " +
                                   std::to_string(1 + std::count(text.begin(), text.end(), '\n')) +
                                   "): the fixes before it are used");
        return out;
    }
    if (looksLikeSrt(head)) {
        SrtTelemetry srt = parseSrtTelemetry(readAll(path));
        TrackFile out;
        out.format = "DJI SRT";
        out.fixes = std::move(srt.fixes);
        out.video_start = srt.video_start;
        out.rows_without_position = srt.without_position;
        out.rows_without_time = srt.without_time;
        if (srt.without_position > 0)
            out.warnings.push_back(std::to_string(srt.without_position) + " of " + std::to_string(srt.subtitles) +
                                   " subtitles of " + path.string() + " hold no readable position and were left out");
        if (!out.fixes.empty())
            out.warnings.push_back("SRT " + path.string() +
                                   " is timed by the recorder's own clock (often local time, not UTC)");
        return out;
    }
    GDALAllRegister();
    std::string ext = lower(path.extension().string());
    const bool is_csv = ext == ".csv" || ext == ".tsv" || ext == ".txt";
    const char* csv_only[] = {"CSV", nullptr};
    const char* csv_options[] = {"AUTODETECT_TYPE=NO", "KEEP_GEOM_COLUMNS=YES", nullptr};
    CPLPushErrorHandler(CPLQuietErrorHandler); // a failed open is reported below, in one sentence
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                              is_csv ? csv_only : nullptr, is_csv ? csv_options : nullptr));
    CPLPopErrorHandler();
    if (!ds && !is_csv)
        if (auto cut_short = readCutShortGpx(path); cut_short)
            return cut_short;
    if (!ds)
        return fail("track file " + path.string() +
                    " is not in a format Voirie reads (GPX, NMEA 0183, DJI SRT, CSV, GeoJSON, KML or another OGR vector format)");
    const std::string driver = ds->GetDriver()->GetDescription();
    if (driver == "CSV")
        return readCsv(*ds, path, columns);
    const std::string format = driver == "LIBKML" ? "KML" : driver;
    auto out = readFeatures(*ds, format);
    if (out)
        noteUnreadableRows(*out, path, int(out->fixes.size()) + out->rows_without_position + out->rows_without_time);
    return out;
}

} // namespace voirie
