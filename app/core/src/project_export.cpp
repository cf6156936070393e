#include "voirie/core/project_export.hpp"

#include "voirie/core/damage_classes.hpp"
#include "voirie/core/gdal_helpers.hpp"
#include "voirie/core/html_text.hpp"
#include "voirie/core/qgis_styles.hpp"
#include "voirie/core/severity_rules.hpp"
#include "voirie/core/shapefile_names.hpp"
#include "voirie/core/time_format.hpp"

#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <unistd.h>

namespace voirie {
namespace fs = std::filesystem;

namespace {

struct FormatInfo {
    ExportFormat format;
    const char* name;      // on the command line
    const char* driver;    // GDAL driver
    const char* extension;
    bool many_layers_in_one_file;
    bool binary_fields;
    bool any_crs;          // false: the format is WGS 84 lon/lat by definition
};

const FormatInfo kFormats[] = {
    {ExportFormat::GeoPackage, "gpkg", "GPKG", ".gpkg", true, true, true},
    {ExportFormat::GeoJSON, "geojson", "GeoJSON", ".geojson", false, false, false},
    {ExportFormat::Shapefile, "shp", "ESRI Shapefile", ".shp", false, false, true},
    {ExportFormat::KML, "kml", "LIBKML", ".kml", true, false, false},
    {ExportFormat::CSV, "csv", "CSV", ".csv", false, false, true},
    {ExportFormat::FlatGeobuf, "fgb", "FlatGeobuf", ".fgb", false, true, true},
};

const FormatInfo& info(ExportFormat f)
{
    for (const auto& i : kFormats)
        if (i.format == f)
            return i;
    return kFormats[0];
}

const std::set<std::string> kExportableLayers = {"damages", "detections", "track", "frames", "segments"};

// A temporary sibling of the output (file or folder), renamed over it on success and removed
// otherwise, so that nothing half-written is ever left at the output path.
class StagedOutput {
public:
    StagedOutput(fs::path target, bool folder) : target_(std::move(target)), folder_(folder)
    {
        std::random_device rd;
        staging_ = target_.parent_path() /
                   ("." + target_.filename().string() + ".partial-" + std::to_string(rd() % 1000000));
        if (!folder_)
            staging_ += target_.extension(); // drivers recognise the extension
    }
    ~StagedOutput()
    {
        if (!committed_) {
            std::error_code ec;
            fs::remove_all(staging_, ec);
            fs::remove_all(sidecar(staging_), ec);
        }
    }
    const fs::path& path() const { return staging_; }
    // The folder of evidence chips for a single-file output: `<stem>_chips` beside it.
    static fs::path sidecar(const fs::path& file) { return file.parent_path() / (file.stem().string() + "_chips"); }

