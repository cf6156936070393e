#include "photo_exif.hpp"

#include "voirie/core/base/time_format.hpp"

#include <gdal_priv.h>

#include <cmath>
#include <regex>

namespace voirie {
namespace {

// GDAL gives EXIF rationals as "(48) (51) (23.76)".
std::vector<double> rationals(const char* text)
{
    std::vector<double> values;
    if (text == nullptr)
        return values;
    static const std::regex number(R"(\(\s*([-+0-9.eE]+)\s*\))");
    const std::string s(text);
    for (auto it = std::sregex_iterator(s.begin(), s.end(), number); it != std::sregex_iterator(); ++it)
        values.push_back(std::stod((*it)[1]));
    return values;
}

std::optional<double> degrees(const char* dms, const char* ref)
{
    auto v = rationals(dms);
    if (v.empty() || ref == nullptr)
        return std::nullopt;
    double d = v[0] + (v.size() > 1 ? v[1] / 60.0 : 0) + (v.size() > 2 ? v[2] / 3600.0 : 0);
    if (ref[0] == 'S' || ref[0] == 'W')
        d = -d;
    return std::isfinite(d) ? std::optional<double>(d) : std::nullopt;
}

} // namespace

Result<PhotoTags> readPhotoTags(const std::filesystem::path& path)
{
    GDALAllRegister();
    const char* jpeg_only[] = {"JPEG", nullptr};
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.string().c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, jpeg_only));
    CPLPopErrorHandler();
    if (!ds)
        return fail("photo " + path.string() + " cannot be read as a JPEG");
    PhotoTags tags;
    tags.width = ds->GetRasterXSize();
    tags.height = ds->GetRasterYSize();
    auto item = [&](const char* key) { return ds->GetMetadataItem(key); };
    tags.lat = degrees(item("EXIF_GPSLatitude"), item("EXIF_GPSLatitudeRef"));
    tags.lon = degrees(item("EXIF_GPSLongitude"), item("EXIF_GPSLongitudeRef"));
    if (!tags.lat || !tags.lon)
        tags.lat = tags.lon = std::nullopt;

    const char* gps_date = item("EXIF_GPSDateStamp");
    auto gps_time = rationals(item("EXIF_GPSTimeStamp"));
    if (gps_date != nullptr && gps_time.size() == 3) {
        if (auto day = parseIso8601(gps_date)) {
            tags.time = *day + gps_time[0] * 3600 + gps_time[1] * 60 + gps_time[2];
            tags.time_from_gps = true;
        }
    }
    if (!tags.time) {
        const char* original = item("EXIF_DateTimeOriginal");
        const char* offset = item("EXIF_OffsetTimeOriginal");
        if (original != nullptr)
            tags.time = parseIso8601(std::string(original) + (offset ? offset : ""));
    }
    return tags;
}

} // namespace voirie
