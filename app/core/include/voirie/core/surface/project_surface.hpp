// `voirie ortho`: the mosaic of an analysed project, its frames read again from the survey's
// videos (or photos), and recorded in the project's run provenance.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/surface/surface_mosaic.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <functional>

namespace voirie {

struct ProjectSurfaceHooks {
    std::function<void(int64_t frames_done, int64_t frames_total)> progress;
    const std::atomic<bool>* cancel = nullptr;
};

// Builds the surface of `project` into `out`; the project's run then names it (its summary's
// "surface": path, resolution, CRS, extent, anonymizers). One sentence when the project has no
// frames, no camera, or its footage cannot be read. `anonymizer`: as SurfaceMosaic::start.
Result<SurfaceSummary> buildProjectSurface(const std::filesystem::path& project, const std::filesystem::path& out,
                                           const SurfaceOptions& options, AnonymizerSet* anonymizer,
                                           const ProjectSurfaceHooks& hooks = {});

// `voirie ortho --align-damages`: each damage moved by the registration's shift of the frames
// that saw it (its detections' frames, weighted as the tracker weighs its views), so that it lies
// on the surface where the footage shows it. The shift applied to each damage is kept in the run
// summary ("damages_aligned") and undone before a new one is applied: aligning twice moves once.
struct DamageAlignment {
    int64_t damages_moved = 0;
    double mean_shift_m = 0, max_shift_m = 0;
    nlohmann::ordered_json toJson() const;
};
Result<DamageAlignment> alignDamagesToSurface(const std::filesystem::path& project, const std::vector<FrameShift>& shifts);

// What the project's run records of a surface (path, resolution_m, crs, extent), from a summary.
nlohmann::ordered_json surfaceRecord(const SurfaceSummary& summary);

// Writes `record` as the "surface" of the project's run summary (in place, one transaction).
Status recordSurfaceInProject(const std::filesystem::path& project, const nlohmann::ordered_json& record);

} // namespace voirie
