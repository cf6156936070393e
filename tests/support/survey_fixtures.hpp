// Generated survey inputs with known geometry: a vehicle path defined in UTM zone 31N (through
// OGR, independent of the local frame Voirie interpolates in), tracks in several formats, and
// short videos with known timestamps.
#pragma once

#include "test_support.hpp"

#include "voirie/core/ingest/mp4_creation_time.hpp"

#include <ogr_spatialref.h>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace voirie::test {

constexpr double kT0 = 1777890000.0; // 2026-05-04T10:20:00Z

// UTM 31N <-> WGS 84 lon/lat, for expected positions computed independently of Voirie's code.
class Utm31 {
public:
    Utm31()
    {
        OGRSpatialReference utm, wgs;
        utm.importFromEPSG(32631);
        wgs.importFromEPSG(4326);
        utm.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        wgs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        to_geo_.reset(OGRCreateCoordinateTransformation(&utm, &wgs));
        to_utm_.reset(OGRCreateCoordinateTransformation(&wgs, &utm));
    }
    void toGeo(double e, double n, double& lon, double& lat) const
    {
        lon = e;
        lat = n;
        to_geo_->Transform(1, &lon, &lat);
    }
    void toUtm(double lon, double lat, double& e, double& n) const
    {
        e = lon;
        n = lat;
        to_utm_->Transform(1, &e, &n);
    }

private:
    struct Deleter {
        void operator()(OGRCoordinateTransformation* t) const { OGRCoordinateTransformation::DestroyCT(t); }
    };
    std::unique_ptr<OGRCoordinateTransformation, Deleter> to_geo_, to_utm_;
};

// A path in UTM metres as a function of seconds since kT0: straight east, then a left curve.
struct PathPoint {
    double e, n, chainage;
};
inline PathPoint pathAt(double t, double speed = 10.0)
{
    const double e0 = 448000, n0 = 5411000; // near Paris
    const double straight = 100.0, radius = 80.0;
    const double s = std::max(0.0, t) * speed;
    if (s <= straight)
        return {e0 + s, n0, s};
    const double a = (s - straight) / radius; // radians turned to the left (north)
    return {e0 + straight + radius * std::sin(a), n0 + radius * (1 - std::cos(a)), s};
}

struct Fix {
    double t, lon, lat;
};

inline std::vector<Fix> pathFixes(double from_s, double to_s, double step_s = 1.0)
{
    Utm31 utm;
    std::vector<Fix> fixes;
    for (double t = from_s; t <= to_s + 1e-9; t += step_s) {
        auto p = pathAt(t);
        Fix f{kT0 + t, 0, 0};
        utm.toGeo(p.e, p.n, f.lon, f.lat);
        fixes.push_back(f);
    }
    return fixes;
}

inline std::string iso(double unix_seconds)
{
    const auto whole = static_cast<std::time_t>(std::floor(unix_seconds));
    std::tm utc{};
    gmtime_r(&whole, &utc);
    char text[64];
    std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%06.3fZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec + (unix_seconds - std::floor(unix_seconds)));
    return text;
}

inline void writeGpx(const std::filesystem::path& path, const std::vector<Fix>& fixes)
{
    std::ofstream out(path);
    out << "<?xml version=\"1.0\"?>\n<gpx version=\"1.1\" creator=\"voirie-tests\" "
           "xmlns=\"http://www.topografix.com/GPX/1/1\">\n<trk><trkseg>\n";
    out.precision(10);
    for (const auto& f : fixes)
        out << "<trkpt lat=\"" << f.lat << "\" lon=\"" << f.lon << "\"><time>" << iso(f.t) << "</time></trkpt>\n";
    out << "</trkseg></trk>\n</gpx>\n";
}

inline void writeCsv(const std::filesystem::path& path, const std::vector<Fix>& fixes, const std::string& header,
                     bool epoch_time)
{
    std::ofstream out(path);
    out.precision(10);
    out << header << "\n";
    for (const auto& f : fixes)
        if (epoch_time)
            out << f.t << "," << f.lat << "," << f.lon << ",42\n";
        else
            out << iso(f.t) << "," << f.lat << "," << f.lon << ",42\n";
}

