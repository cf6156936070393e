#include "report_data.hpp"

#include "voirie/core/base/footprint.hpp"

#include "voirie/core/base/time_format.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/project/project_open.hpp"
#include "voirie/core/project/project_reader.hpp"

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

// A time as "2026-11-24 09:30 UTC", empty when unset (0).
std::string utcText(double unix_seconds)
{
    if (unix_seconds == 0)
        return {};
    const std::string iso = formatIso8601(unix_seconds); // 2026-11-24T09:30:00.000Z
    return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

} // namespace

Result<ReportData> readReportData(const fs::path& project)
{
    auto opened = openProject(project, {ProjectAccess::read, {"track", "damages", "run", "run_inputs", "run_plugins"}});
    if (!opened)
        return fail(opened.error());
    GDALDatasetUniquePtr ds = std::move(*opened);
    OGRLayer* rating = ds->GetLayerByName("rating");

    ReportData r;
    r.project = project;
    const ProjectRun run = readProjectRun(*ds);
    r.voirie_version = run.voirie_version;
    r.command_line = run.command_line;
    r.run_status = run.status;
    r.partial_reasons = run.partial_reasons;
    r.anonymized_by = run.anonymized_by;
    r.started_utc = utcText(run.started);
    r.finished_utc = utcText(run.finished);
    for (const auto& input : run.inputs)
        r.inputs.push_back({input.role, input.path, std::to_string(input.size_bytes), input.sha256});
    for (const auto& plugin : run.plugins)
        r.plugins.push_back({plugin.id, plugin.kind, plugin.version});
    r.surface = findRecordedSurface(run, project);
    if (const auto summary = nlohmann::json::parse(run.summary_json, nullptr, false); summary.is_object()) {
        auto number = [&](const char* key) { return summary.contains(key) && summary[key].is_number() ? summary[key].get<double>() : 0.0; };
        r.cpu_s = number("cpu_s");
        r.wall_s = number("wall_s");
        r.km = number("km");
        r.footprint_recorded = summary.contains("energy_wh");
        if (r.footprint_recorded) {
            r.energy_wh = number("energy_wh");
            r.co2e_g = number("co2e_g");
            if (summary.contains("footprint_factors") && summary["footprint_factors"].is_object())
                r.footprint_method = summary["footprint_factors"].value("method", "");
        } else {
            const Footprint estimate = estimateFootprint(r.cpu_s, r.wall_s, 0, FootprintFactors{});
            r.energy_wh = estimate.energy_wh;
            r.co2e_g = estimate.co2e_g;
        }
        if (r.footprint_method.empty())
            r.footprint_method = footprintMethod(FootprintFactors{});
    }

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
        r.rated_utc = utcText(fieldTime(*record, "rated"));

    auto damages = readProjectDamages(*ds, {/*chips=*/true, /*skip_rejected=*/true});
    if (!damages)
        return fail(project.string() + ": " + damages.error());
    for (auto& read : *damages) {
        ReportDamage d;
        d.review_state = read.review_state;
        d.id = read.damage_id;
        d.class_code = read.class_code;
        d.severity = read.severity;
        d.confidence = read.confidence;
        d.length_m = read.length_m;
        d.area_m2 = read.area_m2;
        d.width_mm = read.width_mm;
        d.chainage_m = read.chainage_m;
        d.chip_jpeg.assign(read.chip.begin(), read.chip.end());
        if (read.geometry) {
            OGRPoint c;
            if (read.geometry->Centroid(&c) == OGRERR_NONE)
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
