#include "layer_writer.hpp"

#include "voirie/core/base/atomic_output.hpp"
#include "voirie/core/base/html_text.hpp"
#include "voirie/core/export/shapefile_names.hpp"
#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/vocabulary/damage_classes.hpp"

#include <cpl_string.h>

#include <cstdio>
#include <fstream>

namespace voirie {
namespace fs = std::filesystem;
namespace {

enum class Family { Points, Lines, Polygons, Other };

Family familyOf(const OGRGeometry* g)
{
    if (g == nullptr)
        return Family::Other;
    switch (wkbFlatten(g->getGeometryType())) {
    case wkbPoint:
    case wkbMultiPoint: return Family::Points;
    case wkbLineString:
    case wkbMultiLineString: return Family::Lines;
    case wkbPolygon:
    case wkbMultiPolygon: return Family::Polygons;
    default: return Family::Other;
    }
}

const char* familySuffix(Family f)
{
    switch (f) {
    case Family::Points: return "_points";
    case Family::Lines: return "_lines";
    case Family::Polygons: return "_polygons";
    default: return "_other";
    }
}

OGRwkbGeometryType familyType(Family f)
{
    switch (f) {
    case Family::Points: return wkbPoint;
    case Family::Lines: return wkbLineString;
    case Family::Polygons: return wkbPolygon;
    default: return wkbUnknown;
    }
}

std::string classColour(const std::string& code)
{
    for (const auto& c : kDamageClasses)
        if (c.code == code)
            return std::string(c.colour);
    return "#787878";
}

std::string base64(const GByte* data, int size)
{
    char* encoded = CPLBase64Encode(size, data);
    std::string out(encoded);
    CPLFree(encoded);
    return out;
}

} // namespace

Result<int64_t> LayerWriter::run()
{
    const bool shp = fmt_.format == ExportFormat::Shapefile;
    const bool mixed = wkbFlatten(source_.GetGeomType()) == wkbUnknown;
    const bool is_damages = name_ == "damages";
    const ChipMode chips = o_.chips.value_or(fmt_.format == ExportFormat::GeoPackage ? ChipMode::Embedded : ChipMode::Files);
    int64_t written = 0;
    source_.ResetReading();
    for (OGRFeatureUniquePtr f(source_.GetNextFeature()); f; f.reset(source_.GetNextFeature())) {
        const Family family = familyOf(f->GetGeometryRef());
        const std::string key = shp && mixed ? name_ + familySuffix(family) : name_;
        auto target = layerFor(key, shp && mixed ? familyType(family) : source_.GetGeomType(), chips, is_damages);
        if (!target)
            return fail(target.error());
        OGRLayer* out = *target;
        OGRFeatureUniquePtr g(OGRFeature::CreateFeature(out->GetLayerDefn()));
        if (auto s = fill(*f, *g, chips, is_damages); !s)
            return fail(s.error());
        if (out->CreateFeature(g.get()) != OGRERR_NONE)
            return fail(gdalWriteFailure("write " + name_ + " to", o_.out));
        ++written;
    }
    return written;
}

Result<OGRLayer*> LayerWriter::layerFor(const std::string& key, OGRwkbGeometryType type, ChipMode chips, bool is_damages)
{
    if (auto it = layers_.find(key); it != layers_.end())
        return it->second;
    auto ds = dataset_for(key);
    if (!ds)
        return fail(ds.error());
    char** options = nullptr;
    if (fmt_.format == ExportFormat::GeoJSON)
        options = CSLSetNameValue(options, "RFC7946", "YES");
    if (fmt_.format == ExportFormat::CSV)
        options = CSLSetNameValue(options, "GEOMETRY", "AS_WKT");
    if (fmt_.format == ExportFormat::Shapefile)
        options = CSLSetNameValue(options, "ENCODING", "UTF-8");
    CPLErrorReset();
    OGRLayer* layer = (*ds)->CreateLayer(key.c_str(), const_cast<OGRSpatialReference*>(&srs_), type, options);
    CSLDestroy(options);
    if (layer == nullptr)
        return fail("cannot create layer " + key + " in " + o_.out.string() + ": " + gdalWriteReason());
    const bool shp = fmt_.format == ExportFormat::Shapefile;
    auto add = [&](const std::string& n, OGRFieldType t, int width = 0) {
        OGRFieldDefn field(n.c_str(), t);
        if (width)
            field.SetWidth(width);
        if (layer->CreateField(&field) != OGRERR_NONE)
            throw std::runtime_error("cannot create field " + n + " in " + key + ": " + gdalWriteReason());
    };
    try {
        if (fmt_.format == ExportFormat::CSV) {
            add("lon", OFTReal);
            add("lat", OFTReal);
        }
        if (fmt_.format == ExportFormat::KML) {
            add("name", OFTString);
            add("description", OFTString);
        }
        OGRFeatureDefn* defn = source_.GetLayerDefn();
        for (int i = 0; i < defn->GetFieldCount(); ++i) {
            const OGRFieldDefn* field = defn->GetFieldDefn(i);
            const std::string n = field->GetNameRef();
            if (is_damages && n == "chip" && !(chips == ChipMode::Embedded && fmt_.binary_fields))
                continue;
            if (is_damages && n == "chip_path" && chips != ChipMode::Files)
                continue;
            if (shp && field->GetType() == OFTDateTime) {
                add(shapefileFieldName(n), OFTDate);
                add(shapefileTimeFieldName(n), OFTString, 24);
            } else if (shp) {
                add(shapefileFieldName(n), field->GetType() == OFTBinary ? OFTString : field->GetType(),
                    field->GetType() == OFTString ? 254 : 0);
            } else {
                add(n, field->GetType());
            }
        }
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    layers_[key] = layer;
    return layer;
}

Status LayerWriter::fill(OGRFeature& src, OGRFeature& dst, ChipMode chips, bool is_damages)
{
    const bool shp = fmt_.format == ExportFormat::Shapefile;
    if (const OGRGeometry* g = src.GetGeometryRef()) {
        std::unique_ptr<OGRGeometry> geometry(g->clone());
        if (fmt_.format == ExportFormat::CSV) {
            OGRPoint centre;
            std::unique_ptr<OGRGeometry> wgs(g->clone());
            if (to_wgs84_)
                wgs->transform(to_wgs84_);
            if (wgs->Centroid(&centre) == OGRERR_NONE) {
                dst.SetField("lon", centre.getX());
                dst.SetField("lat", centre.getY());
            }
        }
        if (to_target_ && geometry->transform(to_target_) != OGRERR_NONE)
            return fail("cannot transform a " + name_ + " geometry to " + o_.crs.value_or("EPSG:4326"));
        dst.SetGeometryDirectly(geometry.release());
    }
    OGRFeatureDefn* defn = src.GetDefnRef();
    std::string chip_path;
    const int chip_index = defn->GetFieldIndex("chip");
    if (is_damages && chips == ChipMode::Files && chip_index >= 0 && src.IsFieldSetAndNotNull(chip_index)) {
        int size = 0;
        const GByte* data = src.GetFieldAsBinary(chip_index, &size);
        char file[48];
        std::snprintf(file, sizeof(file), "damage_%06lld.jpg", static_cast<long long>(src.GetFieldAsInteger64("damage_id")));
        std::error_code ec;
        fs::create_directories(chips_folder, ec);
        if (auto s = writeWholeFile(chips_folder / file, std::string_view(reinterpret_cast<const char*>(data), size_t(size))); !s)
            return fail(s.error() + " (an evidence chip)");
        ++chips_written;
        chip_path = chips_prefix + file;
    }
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        const OGRFieldDefn* field = defn->GetFieldDefn(i);
        const std::string n = field->GetNameRef();
        const std::string out_name = shp ? shapefileFieldName(n) : n;
        const int j = dst.GetFieldIndex(out_name.c_str());
        if (j < 0)
            continue;
        if (n == "chip_path") {
            if (!chip_path.empty())
                dst.SetField(j, chip_path.c_str());
            continue;
        }
        if (!src.IsFieldSetAndNotNull(i))
            continue;
        if (shp && field->GetType() == OFTDateTime) {
            int y, mo, d, h, mi, tz;
            float s;
            src.GetFieldAsDateTime(i, &y, &mo, &d, &h, &mi, &s, &tz);
            dst.SetField(j, y, mo, d);
            dst.SetField(shapefileTimeFieldName(n).c_str(), src.GetFieldAsString(i));
        } else {
            dst.SetField(j, src.GetRawFieldRef(i));
        }
    }
    if (fmt_.format == ExportFormat::KML)
        describeForKml(src, dst, chips, chip_path);
    return Ok{};
}

void LayerWriter::describeForKml(OGRFeature& src, OGRFeature& dst, ChipMode chips, const std::string& chip_path)
{
    OGRFeatureDefn* defn = src.GetDefnRef();
    const int class_index = defn->GetFieldIndex("class");
    const std::string cls = class_index >= 0 ? src.GetFieldAsString(class_index) : "";
    std::string name = name_ + " " + std::to_string(src.GetFID());
    if (name_ == "damages") {
        const std::string class_name = src.GetFieldAsString("class_name");
        name = cls + " " + class_name + " #" + std::to_string(src.GetFieldAsInteger64("damage_id"));
        const std::string sev = src.GetFieldAsString("severity");
        if (!sev.empty())
            name += " (" + sev + ")";
    }
    std::string html = "<table>";
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        const std::string n = defn->GetFieldDefn(i)->GetNameRef();
        if (n == "chip" || n == "chip_path" || !src.IsFieldSetAndNotNull(i))
            continue;
        html += "<tr><td>" + htmlEscaped(n) + "</td><td>" + htmlEscaped(src.GetFieldAsString(i)) + "</td></tr>";
    }
    html += "</table>";
    const int chip_index = defn->GetFieldIndex("chip");
    if (!chip_path.empty()) {
        html += "<img src=\"" + htmlEscaped(chip_path) + "\" width=\"400\"/>";
    } else if (chips == ChipMode::Embedded && chip_index >= 0 && src.IsFieldSetAndNotNull(chip_index)) {
        int size = 0;
        const GByte* data = src.GetFieldAsBinary(chip_index, &size);
        html += "<img src=\"data:image/jpeg;base64," + base64(data, size) + "\" width=\"400\"/>";
    }
    dst.SetField("name", name.c_str());
    dst.SetField("description", html.c_str());
    const std::string colour = classColour(cls);
    const int width = std::string(src.GetFieldAsString("severity")) == "H" ? 6 : 3;
    dst.SetStyleString(("PEN(c:" + colour + "ff,w:" + std::to_string(width) + "px);BRUSH(fc:" + colour + "80)").c_str());
}

} // namespace voirie