inline void writeGeoJsonPoints(const std::filesystem::path& path, const std::vector<Fix>& fixes)
{
    std::ofstream out(path);
    out.precision(10);
    out << "{\"type\":\"FeatureCollection\",\"features\":[";
    for (size_t i = 0; i < fixes.size(); ++i)
        out << (i ? "," : "") << "{\"type\":\"Feature\",\"properties\":{\"time\":\"" << iso(fixes[i].t)
            << "\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[" << fixes[i].lon << "," << fixes[i].lat << "]}}";
    out << "]}\n";
}

inline void writeKmlPoints(const std::filesystem::path& path, const std::vector<Fix>& fixes)
{
    std::ofstream out(path);
    out.precision(10);
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document>\n";
    for (const auto& f : fixes)
        out << "<Placemark><TimeStamp><when>" << iso(f.t) << "</when></TimeStamp><Point><coordinates>" << f.lon << ","
            << f.lat << "</coordinates></Point></Placemark>\n";
    out << "</Document></kml>\n";
}

// NMEA sentence with its checksum.
inline std::string nmeaSentence(const std::string& body)
{
    unsigned sum = 0;
    for (char c : body)
        sum ^= static_cast<unsigned char>(c);
    char tail[8];
    std::snprintf(tail, sizeof(tail), "*%02X", sum);
    return "$" + body + tail;
}

inline std::string nmeaCoordinate(double value, bool latitude)
{
    const double a = std::abs(value);
    const int deg = int(a);
    char text[32];
    std::snprintf(text, sizeof(text), latitude ? "%02d%09.6f,%c" : "%03d%09.6f,%c", deg, (a - deg) * 60.0,
                  latitude ? (value >= 0 ? 'N' : 'S') : (value >= 0 ? 'E' : 'W'));
    return text;
}

inline std::string nmeaRmc(const Fix& f, char status = 'A')
{
    const auto whole = static_cast<std::time_t>(std::floor(f.t));
    std::tm u{};
    gmtime_r(&whole, &u);
    char time[32], date[16];
    std::snprintf(time, sizeof(time), "%02d%02d%05.2f", u.tm_hour, u.tm_min, u.tm_sec + (f.t - std::floor(f.t)));
    std::snprintf(date, sizeof(date), "%02d%02d%02d", u.tm_mday, u.tm_mon + 1, (u.tm_year + 1900) % 100);
    return nmeaSentence("GPRMC," + std::string(time) + "," + status + "," + nmeaCoordinate(f.lat, true) + "," +
                        nmeaCoordinate(f.lon, false) + ",19.4,90.0," + date + ",,,A");
}

inline std::string nmeaGga(const Fix& f, int quality = 1, double hdop = 0.9)
{
    const auto whole = static_cast<std::time_t>(std::floor(f.t));
    std::tm u{};
    gmtime_r(&whole, &u);
    char time[32], tail[64];
    std::snprintf(time, sizeof(time), "%02d%02d%05.2f", u.tm_hour, u.tm_min, u.tm_sec + (f.t - std::floor(f.t)));
    std::snprintf(tail, sizeof(tail), ",%d,09,%.1f,35.0,M,47.0,M,,", quality, hdop);
    return nmeaSentence("GPGGA," + std::string(time) + "," + nmeaCoordinate(f.lat, true) + "," +
                        nmeaCoordinate(f.lon, false) + tail);
}

// A short video whose frame i shows its index as a grey level; mp4v in MP4 (fast to write).
inline void writeVideo(const std::filesystem::path& path, int frames, double fps = 30, cv::Size size = {320, 240})
{
    cv::VideoWriter writer(path.string(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc('m', 'p', '4', 'v'), fps, size);
    for (int i = 0; i < frames; ++i) {
        cv::Mat m(size, CV_8UC3, cv::Scalar::all(i % 256));
        cv::putText(m, std::to_string(i), {10, size.height / 2}, cv::FONT_HERSHEY_SIMPLEX, 1.0, cv::Scalar(0, 0, 255), 2);
        writer.write(m);
    }
}

// Sets the MP4 container's creation time to the given UTC time.
inline bool setMp4CreationTime(const std::filesystem::path& path, double unix_seconds)
{
    return voirie::writeMp4CreationTime(path, unix_seconds);
}

} // namespace voirie::test