    Status commit(bool with_sidecar)
    {
        std::error_code ec;
        std::vector<std::pair<fs::path, fs::path>> moves{{staging_, target_}};
        if (with_sidecar)
            moves.emplace_back(sidecar(staging_), sidecar(target_));
        for (const auto& [from, to] : moves) {
            // Keep the previous output aside until the new one is in place.
            const fs::path backup = to.string() + ".previous";
            fs::remove_all(backup, ec);
            const bool had = fs::exists(to, ec);
            if (had) {
                fs::rename(to, backup, ec);
                if (ec)
                    return fail("cannot replace " + to.string() + ": " + ec.message());
            }
            fs::rename(from, to, ec);
            if (ec) {
                if (had)
                    fs::rename(backup, to, ec);
                return fail("cannot move the export into place at " + to.string() + ": " + ec.message());
            }
            fs::remove_all(backup, ec);
        }
        committed_ = true;
        return Ok{};
    }

private:
    fs::path target_, staging_;
    bool folder_;
    bool committed_ = false;
};

std::string sqlQuoted(const std::string& s)
{
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

std::string damageFilter(const ExportOptions& o)
{
    std::vector<std::string> terms;
    if (!o.classes.empty()) {
        std::string list;
        for (const auto& c : o.classes)
            list += (list.empty() ? "" : ", ") + sqlQuoted(c);
        terms.push_back("class IN (" + list + ")");
    }
    if (o.min_confidence) {
        char t[64];
        std::snprintf(t, sizeof(t), "confidence >= %.17g", *o.min_confidence);
        terms.push_back(t);
    }
    if (o.min_severity) {
        std::string list;
        for (Severity s : {Severity::Low, Severity::Medium, Severity::High})
            if (int(s) >= int(*o.min_severity))
                list += (list.empty() ? "" : ", ") + sqlQuoted(severityCode(s));
        terms.push_back("severity IN (" + list + ")");
    }
    if (o.review == ReviewFilter::Accepted)
        terms.push_back("review_state = 'accepted'");
    else if (o.review == ReviewFilter::NotRejected)
        terms.push_back("(review_state IS NULL OR review_state <> 'rejected')");
    std::string filter;
    for (const auto& t : terms)
        filter += (filter.empty() ? "" : " AND ") + t;
    return filter;
}

std::string describeFilters(const ExportOptions& o)
{
    std::string d;
    auto add = [&](const std::string& s) { d += (d.empty() ? "" : ", ") + s; };
    if (!o.classes.empty()) {
        std::string c;
        for (const auto& x : o.classes)
            c += (c.empty() ? "" : ",") + x;
        add("classes " + c);
    }
    if (o.min_confidence)
        add("confidence >= " + std::to_string(*o.min_confidence));
    if (o.min_severity)
        add("severity >= " + severityCode(*o.min_severity));
    if (o.review != ReviewFilter::All)
        add(o.review == ReviewFilter::Accepted ? "review accepted" : "review not rejected");
    return d.empty() ? "no filter" : d;
}

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

// One source layer written to one or more destination layers.
class LayerWriter {
public:
    LayerWriter(const ExportOptions& o, const FormatInfo& fmt, OGRLayer& source, const std::string& name,
                const OGRSpatialReference& srs, OGRCoordinateTransformation* to_target,
                OGRCoordinateTransformation* to_wgs84)
        : o_(o), fmt_(fmt), source_(source), name_(name), srs_(srs), to_target_(to_target), to_wgs84_(to_wgs84)
    {
    }

    // Where each destination layer goes: a dataset per layer (or one shared).
    std::function<Result<GDALDataset*>(const std::string& layer_name)> dataset_for;
    fs::path chips_folder;      // where chip files go (files mode)
    std::string chips_prefix;   // chip_path as seen from the export once in place: "<folder>/" 
    int64_t chips_written = 0;
    std::vector<fs::path> files;

    Result<int64_t> run()
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
                return fail("cannot write " + name_ + " to " + o_.out.string() + " (disk full or not writable?): " +
                            CPLGetLastErrorMsg());
            ++written;
        }
        return written;
    }

private:
    Result<OGRLayer*> layerFor(const std::string& key, OGRwkbGeometryType type, ChipMode chips, bool is_damages)
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
            return fail("cannot create layer " + key + " in " + o_.out.string() + ": " + CPLGetLastErrorMsg());
        const bool shp = fmt_.format == ExportFormat::Shapefile;
        auto add = [&](const std::string& n, OGRFieldType t, int width = 0) {
            OGRFieldDefn field(n.c_str(), t);
            if (width)
                field.SetWidth(width);
            if (layer->CreateField(&field) != OGRERR_NONE)
                throw std::runtime_error("cannot create field " + n + " in " + key + ": " + CPLGetLastErrorMsg());
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

    Status fill(OGRFeature& src, OGRFeature& dst, ChipMode chips, bool is_damages)
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
            std::ofstream out(chips_folder / file, std::ios::binary);
            out.write(reinterpret_cast<const char*>(data), size);
            if (!out)
                return fail("cannot write evidence chip " + (chips_folder / file).string() + " (disk full?)");
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

    // Placemark name, an HTML description with every attribute and the evidence image, and a
    // style in the class colour.
    void describeForKml(OGRFeature& src, OGRFeature& dst, ChipMode chips, const std::string& chip_path)
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

    const ExportOptions& o_;
    const FormatInfo& fmt_;
    OGRLayer& source_;
    std::string name_;
    const OGRSpatialReference& srs_;
    OGRCoordinateTransformation* to_target_;
    OGRCoordinateTransformation* to_wgs84_;
    std::map<std::string, OGRLayer*> layers_;
};

struct CtDeleter {
    void operator()(OGRCoordinateTransformation* t) const { OGRCoordinateTransformation::DestroyCT(t); }
};

Status writeSidecarStyle(const fs::path& file, const std::string& layer)
{
    const std::string qml = qgisStyleQml(layer);
    if (qml.empty())
        return Ok{};
    fs::path style = file;
    style.replace_extension(".qml");
    std::ofstream out(style);
    out << qml;
    if (!out)
        return fail("cannot write the QGIS style " + style.string());
    return Ok{};
}

Status copyLayerStyles(GDALDataset& from, GDALDataset& to, const std::vector<std::string>& layers)
{
    OGRLayer* styles = from.GetLayerByName("layer_styles");
    if (styles == nullptr)
        return writeQgisStyles(to, "the export");
    char** options = CSLSetNameValue(nullptr, "ASPATIAL_VARIANT", "GPKG_ATTRIBUTES");
    OGRLayer* copy = to.CreateLayer("layer_styles", nullptr, wkbNone, options);
    CSLDestroy(options);
    if (copy == nullptr)
        return fail("cannot create layer_styles in the export");
    OGRFeatureDefn* defn = styles->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i)
        if (copy->CreateField(defn->GetFieldDefn(i)) != OGRERR_NONE)
            return fail("cannot create layer_styles in the export");
    styles->ResetReading();
    for (OGRFeatureUniquePtr f(styles->GetNextFeature()); f; f.reset(styles->GetNextFeature())) {
        const std::string table = f->GetFieldAsString("f_table_name");
        if (std::find(layers.begin(), layers.end(), table) == layers.end())
            continue;
        OGRFeatureUniquePtr g(OGRFeature::CreateFeature(copy->GetLayerDefn()));
        g->SetFrom(f.get());
        if (OGRLayer* target = to.GetLayerByName(table.c_str()))
            g->SetField("f_geometry_column", target->GetGeometryColumn());
        if (copy->CreateFeature(g.get()) != OGRERR_NONE)
            return fail("cannot copy the QGIS styles into the export");
    }
    return Ok{};
}

} // namespace

