#include "voirie/core/project/project_store.hpp"

#include "voirie/core/base/atomic_output.hpp"
#include "voirie/core/base/time_format.hpp"
#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/project/frames_geopackage.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/project/project_open.hpp"
#include "voirie/core/project/qgis_styles.hpp"
#include "voirie/core/vocabulary/damage_classes.hpp"
#include "voirie/core/vocabulary/severity_rules.hpp"

#include <cmath>
#include <sstream>

namespace voirie {
namespace fs = std::filesystem;

namespace {

Status createSchema(GDALDataset& ds, const std::string& where)
{
    OGRSpatialReference wgs84 = wgs84LonLat();
    auto make = [&](const char* name, OGRwkbGeometryType type) {
        char** options = nullptr;
        if (type == wkbNone)
            options = CSLSetNameValue(options, "ASPATIAL_VARIANT", "GPKG_ATTRIBUTES");
        OGRLayer* l = ds.CreateLayer(name, type == wkbNone ? nullptr : &wgs84, type, options);
        CSLDestroy(options);
        return l;
    };
    if (auto s = createTrackAndFrameLayers(ds, where); !s)
        return s;
    OGRLayer* detections = make("detections", wkbUnknown);
    OGRLayer* damages = make("damages", wkbUnknown);
    OGRLayer* run = make("run", wkbNone);
    OGRLayer* inputs = make("run_inputs", wkbNone);
    OGRLayer* plugins = make("run_plugins", wkbNone);
    if (!detections || !damages || !run || !inputs || !plugins)
        return fail("cannot create the project's layers in " + where + ": " + gdalWriteReason());

    for (const char* f : {"frame_index", "damage_id"})
        addField(*detections, f, OFTInteger64);
    addField(*detections, "time", OFTDateTime);
    addField(*detections, "frame_chainage_m", OFTReal);
    for (const char* f : {"plugin_id", "plugin_version", "class"})
        addField(*detections, f, OFTString);
    for (const char* f : {"confidence", "box_x", "box_y", "box_width", "box_height"})
        addField(*detections, f, OFTReal);
    addField(*detections, "pixel_shape", OFTString); // WKT in pixel coordinates, y down
    addField(*detections, "attributes", OFTString);  // the plugin's named numbers, JSON
    for (const char* f : {"length_m", "area_m2", "width_mm", "distance_m", "forward_m", "evidence_score"})
        addField(*detections, f, OFTReal);
    addField(*detections, "truncated", OFTInteger);

    addField(*damages, "damage_id", OFTInteger64);
    addField(*damages, "class", OFTString);
    addField(*damages, "class_name", OFTString);
    addField(*damages, "severity", OFTString);
    for (const char* f : {"confidence", "length_m", "area_m2", "width_mm", "chainage_m"})
        addField(*damages, f, OFTReal);
    addField(*damages, "first_seen", OFTDateTime);
    addField(*damages, "last_seen", OFTDateTime);
    addField(*damages, "n_frames", OFTInteger);
    addField(*damages, "plugins", OFTString);
    addField(*damages, "evidence_frame", OFTInteger64);
    addField(*damages, "evidence_detection", OFTInteger64);
    addField(*damages, "chip", OFTBinary);
    addField(*damages, "chip_path", OFTString);
    addField(*damages, "review_state", OFTString);
    addField(*damages, "review_note", OFTString);

    for (const char* f : {"voirie_version", "command_line", "status", "camera", "options", "fingerprint", "summary",
                          "anonymized_by"})
        addField(*run, f, OFTString);
    addField(*run, "started", OFTDateTime);
    addField(*run, "finished", OFTDateTime);
    addField(*run, "last_frame_index", OFTInteger64);
    addField(*run, "frames_committed", OFTInteger64);
    addField(*run, "schema_version", OFTInteger);
    // What the run cost and its estimated footprint, as columns a GIS user can sum (also in summary).
    for (const char* f : kRunCostFields)
        addField(*run, f, OFTReal);

    for (const char* f : {"role", "path", "sha256"})
        addField(*inputs, f, OFTString);
    addField(*inputs, "size_bytes", OFTInteger64);
    for (const char* f : {"plugin_id", "kind", "version", "binary", "sha256", "parameters"})
        addField(*plugins, f, OFTString);
    return Ok{};
}

Status writeProvenance(GDALDataset& ds, const RunProvenance& run)
{
    OGRLayer* runs = ds.GetLayerByName("run");
    OGRFeatureUniquePtr f(OGRFeature::CreateFeature(runs->GetLayerDefn()));
    f->SetField("voirie_version", run.voirie_version.c_str());
    f->SetField("command_line", run.command_line.c_str());
    f->SetField("status", "running");
    f->SetField("schema_version", kProjectSchemaVersion);
    f->SetField("camera", run.camera.dump().c_str());
    f->SetField("options", run.options.dump().c_str());
    f->SetField("fingerprint", run.fingerprint().c_str());
    std::string anonymized_by;
    for (const auto& a : run.anonymized_by)
        anonymized_by += (anonymized_by.empty() ? "" : ", ") + a;
    f->SetField("anonymized_by", run.anonymized_by.empty() ? "none (--no-anonymize)" : anonymized_by.c_str());
    setTimeField(*f, "started", run.started);
    f->SetField("last_frame_index", GIntBig(-1));
    f->SetField("frames_committed", GIntBig(0));
    if (runs->CreateFeature(f.get()) != OGRERR_NONE)
        return fail(std::string("cannot write the run's provenance: ") + gdalWriteReason());
    OGRLayer* inputs = ds.GetLayerByName("run_inputs");
    for (const auto& input : run.inputs) {
        OGRFeatureUniquePtr i(OGRFeature::CreateFeature(inputs->GetLayerDefn()));
        i->SetField("role", input.role.c_str());
        i->SetField("path", input.path.string().c_str());
        i->SetField("sha256", input.sha256.c_str());
        i->SetField("size_bytes", GIntBig(input.size));
        if (inputs->CreateFeature(i.get()) != OGRERR_NONE)
            return fail(std::string("cannot write the run's inputs: ") + gdalWriteReason());
    }
    OGRLayer* plugins = ds.GetLayerByName("run_plugins");
    for (const auto& plugin : run.plugins) {
        OGRFeatureUniquePtr p(OGRFeature::CreateFeature(plugins->GetLayerDefn()));
        p->SetField("plugin_id", plugin.id.c_str());
        p->SetField("kind", plugin.kind.c_str());
        p->SetField("version", plugin.version.c_str());
        p->SetField("binary", plugin.binary.string().c_str());
        p->SetField("sha256", plugin.sha256.c_str());
        p->SetField("parameters", plugin.parameters.dump().c_str());
        if (plugins->CreateFeature(p.get()) != OGRERR_NONE)
            return fail(std::string("cannot write the run's plugins: ") + gdalWriteReason());
    }
    return Ok{};
}

std::string pixelWkt(const Detection& d)
{
    std::ostringstream s;
    s.precision(6);
    auto points = [&](bool close) {
        for (size_t i = 0; i < d.points.size(); ++i)
            s << (i ? "," : "") << d.points[i].x << " " << d.points[i].y;
        if (close)
            s << "," << d.points[0].x << " " << d.points[0].y;
    };
    if (d.shape == ShapeKind::Polyline) {
        s << "LINESTRING (";
        points(false);
        s << ")";
    } else if (d.shape == ShapeKind::Polygon) {
        s << "POLYGON ((";
        points(true);
        s << "))";
    } else {
        const auto& b = d.box;
        s << "POLYGON ((" << b.x << " " << b.y << "," << b.x + b.width << " " << b.y << "," << b.x + b.width << " "
          << b.y + b.height << "," << b.x << " " << b.y + b.height << "," << b.x << " " << b.y << "))";
    }
    return s.str();
}

// A metric geometry as lon/lat for storing (the layer carries the CRS).
std::unique_ptr<OGRGeometry> toLonLat(const OGRGeometry& metric, const LocalMetricFrame& frame)
{
    std::unique_ptr<OGRGeometry> g(metric.clone());
    if (!frame.toGeographic(*g))
        return nullptr;
    return g;
}

} // namespace

std::string RunProvenance::fingerprint() const
{
    nlohmann::ordered_json j;
    for (const auto& i : inputs)
        j["inputs"].push_back({i.role, i.path.string(), i.size, i.sha256});
    for (const auto& p : plugins)
        j["plugins"].push_back({p.id, p.kind, p.version, p.sha256, p.parameters});
    j["camera"] = camera;
    j["options"] = options;
    return j.dump();
}

ProjectStore::ProjectStore(fs::path path, GDALDatasetUniquePtr ds) : path_(std::move(path)), ds_(std::move(ds)) {}
ProjectStore::~ProjectStore() = default;

Result<std::unique_ptr<ProjectStore>> ProjectStore::create(const fs::path& path, const Track& track,
                                                           const RunProvenance& run)
{
    auto output = AtomicOutput::prepare(path, true);
    if (!output)
        return fail(output.error());
    {
        auto ds = createGeoPackage(output->temporaryPath());
        if (!ds)
            return fail(ds.error());
        if (auto s = createSchema(**ds, path.string()); !s)
            return fail(s.error());
        if ((*ds)->StartTransaction() != OGRERR_NONE)
            return fail("cannot start a transaction in " + path.string());
        if (auto s = writeTrackFeatures(*(*ds)->GetLayerByName("track"), track); !s)
            return fail(s.error() + " (" + path.string() + ")");
        if (auto s = writeProvenance(**ds, run); !s)
            return fail(s.error() + " (" + path.string() + ")");
        if ((*ds)->CommitTransaction() != OGRERR_NONE)
            return fail(gdalWriteFailure("write", path));
        GDALClose(ds->release());
        if (CPLGetLastErrorType() == CE_Failure)
            return fail(gdalWriteFailure("finish writing", path));
    }
    if (auto s = output->commit(); !s)
        return fail(s.error());
    return open(path);
}

Result<std::unique_ptr<ProjectStore>> ProjectStore::open(const fs::path& path)
{
    auto ds = openProject(path, {ProjectAccess::update,
                                 {"track", "frames", "detections", "damages", "run", "run_inputs", "run_plugins"}});
    if (!ds)
        return fail(ds.error());
    return std::unique_ptr<ProjectStore>(new ProjectStore(path, std::move(*ds)));
}

OGRLayer* ProjectStore::layer(const char* name) { return ds_->GetLayerByName(name); }

Status ProjectStore::failed(const std::string& what)
{
    return fail(gdalWriteFailure(what + " in", path_));
}

std::string ProjectStore::fingerprint() const
{
    OGRLayer* run = ds_->GetLayerByName("run");
    run->ResetReading();
    OGRFeatureUniquePtr f(run->GetNextFeature());
    return f ? f->GetFieldAsString("fingerprint") : "";
}

std::string ProjectStore::status() const
{
    OGRLayer* run = ds_->GetLayerByName("run");
    run->ResetReading();
    OGRFeatureUniquePtr f(run->GetNextFeature());
    return f ? f->GetFieldAsString("status") : "";
}

Result<ResumeState> ProjectStore::readResumeState(const LocalMetricFrame& frame)
{
    ResumeState state;
    OGRLayer* run = layer("run");
    run->ResetReading();
    OGRFeatureUniquePtr r(run->GetNextFeature());
    if (!r)
        return fail(path_.string() + " has no run record");
    state.last_frame_index = r->GetFieldAsInteger64("last_frame_index");
    state.frames_committed = r->GetFieldAsInteger64("frames_committed");

    OGRLayer* detections = layer("detections");
    detections->ResetReading();
    for (OGRFeatureUniquePtr f(detections->GetNextFeature()); f; f.reset(detections->GetNextFeature())) {
        ++state.detections;
        Detection pixel;
        pixel.plugin_id = f->GetFieldAsString("plugin_id");
        pixel.plugin_version = f->GetFieldAsString("plugin_version");
        pixel.class_code = f->GetFieldAsString("class");
        pixel.confidence = f->GetFieldAsDouble("confidence");
        pixel.box = {f->GetFieldAsDouble("box_x"), f->GetFieldAsDouble("box_y"), f->GetFieldAsDouble("box_width"),
                     f->GetFieldAsDouble("box_height")};
        OGRGeometry* shape = nullptr;
        if (OGRGeometryFactory::createFromWkt(f->GetFieldAsString("pixel_shape"), nullptr, &shape) == OGRERR_NONE &&
            shape != nullptr) {
            std::unique_ptr<OGRGeometry> owned(shape);
            const OGRSimpleCurve* curve = nullptr;
            if (wkbFlatten(shape->getGeometryType()) == wkbLineString) {
                pixel.shape = ShapeKind::Polyline;
                curve = shape->toLineString();
            } else if (wkbFlatten(shape->getGeometryType()) == wkbPolygon) {
                pixel.shape = ShapeKind::Polygon;
                curve = shape->toPolygon()->getExteriorRing();
            }
            const int n = curve ? curve->getNumPoints() - (pixel.shape == ShapeKind::Polygon ? 1 : 0) : 0;
            for (int i = 0; i < n; ++i)
                pixel.points.push_back({curve->getX(i), curve->getY(i)});
        }
        state.detections_by_id[f->GetFID()] = std::move(pixel);
        const OGRGeometry* g = f->GetGeometryRef();
        if (g == nullptr || g->IsEmpty())
            continue;
        Observation o;
        o.detection_id = f->GetFID();
        o.frame_index = f->GetFieldAsInteger64("frame_index");
        int year, month, day, hour, minute, tz;
        float second;
        f->GetFieldAsDateTime(f->GetFieldIndex("time"), &year, &month, &day, &hour, &minute, &second, &tz);
        o.time = unixFromUtc(year, month, day, hour, minute, second);
        o.frame_chainage_m = f->GetFieldAsDouble("frame_chainage_m");
        o.class_code = f->GetFieldAsString("class");
        o.plugin_id = f->GetFieldAsString("plugin_id");
        o.confidence = f->GetFieldAsDouble("confidence");
        std::unique_ptr<OGRGeometry> metric(g->clone());
        if (!frame.toMetric(*metric))
            return fail("cannot bring detection " + std::to_string(o.detection_id) + " of " + path_.string() +
                        " into the survey's metric frame");
        OGRPoint centre;
        metric->Centroid(&centre);
        o.centroid = {centre.getX(), centre.getY()};
        o.footprint = std::move(metric);
        o.length_m = f->GetFieldAsDouble("length_m");
        o.area_m2 = f->GetFieldAsDouble("area_m2");
        if (f->IsFieldSetAndNotNull(f->GetFieldIndex("width_mm")))
            o.width_mm = f->GetFieldAsDouble("width_mm");
        o.distance_m = f->GetFieldAsDouble("distance_m");
        o.forward_m = f->GetFieldAsDouble("forward_m");
        o.evidence_score = f->GetFieldAsDouble("evidence_score");
        o.truncated = f->GetFieldAsInteger("truncated") != 0;
        state.observations_by_frame[o.frame_index].push_back(std::move(o));
    }
    for (auto& [_, list] : state.observations_by_frame)
        std::sort(list.begin(), list.end(), [](auto& a, auto& b) { return a.detection_id < b.detection_id; });
    return state;
}

Status ProjectStore::clearDamages()
{
    if (auto s = begin(); !s)
        return s;
    CPLErrorReset();
    ds_->ExecuteSQL("DELETE FROM damages", nullptr, nullptr);
    ds_->ExecuteSQL("UPDATE detections SET damage_id = NULL", nullptr, nullptr);
    if (CPLGetLastErrorType() == CE_Failure)
        return failed("clear the damages of the interrupted run");
    return commit();
}

Status ProjectStore::begin()
{
    if (ds_->StartTransaction() != OGRERR_NONE)
        return failed("start a transaction");
    return Ok{};
}

Status ProjectStore::commit()
{
    CPLErrorReset();
    if (ds_->CommitTransaction() != OGRERR_NONE)
        return failed("commit");
    return Ok{};
}

Status ProjectStore::addFrame(const GeoFrame& frame)
{
    if (auto s = writeFrameFeature(*layer("frames"), frame); !s)
        return failed("write frame " + std::to_string(frame.index));
    return Ok{};
}

Result<int64_t> ProjectStore::addDetection(const StoredDetection& stored, const LocalMetricFrame& frame)
{
    OGRLayer* detections = layer("detections");
    OGRFeatureUniquePtr f(OGRFeature::CreateFeature(detections->GetLayerDefn()));
    const Detection& d = stored.detection;
    f->SetField("frame_index", GIntBig(stored.frame_index));
    setTimeField(*f, "time", stored.time);
    f->SetField("frame_chainage_m", stored.frame_chainage_m);
    f->SetField("plugin_id", d.plugin_id.c_str());
    f->SetField("plugin_version", d.plugin_version.c_str());
    f->SetField("class", d.class_code.c_str());
    f->SetField("confidence", d.confidence);
    f->SetField("box_x", d.box.x);
    f->SetField("box_y", d.box.y);
    f->SetField("box_width", d.box.width);
    f->SetField("box_height", d.box.height);
    f->SetField("pixel_shape", pixelWkt(d).c_str());
    nlohmann::ordered_json attributes = nlohmann::ordered_json::object();
    for (const auto& [k, v] : d.attributes)
        attributes[k] = v;
    f->SetField("attributes", attributes.dump().c_str());
    if (const auto& o = stored.observation) {
        if (auto g = toLonLat(*o->footprint, frame))
            f->SetGeometryDirectly(g.release());
        f->SetField("length_m", o->length_m);
        f->SetField("area_m2", o->area_m2);
        if (o->width_mm)
            f->SetField("width_mm", *o->width_mm);
        f->SetField("distance_m", o->distance_m);
        f->SetField("forward_m", o->forward_m);
        f->SetField("evidence_score", o->evidence_score);
        f->SetField("truncated", o->truncated ? 1 : 0);
    }
    if (detections->CreateFeature(f.get()) != OGRERR_NONE)
        return fail(failed("write a detection of frame " + std::to_string(stored.frame_index)).error());
    return int64_t(f->GetFID());
}

Status ProjectStore::addDamage(const Damage& d, const LocalMetricFrame& frame, const std::string& chip_path)
{
    OGRLayer* damages = layer("damages");
    OGRFeatureUniquePtr f(OGRFeature::CreateFeature(damages->GetLayerDefn()));
    if (auto g = toLonLat(*d.geometry, frame))
        f->SetGeometryDirectly(g.release());
    f->SetField("damage_id", GIntBig(d.id));
    f->SetField("class", d.class_code.c_str());
    for (const auto& c : kDamageClasses)
        if (c.code == d.class_code)
            f->SetField("class_name", std::string(c.name).c_str());
    f->SetField("severity", severityCode(d.severity).c_str());
    f->SetField("confidence", d.confidence);
    f->SetField("length_m", d.length_m);
    f->SetField("area_m2", d.area_m2);
    if (d.width_mm)
        f->SetField("width_mm", *d.width_mm);
    f->SetField("chainage_m", d.chainage_m);
    setTimeField(*f, "first_seen", d.first_seen);
    setTimeField(*f, "last_seen", d.last_seen);
    f->SetField("n_frames", d.n_frames);
    f->SetField("plugins", d.plugins.c_str());
    f->SetField("evidence_frame", GIntBig(d.evidence_frame));
    f->SetField("evidence_detection", GIntBig(d.evidence_detection));
    if (!d.evidence_jpeg.empty())
        f->SetField(f->GetFieldIndex("chip"), int(d.evidence_jpeg.size()), d.evidence_jpeg.data());
    if (!chip_path.empty())
        f->SetField("chip_path", chip_path.c_str());
    f->SetField("review_state", "unreviewed");
    if (damages->CreateFeature(f.get()) != OGRERR_NONE)
        return failed("write damage " + std::to_string(d.id));
    std::string ids;
    for (const auto& o : d.observations)
        ids += (ids.empty() ? "" : ",") + std::to_string(o.detection_id);
    if (ids.empty())
        return Ok{};
    CPLErrorReset();
    ds_->ExecuteSQL(("UPDATE detections SET damage_id = " + std::to_string(d.id) + " WHERE fid IN (" + ids + ")").c_str(),
                    nullptr, nullptr);
    if (CPLGetLastErrorType() == CE_Failure)
        return failed("link damage " + std::to_string(d.id) + " to its detections");
    return Ok{};
}

Status ProjectStore::setProgress(int64_t last_frame_index, int64_t frames_committed, const std::string& status)
{
    OGRLayer* run = layer("run");
    run->ResetReading();
    OGRFeatureUniquePtr f(run->GetNextFeature());
    if (!f)
        return fail(path_.string() + " has no run record");
    f->SetField("last_frame_index", GIntBig(last_frame_index));
    f->SetField("frames_committed", GIntBig(frames_committed));
    f->SetField("status", status.c_str());
    if (run->SetFeature(f.get()) != OGRERR_NONE)
        return failed("record the run's progress");
    return Ok{};
}

Status ProjectStore::finishRun(double finished, const nlohmann::ordered_json& summary, const std::string& status)
{
    OGRLayer* run = layer("run");
    for (const char* name : kRunCostFields) // a run begun by an older Voirie, resumed by this one
        if (run->GetLayerDefn()->GetFieldIndex(name) < 0)
            addField(*run, name, OFTReal);
    run->ResetReading();
    OGRFeatureUniquePtr f(run->GetNextFeature());
    if (!f)
        return fail(path_.string() + " has no run record");
    setTimeField(*f, "finished", finished);
    f->SetField("summary", summary.dump().c_str());
    for (const char* name : kRunCostFields)
        if (summary.contains(name) && summary[name].is_number())
            f->SetField(name, summary[name].get<double>());
    f->SetField("status", status.c_str());
    if (run->SetFeature(f.get()) != OGRERR_NONE)
        return failed("record the end of the run");
    return Ok{};
}

Status ProjectStore::writeStyles()
{
    return writeQgisStyles(*ds_, path_.string());
}

} // namespace voirie
