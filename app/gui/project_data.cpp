#include "project_data.hpp"

#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/project/project_open.hpp"
#include "voirie/core/project/project_reader.hpp"
#include "voirie/core/rating/condition_rating.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>

namespace voirie::gui {
namespace fs = std::filesystem;

namespace {

constexpr double kEarthRadius = 6378137.0; // the sphere of EPSG:3857

// For the frame-by-frame reads after loadProject() checked the project (a check per frame would
// cost a full scan each time).
GDALDatasetUniquePtr reopenCheckedProject(const fs::path& project)
{
    GDALAllRegister();
    CPLErrorReset();
    const char* drivers[] = {"GPKG", nullptr};
    return GDALDatasetUniquePtr(
        GDALDataset::Open(project.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers));
}

std::vector<MapPoint> linePoints(const OGRLineString& line)
{
    std::vector<MapPoint> out;
    out.reserve(size_t(line.getNumPoints()));
    for (int i = 0; i < line.getNumPoints(); ++i)
        out.push_back(toMercator(line.getX(i), line.getY(i)));
    return out;
}

// A damage's footprint; multi-part footprints keep their largest part.
void readShape(const OGRGeometry* g, DamageRecord& d)
{
    if (g == nullptr || g->IsEmpty())
        return;
    switch (wkbFlatten(g->getGeometryType())) {
    case wkbPoint:
        d.shape = ShapeKind::Point;
        d.points = {toMercator(g->toPoint()->getX(), g->toPoint()->getY())};
        break;
    case wkbLineString:
        d.shape = ShapeKind::Line;
        d.points = linePoints(*g->toLineString());
        break;
    case wkbPolygon:
        d.shape = ShapeKind::Polygon;
        if (const OGRLinearRing* ring = g->toPolygon()->getExteriorRing())
            d.points = linePoints(*ring);
        break;
    case wkbMultiLineString:
    case wkbMultiPolygon: {
        const auto* parts = g->toGeometryCollection();
        const OGRGeometry* largest = nullptr;
        double largest_size = -1;
        for (const OGRGeometry* part : *parts) {
            OGREnvelope e;
            part->getEnvelope(&e);
            if (const double size = (e.MaxX - e.MinX) + (e.MaxY - e.MinY); size > largest_size) {
                largest_size = size;
                largest = part;
            }
        }
        readShape(largest, d);
        return;
    }
    default:
        break;
    }
    for (const auto& p : d.points)
        d.bounds.extend(p);
    d.centre = d.bounds.centre();
}

} // namespace

void MapRect::extend(const MapPoint& p)
{
    min_x = std::min(min_x, p.x);
    min_y = std::min(min_y, p.y);
    max_x = std::max(max_x, p.x);
    max_y = std::max(max_y, p.y);
}

void MapRect::extend(const MapRect& r)
{
    if (r.empty())
        return;
    extend(MapPoint{r.min_x, r.min_y});
    extend(MapPoint{r.max_x, r.max_y});
}

bool MapRect::intersects(const MapRect& r) const
{
    return !(r.min_x > max_x || r.max_x < min_x || r.min_y > max_y || r.max_y < min_y);
}

MapPoint toMercator(double lon, double lat)
{
    lat = std::clamp(lat, -85.05112878, 85.05112878);
    return {kEarthRadius * lon * M_PI / 180.0, kEarthRadius * std::log(std::tan(M_PI / 4 + lat * M_PI / 360.0))};
}

void fromMercator(const MapPoint& p, double& lon, double& lat)
{
    lon = p.x / kEarthRadius * 180.0 / M_PI;
    lat = (2 * std::atan(std::exp(p.y / kEarthRadius)) - M_PI / 2) * 180.0 / M_PI;
}

int ProjectData::findDamage(int64_t damage_id) const
{
    auto it = damage_by_id_.find(damage_id);
    return it == damage_by_id_.end() ? -1 : it->second;
}

int ProjectData::findFrame(int64_t frame_index) const
{
    auto it = std::upper_bound(frames.begin(), frames.end(), frame_index,
                               [](int64_t i, const FrameRecord& f) { return i < f.index; });
    return it == frames.begin() ? (frames.empty() ? -1 : 0) : int(it - frames.begin()) - 1;
}

std::optional<fs::path> ProjectData::sourceFile(const std::string& file_name) const
{
    std::error_code ec;
    if (auto it = sources.find(file_name); it != sources.end() && fs::exists(it->second, ec))
        return it->second;
    if (const fs::path beside = path.parent_path() / file_name; fs::exists(beside, ec))
        return beside;
    return std::nullopt;
}

Result<ProjectData> loadProject(const fs::path& project, IntegrityCheck integrity)
{
    auto opened = openProject(project, {ProjectAccess::read, {"track", "frames", "damages"}, integrity});
    if (!opened)
        return fail(opened.error());
    GDALDatasetUniquePtr ds = std::move(*opened);

    ProjectData data;
    data.path = project;
    const ProjectRun run = readProjectRun(*ds);
    data.run_status = run.status;
    data.partial_reasons = run.partial_reasons;
    data.camera_json = run.camera_json;
    data.surface = findRecordedSurface(run, project);
    for (const auto& input : run.inputs)
        if (const fs::path p = input.path; !p.empty())
            data.sources[p.filename().string()] = p;

    OGRLayer* track = ds->GetLayerByName("track");
    for (OGRFeatureUniquePtr f(track->GetNextFeature()); f; f.reset(track->GetNextFeature()))
        if (const OGRGeometry* g = f->GetGeometryRef(); g && wkbFlatten(g->getGeometryType()) == wkbLineString) {
            data.track.push_back(linePoints(*g->toLineString()));
            for (const auto& p : data.track.back())
                data.bounds.extend(p);
        }

    OGRLayer* frames = ds->GetLayerByName("frames");
    for (OGRFeatureUniquePtr f(frames->GetNextFeature()); f; f.reset(frames->GetNextFeature())) {
        FrameRecord r;
        r.index = f->GetFieldAsInteger64("frame_index");
        r.file = fieldText(*f, "file");
        r.frame_in_file = f->GetFieldAsInteger64("frame_in_file");
        r.pts_ms = fieldNumber(*f, "pts_ms");
        r.time = fieldTime(*f, "time");
        r.heading_deg = fieldNumber(*f, "heading_deg");
        r.chainage_m = fieldNumber(*f, "chainage_m");
        if (const OGRGeometry* g = f->GetGeometryRef(); g && wkbFlatten(g->getGeometryType()) == wkbPoint)
            r.at = toMercator(g->toPoint()->getX(), g->toPoint()->getY());
        data.frames.push_back(std::move(r));
    }
    std::sort(data.frames.begin(), data.frames.end(),
              [](const FrameRecord& a, const FrameRecord& b) { return a.index < b.index; });

    // The chips are the bulk of the file and are read one at a time when shown.
    auto damages = readProjectDamages(*ds);
    if (!damages)
        return fail(project.string() + ": " + damages.error());
    data.damages.reserve(damages->size());
    for (auto& read : *damages) {
        DamageRecord d;
        d.damage_id = read.damage_id;
        d.class_code = std::move(read.class_code);
        d.severity = std::move(read.severity);
        d.review_state = read.review_state.empty() ? "unreviewed" : std::move(read.review_state);
        d.review_note = std::move(read.review_note);
        d.plugins = std::move(read.plugins);
        d.confidence = read.confidence;
        d.length_m = read.length_m;
        d.area_m2 = read.area_m2;
        d.width_mm = read.width_mm;
        d.chainage_m = read.chainage_m;
        d.first_seen = read.first_seen;
        d.n_frames = read.n_frames;
        d.evidence_frame = read.evidence_frame;
        d.evidence_detection = read.evidence_detection;
        readShape(read.geometry.get(), d);
        data.bounds.extend(d.bounds);
        data.damage_by_id_[d.damage_id] = int(data.damages.size());
        data.damages.push_back(std::move(d));
    }

    // A rating that cannot be read leaves the segments out; the damages are still reviewable.
    if (auto rated = readRatedSegments(*ds, project.string()); rated && *rated) {
        const RatingScheme& scheme = (*rated)->scheme;
        data.scheme_title = scheme.title;
        for (const auto& band : scheme.grades)
            data.grades.push_back(
                {band.grade, band.label, gradeColour(bandIndex(scheme, band.grade), scheme.grades.size()), band.treatment});
        for (auto& rated_segment : (*rated)->segments) {
            SegmentRecord s;
            static_cast<RatedSegment&>(s) = std::move(rated_segment);
            s.colour = gradeColour(bandIndex(scheme, s.grade), scheme.grades.size());
            for (const auto& p : s.path)
                s.map_path.push_back(toMercator(p.lon, p.lat));
            data.segments.push_back(std::move(s));
        }
    }
    return data;
}

Result<std::vector<FrameDetection>> loadFrameDetections(const fs::path& project, int64_t frame_index)
{
    GDALDatasetUniquePtr ds = reopenCheckedProject(project);
    if (!ds)
        return fail("cannot open project " + project.string() + ": " + CPLGetLastErrorMsg());
    OGRLayer* detections = ds->GetLayerByName("detections");
    if (detections == nullptr)
        return fail(project.string() + " has no detections layer");
    detections->SetAttributeFilter(("frame_index = " + std::to_string(frame_index)).c_str());
    std::vector<FrameDetection> out;
    for (OGRFeatureUniquePtr f(detections->GetNextFeature()); f; f.reset(detections->GetNextFeature())) {
        FrameDetection d;
        d.detection_id = f->GetFID();
        d.damage_id = f->IsFieldSetAndNotNull(f->GetFieldIndex("damage_id")) ? f->GetFieldAsInteger64("damage_id") : -1;
        d.class_code = fieldText(*f, "class");
        d.plugin_id = fieldText(*f, "plugin_id");
        d.confidence = fieldNumber(*f, "confidence");
        d.box_x = fieldNumber(*f, "box_x");
        d.box_y = fieldNumber(*f, "box_y");
        d.box_width = fieldNumber(*f, "box_width");
        d.box_height = fieldNumber(*f, "box_height");
        d.pixel_wkt = fieldText(*f, "pixel_shape");
        out.push_back(std::move(d));
    }
    return out;
}

Result<std::vector<int64_t>> loadDamageFrames(const fs::path& project, int64_t damage_id)
{
    GDALDatasetUniquePtr ds = reopenCheckedProject(project);
    if (!ds)
        return fail("cannot open project " + project.string() + ": " + CPLGetLastErrorMsg());
    OGRLayer* frames = ds->ExecuteSQL(
        ("SELECT DISTINCT frame_index FROM detections WHERE damage_id = " + std::to_string(damage_id) + " ORDER BY frame_index").c_str(),
        nullptr, nullptr);
    if (frames == nullptr)
        return fail(project.string() + " has no detections layer");
    std::vector<int64_t> out;
    for (OGRFeatureUniquePtr f(frames->GetNextFeature()); f; f.reset(frames->GetNextFeature()))
        out.push_back(f->GetFieldAsInteger64(0));
    ds->ReleaseResultSet(frames);
    return out;
}

std::string loadChip(const fs::path& project, int64_t damage_id)
{
    GDALDatasetUniquePtr ds = reopenCheckedProject(project);
    OGRLayer* damages = ds ? ds->GetLayerByName("damages") : nullptr;
    if (damages == nullptr)
        return {};
    damages->SetAttributeFilter(("damage_id = " + std::to_string(damage_id)).c_str());
    OGRFeatureUniquePtr f(damages->GetNextFeature());
    int bytes = 0;
    const GByte* chip = f ? f->GetFieldAsBinary(f->GetFieldIndex("chip"), &bytes) : nullptr;
    return chip && bytes > 0 ? std::string(reinterpret_cast<const char*>(chip), size_t(bytes)) : std::string();
}

void ProjectData::attachComparison(ComparisonRecord record)
{
    ChangeView view;
    view.row_of_damage.assign(damages.size(), -1);
    for (size_t row = 0; row < record.defects.size(); ++row) {
        const auto& d = record.defects[row];
        if (d.damage_id_now >= 0) {
            if (const int i = findDamage(d.damage_id_now); i >= 0)
                view.row_of_damage[size_t(i)] = int(row);
        } else {
            view.gone.push_back(int(row));
            view.gone_at.push_back(toMercator(d.at.lon, d.at.lat));
        }
    }
    view.record = std::move(record);
    changes = std::move(view);
}

const DefectChangeRecord* ProjectData::changeRecordOf(int damage_index) const
{
    if (!changes || damage_index < 0 || size_t(damage_index) >= changes->row_of_damage.size())
        return nullptr;
    const int row = changes->row_of_damage[size_t(damage_index)];
    return row >= 0 ? &changes->record.defects[size_t(row)] : nullptr;
}

std::string ProjectData::changeOf(int damage_index) const
{
    const DefectChangeRecord* r = changeRecordOf(damage_index);
    return r ? r->change : "";
}

} // namespace voirie::gui
