#include "voirie/core/ingest/track_reader.hpp"

#include "voirie/core/base/time_format.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cctype>
#include <cmath>
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
    for (auto& feature : *layer) {
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
        std::ifstream in(path, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        TrackFile out;
        out.format = "NMEA";
        NmeaTrack nmea = parseNmea(text.str());
        out.fixes = std::move(nmea.fixes);
        out.nmea = nmea.stats;
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
    if (!ds)
        return fail("track file " + path.string() +
                    " is not in a format Voirie reads (GPX, NMEA 0183, CSV, GeoJSON, KML or another OGR vector format)");
    const std::string driver = ds->GetDriver()->GetDescription();
    if (driver == "CSV")
        return readCsv(*ds, path, columns);
    const std::string format = driver == "LIBKML" ? "KML" : driver;
    return readFeatures(*ds, format);
}

} // namespace voirie
