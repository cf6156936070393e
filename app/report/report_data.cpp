#include "report_data.hpp"

#include "voirie/core/gdal_helpers.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

namespace voirie::report {
namespace fs = std::filesystem;

namespace {

std::vector<LonLat> points(const OGRGeometry* g)
{
    std::vector<LonLat> out;
    if (g == nullptr || wkbFlatten(g->getGeometryType()) != wkbLineString)
        return out;
    for (const auto& p : *g->toLineString())
        out.push_back({p.getX(), p.getY()});
    return out;
}

// A DateTime field as "2026-11-24 09:30 UTC", empty when unset.
std::string utcText(OGRFeature& f, const char* field)
{
    int y, mo, d, h, mi, tz;
    float s;
    if (!f.IsFieldSetAndNotNull(f.GetFieldIndex(field)) || !f.GetFieldAsDateTime(f.GetFieldIndex(field), &y, &mo, &d, &h, &mi, &s, &tz))
        return {};
    char text[40];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d UTC", y, mo, d, h, mi);
    return text;
}

} // namespace

Result<ReportData> readReportData(const fs::path& project)
{
    GDALAllRegister();
    CPLErrorReset();
    const char* drivers[] = {"GPKG", nullptr};
    GDALDatasetUniquePtr ds(GDALDataset::Open(project.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers));
    if (!ds)
        return fail("cannot open project " + project.string() + ": " + CPLGetLastErrorMsg());
    for (const char* name : {"track", "damages", "run", "run_inputs", "run_plugins"})
        if (ds->GetLayerByName(name) == nullptr)
            return fail(project.string() + " is not a Voirie project: it has no '" + name + "' layer");
    OGRLayer* rating = ds->GetLayerByName("rating");

    ReportData r;
    r.project = project;
    OGRLayer* run = ds->GetLayerByName("run");
    if (OGRFeatureUniquePtr f(run->GetNextFeature()); f) {
        r.voirie_version = fieldText(*f, "voirie_version");
        r.command_line = fieldText(*f, "command_line");
        r.run_status = fieldText(*f, "status");
        r.anonymized_by = fieldText(*f, "anonymized_by");
        r.started_utc = utcText(*f, "started");
        r.finished_utc = utcText(*f, "finished");
    }
    OGRLayer* inputs = ds->GetLayerByName("run_inputs");
    for (OGRFeatureUniquePtr f(inputs->GetNextFeature()); f; f.reset(inputs->GetNextFeature()))
        r.inputs.push_back({fieldText(*f, "role"), fieldText(*f, "path"),
                            std::to_string(f->GetFieldAsInteger64("size_bytes")), fieldText(*f, "sha256")});
    OGRLayer* plugins = ds->GetLayerByName("run_plugins");
    for (OGRFeatureUniquePtr f(plugins->GetNextFeature()); f; f.reset(plugins->GetNextFeature()))
        r.plugins.push_back({fieldText(*f, "plugin_id"), fieldText(*f, "kind"), fieldText(*f, "version")});

    auto rated = readRatedSegments(*ds, project.string());
    if (!rated)
        return fail(rated.error());
    if (!*rated)
        return fail(project.string() + " has no rated segments: rate it first (voirie rate " + project.string() + ")");
    r.scheme = std::move((*rated)->scheme);
    r.segments = std::move((*rated)->segments);
    for (const auto& s : r.segments) {
        r.surveyed_m += s.surveyed_m;
        r.surveyed_area_m2 += s.area_m2;
    }
    rating->ResetReading();
    if (OGRFeatureUniquePtr record(rating->GetNextFeature()); record)
        r.rated_utc = utcText(*record, "rated");

    OGRLayer* damages = ds->GetLayerByName("damages");
    for (OGRFeatureUniquePtr f(damages->GetNextFeature()); f; f.reset(damages->GetNextFeature())) {
        ReportDamage d;
        d.review_state = fieldText(*f, "review_state");
        if (d.review_state == "rejected")
            continue;
        d.id = f->GetFieldAsInteger64("damage_id");
        d.class_code = fieldText(*f, "class");
        d.severity = fieldText(*f, "severity");
        d.confidence = f->GetFieldAsDouble("confidence");
        d.length_m = f->GetFieldAsDouble("length_m");
        d.area_m2 = f->GetFieldAsDouble("area_m2");
        d.width_mm = f->GetFieldAsDouble("width_mm");
        d.chainage_m = f->GetFieldAsDouble("chainage_m");
        int bytes = 0;
        if (const GByte* chip = f->GetFieldAsBinary(f->GetFieldIndex("chip"), &bytes); chip && bytes > 0)
            d.chip_jpeg.assign(reinterpret_cast<const char*>(chip), size_t(bytes));
        if (const OGRGeometry* g = f->GetGeometryRef(); g && !g->IsEmpty()) {
            OGRPoint c;
            if (g->Centroid(&c) == OGRERR_NONE)
                d.at = {c.getX(), c.getY()};
        }
        r.damages[d.id] = std::move(d);
    }
    OGRLayer* track = ds->GetLayerByName("track");
    for (OGRFeatureUniquePtr f(track->GetNextFeature()); f; f.reset(track->GetNextFeature()))
        if (auto p = points(f->GetGeometryRef()); p.size() >= 2)
            r.track.push_back(std::move(p));
    return r;
}

} // namespace voirie::report
