#include "segment_changes.hpp"

#include "voirie/core/campaign/defect_matching.hpp"
#include "voirie/core/geo/local_metric_frame.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/project/project_open.hpp"
#include "voirie/core/rating/condition_rating.hpp"
#include "voirie/core/rating/rated_segments.hpp"
#include "voirie/core/rating/segment_rating.hpp"

#include <map>
#include <set>

namespace voirie {
namespace fs = std::filesystem;
namespace {

// Moves every geometry of `layers` in the project at `path` by (east, north) metres.
Status shiftProject(const fs::path& path, const std::vector<const char*>& layers, double east, double north)
{
    auto opened = openProject(path, {ProjectAccess::update, {}, IntegrityCheck::none});
    if (!opened)
        return fail(opened.error());
    GDALDataset& ds = **opened;
    std::unique_ptr<LocalMetricFrame> metric;
    for (const char* name : layers) {
        OGRLayer* layer = ds.GetLayerByName(name);
        if (!layer)
            continue;
        if (ds.StartTransaction() != OGRERR_NONE)
            return fail("cannot update " + path.string());
        layer->ResetReading();
        for (OGRFeatureUniquePtr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
            OGRGeometry* g = f->GetGeometryRef();
            if (!g || g->IsEmpty())
                continue;
            if (!metric) {
                OGRPoint centre;
                g->Centroid(&centre);
                metric = std::make_unique<LocalMetricFrame>(centre.getX(), centre.getY());
            }
            std::unique_ptr<OGRGeometry> copy(g->clone());
            if (!metric->toMetric(*copy))
                continue;
            auto moved = shifted(*copy, east, north);
            if (!metric->toGeographic(*moved))
                continue;
            f->SetGeometry(moved.get());
            if (layer->SetFeature(f.get()) != OGRERR_NONE)
                return fail("cannot update " + path.string());
        }
        if (ds.CommitTransaction() != OGRERR_NONE)
            return fail("cannot update " + path.string());
    }
    return Ok{};
}

// The rated segments as a road network: one line per segment, `seg` its index.
Status writeNetwork(const RatedProject& rated, const fs::path& path)
{
    GDALDatasetUniquePtr ds(GetGDALDriverManager()->GetDriverByName("GeoJSON")->Create(path.string().c_str(), 0, 0, 0,
                                                                                     GDT_Unknown, nullptr));
    if (!ds)
        return fail("cannot write " + path.string());
    OGRSpatialReference wgs84 = wgs84LonLat();
    OGRLayer* layer = ds->CreateLayer("segments", &wgs84, wkbLineString, nullptr);
    addField(*layer, "seg", OFTString);
    for (size_t i = 0; i < rated.segments.size(); ++i) {
        OGRLineString line;
        for (const auto& p : rated.segments[i].path)
            line.addPoint(p.lon, p.lat);
        if (line.getNumPoints() < 2)
            continue;
        OGRFeatureUniquePtr f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
        f->SetField("seg", std::to_string(i).c_str());
        f->SetGeometry(&line);
        if (layer->CreateFeature(f.get()) != OGRERR_NONE)
            return fail("cannot write " + path.string());
    }
    return Ok{};
}

Result<RatedProject> rateOn(const fs::path& project, RateOptions options)
{
    options.project = project;
    if (auto rated = rateProject(options); !rated)
        return fail(rated.error());
    auto opened = openProject(project, {ProjectAccess::read, {"segments"}, IntegrityCheck::none});
    if (!opened)
        return fail(opened.error());
    auto rated = readRatedSegments(**opened, project.string());
    if (!rated)
        return fail(rated.error());
    if (!*rated)
        return fail("rating " + project.string() + " wrote no segments");
    return std::move(**rated);
}

// The new campaign's unchanged defects given their old measures (in its scratch copy).
Status weighAsThen(const fs::path& path, const std::vector<UnchangedDefect>& unchanged)
{
    auto opened = openProject(path, {ProjectAccess::update, {}, IntegrityCheck::none});
    if (!opened)
        return fail(opened.error());
    GDALDataset& ds = **opened;
    OGRLayer* damages = ds.GetLayerByName("damages");
    if (!damages || ds.StartTransaction() != OGRERR_NONE)
        return fail("cannot update " + path.string());
    std::map<int64_t, const UnchangedDefect*> by_id;
    std::set<int64_t> dropped;
    for (const auto& u : unchanged) {
        by_id[u.damage_id_now] = &u;
        dropped.insert(u.parts_now.begin(), u.parts_now.end());
    }
    std::vector<GIntBig> to_delete;
    damages->ResetReading();
    for (OGRFeatureUniquePtr f(damages->GetNextFeature()); f; f.reset(damages->GetNextFeature())) {
        const int64_t id = f->GetFieldAsInteger64("damage_id");
        if (dropped.count(id)) {
            to_delete.push_back(f->GetFID());
            continue;
        }
        const auto u = by_id.find(id);
        if (u == by_id.end())
            continue;
        f->SetField("length_m", u->second->length_m);
        f->SetField("area_m2", u->second->area_m2);
        if (u->second->width_mm > 0)
            f->SetField("width_mm", u->second->width_mm);
        else
            f->SetFieldNull(f->GetFieldIndex("width_mm"));
        f->SetField("severity", u->second->severity.c_str());
        if (damages->SetFeature(f.get()) != OGRERR_NONE)
            return fail("cannot update " + path.string());
    }
    for (const GIntBig fid : to_delete)
        if (damages->DeleteFeature(fid) != OGRERR_NONE)
            return fail("cannot update " + path.string());
    if (ds.CommitTransaction() != OGRERR_NONE)
        return fail("cannot update " + path.string());
    return Ok{};
}

} // namespace

Result<SegmentComparison> compareSegments(const fs::path& old_project, const fs::path& new_project, double offset_east_m,
                                          double offset_north_m, const std::vector<UnchangedDefect>& unchanged,
                                          const fs::path& scratch)
{
    const fs::path old_copy = scratch / "old.gpkg", new_copy = scratch / "new.gpkg", network = scratch / "segments.geojson";
    std::error_code ec;
    fs::copy_file(old_project, old_copy, fs::copy_options::overwrite_existing, ec);
    if (!ec)
        fs::copy_file(new_project, new_copy, fs::copy_options::overwrite_existing, ec);
    if (ec)
        return fail("cannot copy the projects into " + scratch.string() + ": " + ec.message());

    // The old survey's segments, as the old project was (or would be) rated.
    auto recorded = recordedRateOptions(old_project);
    if (!recorded)
        return fail(recorded.error());
    auto reference = rateOn(old_copy, *recorded);
    if (!reference)
        return fail(reference.error());
    if (auto s = writeNetwork(*reference, network); !s)
        return fail(s.error());

    // Both campaigns on those segments, the same way; the new one moved onto the old one's GPS.
    if (auto s = shiftProject(new_copy, {"frames", "damages", "track"}, offset_east_m, offset_north_m); !s)
        return fail(s.error());
    if (auto s = weighAsThen(new_copy, unchanged); !s)
        return fail(s.error());
    RateOptions on_segments = *recorded;
    on_segments.network = network;
    on_segments.road_id_field = "seg";
    on_segments.segment_m = 1e6; // each reference segment is one road: rated whole
    on_segments.snap_m = 12;
    auto then = rateOn(old_copy, on_segments);
    if (!then)
        return fail(then.error());
    auto now = rateOn(new_copy, on_segments);
    if (!now)
        return fail(now.error());

    std::map<std::string, const RatedSegment*> then_by_id, now_by_id;
    for (const auto& s : then->segments)
        then_by_id[s.road_id] = &s;
    for (const auto& s : now->segments)
        now_by_id[s.road_id] = &s;
    SegmentComparison out;
    out.scheme = reference->scheme.name;
    for (size_t i = 0; i < reference->segments.size(); ++i) {
        const auto& ref = reference->segments[i];
        const std::string id = std::to_string(i);
        RatedSegmentChange c;
        c.change.label = ref.label;
        c.path = std::make_unique<OGRLineString>();
        for (const auto& p : ref.path)
            c.path->addPoint(p.lon, p.lat);
        const RatedSegment* a = then_by_id.count(id) ? then_by_id[id] : &ref;
        const RatedSegment* b = now_by_id.count(id) ? now_by_id[id] : nullptr;
        c.change.grade_then = a->grade;
        c.change.index_then = a->index;
        c.change.surveyed_then_m = a->surveyed_m;
        c.change.damages_then = a->n_damages;
        if (!b || b->surveyed_m < 0.5 * a->surveyed_m) {
            c.change.change = "not covered";
            if (b)
                c.change.surveyed_now_m = b->surveyed_m;
        } else {
            c.change.grade_now = b->grade;
            c.change.index_now = b->index;
            c.change.surveyed_now_m = b->surveyed_m;
            c.change.damages_now = b->n_damages;
            const size_t band_then = bandIndex(then->scheme, a->grade), band_now = bandIndex(now->scheme, b->grade);
            c.change.change = band_now > band_then ? "worse" : band_now < band_then ? "better" : "same";
        }
        out.segments.push_back(std::move(c));
    }
    return out;
}

} // namespace voirie
