#include "export_format.hpp"

#include <set>

namespace voirie {
namespace {

const FormatInfo kFormats[] = {
    {ExportFormat::GeoPackage, "gpkg", "GPKG", ".gpkg", true, true, true},
    {ExportFormat::GeoJSON, "geojson", "GeoJSON", ".geojson", false, false, false},
    {ExportFormat::Shapefile, "shp", "ESRI Shapefile", ".shp", false, false, true},
    {ExportFormat::KML, "kml", "LIBKML", ".kml", true, false, false},
    {ExportFormat::CSV, "csv", "CSV", ".csv", false, false, true},
    {ExportFormat::FlatGeobuf, "fgb", "FlatGeobuf", ".fgb", false, true, true},
};

} // namespace

const FormatInfo& formatInfo(ExportFormat f)
{
    for (const auto& i : kFormats)
        if (i.format == f)
            return i;
    return kFormats[0];
}

bool isExportableLayer(const std::string& layer)
{
    static const std::set<std::string> kExportableLayers = {"damages", "detections", "track", "frames", "segments"};
    return kExportableLayers.count(layer) != 0;
}

std::optional<ExportFormat> exportFormatFromName(const std::string& name)
{
    for (const auto& f : kFormats)
        if (name == f.name)
            return f.format;
    return std::nullopt;
}

std::string exportFormatName(ExportFormat format) { return formatInfo(format).name; }

} // namespace voirie