std::optional<ExportFormat> exportFormatFromName(const std::string& name)
{
    for (const auto& f : kFormats)
        if (name == f.name)
            return f.format;
    return std::nullopt;
}

std::string exportFormatName(ExportFormat format) { return info(format).name; }

Result<ExportSummary> exportProject(const ExportOptions& o)
{
    GDALAllRegister();
    const FormatInfo& fmt = info(o.format);
    std::error_code ec;

    // Everything that can be refused is refused before anything is written.
    if (o.layers.empty())
        return fail("--layers names no layer");
    for (const auto& l : o.layers)
        if (!kExportableLayers.count(l))
            return fail("unknown layer '" + l + "'; a project's layers are damages, detections, track, frames, segments");
    for (const auto& c : o.classes)
        if (!isKnownDamageClass(c))
            return fail("unknown damage class '" + c + "' in --classes (D00, D10, D20, D40, D43, D44, D50, repair)");
    OGRSpatialReference wgs84 = wgs84LonLat(), target = wgs84;
    if (o.crs) {
        if (target.SetFromUserInput(o.crs->c_str()) != OGRERR_NONE)
            return fail("unknown CRS '" + *o.crs + "': GDAL knows no such coordinate reference system");
        target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        if (!fmt.any_crs && !target.IsSame(&wgs84))
            return fail(std::string(fmt.name) + " is always WGS 84 longitude/latitude (" +
                        (o.format == ExportFormat::GeoJSON ? "RFC 7946" : "the KML standard") + "); export to gpkg, shp, "
                        "csv or fgb for " + *o.crs);
    }
    const ChipMode chips = o.chips.value_or(o.format == ExportFormat::GeoPackage ? ChipMode::Embedded : ChipMode::Files);
    if (chips == ChipMode::Embedded && !fmt.binary_fields && o.format != ExportFormat::KML)
        return fail(std::string(fmt.name) + " cannot embed images; use --chips files (images beside the export) or none");

    const char* drivers[] = {"GPKG", nullptr};
    GDALDatasetUniquePtr project(GDALDataset::Open(o.project.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers));
    if (!project)
        return fail("cannot open project " + o.project.string() + ": " +
                    (fs::exists(o.project, ec) ? "it is not a GeoPackage" : "no such file"));
    for (const auto& l : o.layers)
        if (project->GetLayerByName(l.c_str()) == nullptr)
            return fail("project " + o.project.string() + " has no '" + l + "' layer" +
                        (l == "segments" ? " (rate it first: voirie rate)" : ""));

    const bool folder = o.format == ExportFormat::Shapefile || (!fmt.many_layers_in_one_file && o.layers.size() > 1);
    if (fs::exists(o.out, ec) && !o.overwrite)
        return fail(o.out.string() + " already exists; pass --overwrite to replace it");
    const fs::path parent = o.out.parent_path().empty() ? fs::path(".") : o.out.parent_path();
    if (!fs::is_directory(parent, ec))
        return fail("cannot write " + o.out.string() + ": folder " + parent.string() + " does not exist");
    if (::access(parent.c_str(), W_OK) != 0)
        return fail("cannot write " + o.out.string() + ": folder " + parent.string() + " is not writable (" +
                    std::strerror(errno) + ")");
    if (!folder && o.out.extension() != fmt.extension)
        return fail("a " + std::string(fmt.name) + " export must end in " + fmt.extension + ": " + o.out.string() +
                    (fmt.many_layers_in_one_file ? "" : " (several layers go to a folder)"));

    // Selection first: an empty selection writes nothing.
    OGRLayer* damages = project->GetLayerByName("damages");
    const std::string filter = damageFilter(o);
    if (damages && !filter.empty() && damages->SetAttributeFilter(filter.c_str()) != OGRERR_NONE)
        return fail("cannot filter the damages of " + o.project.string() + ": " + CPLGetLastErrorMsg());
    if (std::find(o.layers.begin(), o.layers.end(), "damages") != o.layers.end() && damages->GetFeatureCount() == 0) {
        damages->SetAttributeFilter(nullptr);
        return fail("no damage of " + o.project.string() + " matches the filters (" + describeFilters(o) + "; the project has " +
                    std::to_string(damages->GetFeatureCount()) + " damages); nothing was written");
    }

    // Images leave with the export: say so when the project's were never anonymized.
    std::vector<std::string> warnings;
    if (chips != ChipMode::None && std::find(o.layers.begin(), o.layers.end(), "damages") != o.layers.end())
        if (OGRLayer* run = project->GetLayerByName("run")) {
            run->ResetReading();
            OGRFeatureUniquePtr r(run->GetNextFeature());
            if (r && r->GetFieldIndex("anonymized_by") >= 0 &&
                std::string(r->GetFieldAsString("anonymized_by")).rfind("none", 0) == 0)
                warnings.push_back("the evidence images of " + o.project.string() +
                                   " were not anonymized (analysed with --no-anonymize): faces and licence plates "
                                   "may show; use --chips none to leave them out");
        }

    StagedOutput staged(o.out, folder);
    if (folder)
        fs::create_directories(staged.path(), ec);
    std::unique_ptr<OGRCoordinateTransformation, CtDeleter> to_target, to_wgs84;
    if (!target.IsSame(&wgs84))
        to_target.reset(OGRCreateCoordinateTransformation(&wgs84, &target));
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(fmt.driver);
    if (driver == nullptr)
        return fail(std::string("this GDAL has no ") + fmt.driver + " driver");

    std::map<std::string, GDALDatasetUniquePtr> datasets; // output file -> dataset
    ExportSummary summary;
    summary.out = o.out;
    const fs::path chips_folder = folder ? staged.path() / "chips" : StagedOutput::sidecar(staged.path());
    int64_t chips_written = 0;
    for (const auto& name : o.layers) {
        OGRLayer* source = project->GetLayerByName(name.c_str());
        LayerWriter writer(o, fmt, *source, name, target, to_target.get(), to_wgs84.get());
        writer.chips_folder = chips_folder;
        writer.chips_prefix = (folder ? std::string("chips") : StagedOutput::sidecar(o.out).filename().string()) + "/";
        ExportedLayer exported{name, 0, {}};
        writer.dataset_for = [&](const std::string& layer_name) -> Result<GDALDataset*> {
            const fs::path file = fmt.many_layers_in_one_file ? staged.path()
                                  : folder ? staged.path() / (layer_name + fmt.extension)
                                           : staged.path();
            auto it = datasets.find(file.string());
            if (it == datasets.end()) {
                CPLErrorReset();
                GDALDatasetUniquePtr ds(driver->Create(file.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
                if (!ds)
                    return fail("cannot create " + file.string() + ": " + CPLGetLastErrorMsg());
                if (fmt.format == ExportFormat::GeoPackage && ds->StartTransaction() != OGRERR_NONE)
                    return fail("cannot start a transaction in " + file.string());
                it = datasets.emplace(file.string(), std::move(ds)).first;
            }
            exported.files.push_back(file);
            if (folder && (o.format == ExportFormat::Shapefile || o.format == ExportFormat::GeoJSON))
                if (auto s = writeSidecarStyle(staged.path() / (layer_name + fmt.extension), name); !s)
                    return fail(s.error());
            return it->second.get();
        };
        auto written = writer.run();
        if (!written)
            return fail(written.error());
        exported.features = *written;
        chips_written += writer.chips_written;
        summary.layers.push_back(std::move(exported));
    }
    if (o.format == ExportFormat::GeoPackage) {
        GDALDataset& out = *datasets.begin()->second;
        if (auto s = copyLayerStyles(*project, out, o.layers); !s)
            return fail(s.error());
        if (out.CommitTransaction() != OGRERR_NONE)
            return fail("cannot write " + o.out.string() + " (disk full?): " + CPLGetLastErrorMsg());
    }
    for (auto& [file, ds] : datasets) {
        CPLErrorReset();
        GDALClose(ds.release());
        if (CPLGetLastErrorType() == CE_Failure)
            return fail("cannot finish writing " + o.out.string() + " (disk full?): " + CPLGetLastErrorMsg());
    }
    // Paths as they will be once in place.
    for (auto& l : summary.layers)
        for (auto& f : l.files)
            f = o.out / fs::relative(f, staged.path(), ec);
    if (auto s = staged.commit(!folder && chips_written > 0); !s)
        return fail(s.error());
    if (!folder && o.format == ExportFormat::GeoJSON)
        if (auto s = writeSidecarStyle(o.out, o.layers.front()); !s)
            return fail(s.error());
    summary.chips_written = chips_written;
    summary.warnings = warnings;
    return summary;
}

} // namespace voirie
