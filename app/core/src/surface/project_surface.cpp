#include "voirie/core/surface/project_surface.hpp"

#include "voirie/core/geo/camera_file.hpp"
#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/geo/local_metric_frame.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/project/project_frames.hpp"
#include "voirie/core/project/project_open.hpp"
#include "voirie/core/project/project_reader.hpp"

#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <optional>

namespace fs = std::filesystem;

namespace voirie {
namespace {

struct ProjectFrame {
    SurfaceFramePose pose;
    std::string file;
    int64_t frame_in_file = 0;
};

// The project's run row and its summary (an object; empty when it has none or it is not JSON).
struct RunRecord {
    OGRLayer* layer = nullptr;
    OGRFeatureUniquePtr row;
    nlohmann::ordered_json summary;
};
Result<RunRecord> readRunRecord(GDALDataset& ds, const fs::path& project, const std::string& purpose)
{
    RunRecord r;
    r.layer = ds.GetLayerByName("run");
    r.layer->ResetReading();
    r.row.reset(r.layer->GetNextFeature());
    if (!r.row)
        return fail(project.string() + " has no run to record " + purpose + " in");
    r.summary = nlohmann::ordered_json::parse(fieldText(*r.row, "summary"), nullptr, false);
    if (!r.summary.is_object())
        r.summary = nlohmann::ordered_json::object();
    return r;
}

// Each damage's shift (metres east, north): the registration's shift of the frames of its whole
// views, weighted by how good a view each is, as the tracker placed it; a damage seen only in
// part takes its views' plain mean. Rounded to 0.1 mm: what is applied is what is recorded.
std::map<int64_t, cv::Vec2d> damageShifts(OGRLayer& detections, const std::vector<FrameShift>& frame_shifts)
{
    std::map<int64_t, cv::Vec2d> of_frame;
    for (const auto& s : frame_shifts)
        of_frame[s.frame_index] = {s.east_m, s.north_m};
    struct Sum {
        cv::Vec2d weighted{0, 0}, plain{0, 0};
        double weight = 0;
        int views = 0;
    };
    std::map<int64_t, Sum> sums;
    const int truncated = detections.GetLayerDefn()->GetFieldIndex("truncated");
    const int damage_id = detections.GetLayerDefn()->GetFieldIndex("damage_id");
    detections.ResetReading();
    for (OGRFeatureUniquePtr f(detections.GetNextFeature()); f; f.reset(detections.GetNextFeature())) {
        const auto at = of_frame.find(f->GetFieldAsInteger64("frame_index"));
        if (at == of_frame.end() || !f->IsFieldSetAndNotNull(damage_id))
            continue;
        Sum& sum = sums[f->GetFieldAsInteger64(damage_id)];
        sum.plain += at->second;
        ++sum.views;
        if (truncated < 0 || !f->GetFieldAsInteger(truncated)) {
            const double weight = std::max(fieldNumber(*f, "evidence_score"), 1e-6);
            sum.weighted += weight * at->second;
            sum.weight += weight;
        }
    }
    std::map<int64_t, cv::Vec2d> shifts;
    for (const auto& [id, sum] : sums) {
        const cv::Vec2d mean = sum.weight > 0 ? sum.weighted / sum.weight : sum.plain / double(sum.views);
        shifts[id] = {std::round(mean[0] * 1e4) / 1e4, std::round(mean[1] * 1e4) / 1e4};
    }
    return shifts;
}

} // namespace

nlohmann::ordered_json DamageAlignment::toJson() const
{
    return {{"damages_moved", damages_moved}, {"mean_shift_m", mean_shift_m}, {"max_shift_m", max_shift_m}};
}

Result<DamageAlignment> alignDamagesToSurface(const fs::path& project, const std::vector<FrameShift>& frame_shifts)
{
    if (frame_shifts.empty())
        return fail("the surface was placed by the GPS alone (--no-register): there is nothing to align the damages to");
    auto opened = openProject(project, {ProjectAccess::update,
                                        {"run", {"damages", {"damage_id"}}, {"detections", {"frame_index", "damage_id"}}},
                                        IntegrityCheck::quick});
    if (!opened)
        return fail(opened.error());
    GDALDataset& ds = **opened;
    GdalErrorTrap trap;
    const std::map<int64_t, cv::Vec2d> shifts = damageShifts(*ds.GetLayerByName("detections"), frame_shifts);

    auto run = readRunRecord(ds, project, "the damages' alignment");
    if (!run)
        return fail(run.error());
    nlohmann::ordered_json& summary = run->summary;
    // What an earlier alignment applied, undone first.
    nlohmann::ordered_json applied = nlohmann::ordered_json::object();
    if (auto earlier = summary.find("damages_aligned"); earlier != summary.end() && earlier->is_object())
        applied = earlier->value("shifts_m", applied);

    DamageAlignment result;
    nlohmann::ordered_json recorded = nlohmann::ordered_json::object();
    std::vector<OGRFeatureUniquePtr> moved;
    std::optional<LocalMetricFrame> metric;
    OGRLayer* damages = ds.GetLayerByName("damages");
    damages->ResetReading();
    for (OGRFeatureUniquePtr f(damages->GetNextFeature()); f; f.reset(damages->GetNextFeature())) {
        OGRGeometry* geometry = f->GetGeometryRef();
        const int64_t id = f->GetFieldAsInteger64("damage_id");
        const std::string key = std::to_string(id);
        cv::Vec2d before{0, 0}, shift{0, 0};
        if (const auto a = applied.find(key); a != applied.end() && a->is_array() && a->size() == 2 &&
                                              (*a)[0].is_number() && (*a)[1].is_number())
            before = {(*a)[0].get<double>(), (*a)[1].get<double>()};
        if (const auto s = shifts.find(id); s != shifts.end())
            shift = s->second;
        if (!geometry || geometry->IsEmpty())
            continue;
        if (shift != cv::Vec2d(0, 0)) {
            recorded[key] = {shift[0], shift[1]};
            ++result.damages_moved;
            result.mean_shift_m += cv::norm(shift);
            result.max_shift_m = std::max(result.max_shift_m, cv::norm(shift));
        }
        if (shift == before)
            continue;
        OGRPoint centre;
        geometry->Centroid(&centre);
        if (!metric)
            metric.emplace(centre.getX(), centre.getY());
        const MetricPoint at = metric->toMetric(centre.getX(), centre.getY());
        double lon = 0, lat = 0;
        metric->toGeographic({at.x + shift[0] - before[0], at.y + shift[1] - before[1]}, lon, lat);
        translate(*geometry, lon - centre.getX(), lat - centre.getY());
        moved.push_back(std::move(f));
    }
    if (result.damages_moved > 0)
        result.mean_shift_m /= double(result.damages_moved);

    summary["damages_aligned"] = {{"to", "the surface's frame-to-frame registration (voirie ortho --align-damages)"},
                                  {"damages_moved", result.damages_moved},
                                  {"mean_shift_m", result.mean_shift_m},
                                  {"max_shift_m", result.max_shift_m},
                                  {"shifts_m", recorded}};
    run->row->SetField("summary", summary.dump().c_str());
    if (ds.StartTransaction() != OGRERR_NONE)
        return fail("cannot start writing " + project.string() + ": " + trap.reason());
    bool ok = run->layer->SetFeature(run->row.get()) == OGRERR_NONE;
    for (auto& f : moved)
        ok = ok && damages->SetFeature(f.get()) == OGRERR_NONE;
    if (!ok || !trap.errors().empty() || ds.CommitTransaction() != OGRERR_NONE) {
        ds.RollbackTransaction();
        return fail("cannot move the damages of " + project.string() + ": " + trap.reason() + " (the project is unchanged)");
    }
    return result;
}

nlohmann::ordered_json surfaceRecord(const SurfaceSummary& s)
{
    return {{"path", fs::absolute(s.path).string()},
            {"resolution_m", s.resolution_m},
            {"crs", s.crs},
            {"extent", {s.min_x, s.min_y, s.max_x, s.max_y}},
            {"width", s.width},
            {"height", s.height},
            {"frames", s.frames},
            {"seams_before", s.seams_before.toJson()},
            {"seams_after", s.seams_after.toJson()},
            {"left_out_share", s.left_out_share},
            {"anonymized_by", s.anonymized_by}};
}

Status recordSurfaceInProject(const fs::path& project, const nlohmann::ordered_json& record)
{
    auto opened = openProject(project, {ProjectAccess::update, {"run"}, IntegrityCheck::quick});
    if (!opened)
        return fail(opened.error());
    GdalErrorTrap trap;
    auto run = readRunRecord(**opened, project, "the surface");
    if (!run)
        return fail(run.error());
    run->summary["surface"] = record;
    run->row->SetField("summary", run->summary.dump().c_str());
    const bool set = run->layer->SetFeature(run->row.get()) == OGRERR_NONE;
    (*opened)->FlushCache();
    if (!set || !trap.errors().empty())
        return fail("cannot record the surface in " + project.string() + ": " + trap.reason());
    return Ok{};
}

Result<SurfaceSummary> buildProjectSurface(const fs::path& project, const fs::path& out, const SurfaceOptions& options,
                                           AnonymizerSet* anonymizer, const ProjectSurfaceHooks& hooks)
{
    std::vector<ProjectFrame> frames;
    CameraModel camera;
    std::optional<ProjectFrameReader> reader;
    {
        auto opened = openProject(project, {ProjectAccess::read, {"frames", "run"}, IntegrityCheck::quick});
        if (!opened)
            return fail(opened.error());
        const ProjectRun run = readProjectRun(**opened);
        if (run.camera_json.empty())
            return fail(project.string() + " records no camera, so its frames cannot be put on the ground");
        auto parsed = parseCamera(run.camera_json, "the camera recorded in " + project.string());
        if (!parsed)
            return fail(parsed.error());
        camera = *parsed;
        reader.emplace(project, run); // the frames were analysed undistorted: decoded alike
        OGRLayer* layer = (*opened)->GetLayerByName("frames");
        for (OGRFeatureUniquePtr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
            const OGRGeometry* g = f->GetGeometryRef();
            if (!g || wkbFlatten(g->getGeometryType()) != wkbPoint || !f->IsFieldSetAndNotNull(f->GetFieldIndex("heading_deg")))
                continue; // a frame with no position or heading cannot be placed
            ProjectFrame frame;
            frame.pose.frame_index = f->GetFieldAsInteger64("frame_index");
            frame.pose.lon = g->toPoint()->getX();
            frame.pose.lat = g->toPoint()->getY();
            frame.pose.heading_deg = fieldNumber(*f, "heading_deg");
            frame.pose.chainage_m = fieldNumber(*f, "chainage_m");
            frame.file = fieldText(*f, "file");
            frame.frame_in_file = f->GetFieldAsInteger64("frame_in_file");
            frames.push_back(std::move(frame));
        }
    }
    if (frames.empty())
        return fail(project.string() + " has no placed frames: analyse the survey first (voirie analyze)");
    std::sort(frames.begin(), frames.end(), [](const auto& a, const auto& b) { return a.pose.frame_index < b.pose.frame_index; });

    auto mosaic = SurfaceMosaic::start(out, camera, options, anonymizer);
    if (!mosaic)
        return fail(mosaic.error());
    int64_t done = 0;
    for (const auto& frame : frames) {
        if (hooks.cancel && hooks.cancel->load())
            return fail("interrupted: the surface " + out.string() + " was not written");
        auto image = reader->read(frame.file, frame.frame_in_file);
        if (!image)
            return fail(image.error());
        if (auto s = (*mosaic)->add(*image, frame.pose); !s)
            return fail(s.error());
        if (hooks.progress)
            hooks.progress(++done, int64_t(frames.size()));
    }
    auto summary = (*mosaic)->finish();
    if (!summary)
        return fail(summary.error());
    if (auto s = recordSurfaceInProject(project, surfaceRecord(*summary)); !s)
        return fail("the surface " + out.string() + " was written, but " + s.error());
    return summary;
}

} // namespace voirie
