#include "voirie/core/surface/project_surface.hpp"

#include "voirie/core/geo/camera_file.hpp"
#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/project/project_frames.hpp"
#include "voirie/core/project/project_open.hpp"
#include "voirie/core/project/project_reader.hpp"

#include <ogrsf_frmts.h>

#include <algorithm>
#include <map>
#include <memory>

namespace fs = std::filesystem;

namespace voirie {
namespace {

struct ProjectFrame {
    SurfaceFramePose pose;
    std::string file;
    int64_t frame_in_file = 0;
};

} // namespace

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
    OGRLayer* run = (*opened)->GetLayerByName("run");
    OGRFeatureUniquePtr feature(run->GetNextFeature());
    if (!feature)
        return fail(project.string() + " has no run to record the surface in");
    auto summary = nlohmann::ordered_json::parse(fieldText(*feature, "summary"), nullptr, false);
    if (!summary.is_object())
        summary = nlohmann::ordered_json::object();
    summary["surface"] = record;
    feature->SetField("summary", summary.dump().c_str());
    const bool set = run->SetFeature(feature.get()) == OGRERR_NONE;
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
