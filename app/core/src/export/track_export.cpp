#include "voirie/core/export/track_export.hpp"

#include "voirie/core/base/atomic_output.hpp"
#include "voirie/core/base/time_format.hpp"
#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/project/gdal_helpers.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace voirie {
namespace fs = std::filesystem;

Status writeTrackFile(const fs::path& path, const std::vector<GpsFix>& fixes, bool overwrite)
{
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    const char* driver_name = ext == ".gpx" ? "GPX" : ext == ".gpkg" ? "GPKG" : (ext == ".geojson" || ext == ".json") ? "GeoJSON"
                              : ext == ".csv" ? "CSV" : nullptr;
    if (!driver_name)
        return fail("cannot tell the format of " + path.string() + " from its extension: use .gpx, .gpkg, .geojson or .csv");
    auto output = AtomicOutput::prepare(path, overwrite);
    if (!output)
        return fail(output.error());
    GDALAllRegister();
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name);
    if (!driver)
        return fail(std::string("this GDAL has no ") + driver_name + " driver");
    {
        CPLErrorReset();
        GDALDatasetUniquePtr ds(driver->Create(output->temporaryPath().string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        if (!ds)
            return fail("cannot create " + path.string() + ": " + gdalWriteReason());
        OGRSpatialReference srs = wgs84LonLat();
        const bool gpx = std::string(driver_name) == "GPX";
        const bool csv = std::string(driver_name) == "CSV";
        char geometry_xy[] = "GEOMETRY=AS_XY";
        char* csv_options[] = {geometry_xy, nullptr};
        // GPX takes track points as the layer "track_points" with its own field names.
        OGRLayer* layer = ds->CreateLayer(gpx ? "track_points" : "track", &srs, wkbPoint, csv ? csv_options : nullptr);
        if (!layer)
            return fail("cannot create the track layer in " + path.string() + ": " + gdalWriteReason());
        if (gpx) {
            addField(*layer, "track_fid", OFTInteger);
            addField(*layer, "track_seg_id", OFTInteger);
        }
        addField(*layer, "time", gpx ? OFTDateTime : OFTString);
        addField(*layer, "hdop", OFTReal);
        for (const auto& fix : fixes) {
            OGRFeature feature(layer->GetLayerDefn());
            if (gpx) {
                feature.SetField("track_fid", 0);
                feature.SetField("track_seg_id", 0);
                const double whole = std::floor(fix.time);
                const time_t t = time_t(whole);
                std::tm utc{};
                gmtime_r(&t, &utc);
                feature.SetField(feature.GetFieldIndex("time"), utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                                 utc.tm_hour, utc.tm_min, float(utc.tm_sec + (fix.time - whole)), 100);
            } else {
                feature.SetField("time", formatIso8601(fix.time).c_str());
            }
            if (fix.hdop)
                feature.SetField("hdop", *fix.hdop);
            OGRPoint point(fix.lon, fix.lat);
            feature.SetGeometry(&point);
            if (layer->CreateFeature(&feature) != OGRERR_NONE)
                return fail("cannot write " + path.string() + ": " + gdalWriteReason());
        }
        ds.reset(); // closes (and flushes) before the rename
        if (CPLGetLastErrorType() >= CE_Failure)
            return fail("cannot write " + path.string() + ": " + gdalWriteReason());
    }
    return output->commit();
}

} // namespace voirie
