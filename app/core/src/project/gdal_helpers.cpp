#include "voirie/core/project/gdal_helpers.hpp"

#include "voirie/core/base/time_format.hpp"
#include "voirie/core/geo/gdal_error_trap.hpp"

#include <gdal_utils.h>

#include <algorithm>
#include <cmath>
#include <ctime>

namespace voirie {

Result<GDALDatasetUniquePtr> createGeoPackage(const std::filesystem::path& path)
{
    GDALAllRegister();
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    if (driver == nullptr)
        return fail("this GDAL has no GeoPackage driver");
    CPLErrorReset();
    GDALDatasetUniquePtr ds(driver->Create(path.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds)
        return fail("cannot create GeoPackage " + path.string() + ": " + gdalWriteReason());
    return ds;
}

OGRSpatialReference wgs84LonLat()
{
    OGRSpatialReference srs;
    srs.importFromEPSG(4326);
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

CoordinateTransform makeTransform(OGRSpatialReference from, OGRSpatialReference to)
{
    from.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    to.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return CoordinateTransform(OGRCreateCoordinateTransformation(&from, &to));
}

Status translateRaster(GDALDataset& source, const std::filesystem::path& out, std::vector<std::string> arguments,
                       const std::string& name, const std::string& driver)
{
    GdalErrorTrap trap;
    std::vector<char*> argv;
    for (auto& a : arguments)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::unique_ptr<GDALTranslateOptions, void (*)(GDALTranslateOptions*)> options(GDALTranslateOptionsNew(argv.data(), nullptr),
                                                                                 GDALTranslateOptionsFree);
    const GIntBig cache = GDALGetCacheMax64();
    GDALSetCacheMax64(std::min<GIntBig>(cache, 64 << 20));
    int usage_error = 0;
    GDALDatasetH written = GDALTranslate(out.c_str(), GDALDataset::ToHandle(&source), options.get(), &usage_error);
    if (written)
        GDALClose(written); // GDAL 3.6's GDALClose says nothing: its failures are in the trap
    GDALSetCacheMax64(cache);
    if (!written || !trap.errors().empty())
        return fail("cannot write " + name + ": " + (trap.reason().empty() ? "GDAL's " + driver + " driver refused it" : trap.reason()));
    return Ok{};
}

void addField(OGRLayer& layer, const char* name, OGRFieldType type, int width)
{
    OGRFieldDefn field(name, type);
    if (width > 0)
        field.SetWidth(width);
    layer.CreateField(&field);
}

void setTimeField(OGRFeature& feature, const char* name, double unix_seconds)
{
    const double whole = std::floor(unix_seconds);
    std::time_t t = static_cast<std::time_t>(whole);
    std::tm utc{};
    gmtime_r(&t, &utc);
    const float seconds = float(utc.tm_sec + (unix_seconds - whole));
    feature.SetField(name, utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, seconds, 100);
}

std::string fieldText(const OGRFeature& feature, const char* name)
{
    const int i = feature.GetFieldIndex(name);
    return i >= 0 && feature.IsFieldSetAndNotNull(i) ? feature.GetFieldAsString(i) : std::string();
}

double fieldNumber(const OGRFeature& feature, const char* name, double fallback)
{
    const int i = feature.GetFieldIndex(name);
    return i >= 0 && feature.IsFieldSetAndNotNull(i) ? feature.GetFieldAsDouble(i) : fallback;
}

double fieldTime(const OGRFeature& f, const char* name)
{
    const int i = f.GetFieldIndex(name);
    int y, mo, d, h, mi, tz;
    float s;
    if (i < 0 || !f.IsFieldSetAndNotNull(i) || !f.GetFieldAsDateTime(i, &y, &mo, &d, &h, &mi, &s, &tz))
        return 0;
    // GDAL's time zone flag: 100 is UTC, each step a quarter of an hour away from it.
    const double offset = tz > 1 ? (tz - 100) * 15 * 60.0 : 0.0;
    return unixFromUtc(y, mo, d, h, mi, s) - offset;
}

} // namespace voirie
