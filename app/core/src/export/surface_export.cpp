#include "surface_export.hpp"

#include "voirie/core/base/atomic_output.hpp"
#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/project/project_reader.hpp"

#include <memory>
#include <vector>

namespace fs = std::filesystem;

namespace voirie {
Result<fs::path> recordedSurface(GDALDataset& project, const fs::path& project_path)
{
    const ProjectRun run = readProjectRun(project);
    const auto recorded = recordedSurfacePath(run);
    if (!recorded)
        return fail("project " + project_path.string() + " records no surface: make one with voirie ortho " +
                    project_path.string() + " --out SURFACE.tif (or analyze --ortho)");
    if (auto found = findRecordedSurface(run, project_path))
        return *found;
    return fail("the surface of " + project_path.string() + ", " + recorded->string() +
                ", is neither there nor beside the project: make it again with voirie ortho");
}

Status exportSurface(const fs::path& surface, const std::optional<std::string>& crs, const fs::path& out, bool overwrite)
{
    auto output = AtomicOutput::prepare(out, overwrite);
    if (!output)
        return fail(output.error());
    GDALAllRegister();
    GdalErrorTrap trap;
    GDALDatasetUniquePtr source(GDALDataset::Open(surface.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!source)
        return fail("cannot read the surface " + surface.string() + ": " + trap.reason());
    // Its own CRS unless another is asked for (a 2 cm raster in degrees of WGS 84 helps nobody).
    std::vector<std::string> arguments = {"-of", "COG", "-co", "COMPRESS=JPEG", "-co", "QUALITY=85", "-co", "BLOCKSIZE=512",
                                          "-co", "SPARSE_OK=TRUE", "-co", "BIGTIFF=IF_SAFER", "-co",
                                          crs ? "TARGET_SRS=" + *crs : std::string("OVERVIEWS=FORCE_USE_EXISTING")};
    if (auto s = translateRaster(*source, output->temporaryPath(), std::move(arguments), "the surface " + out.string(), "COG"); !s)
        return s;
    return output->commit();
}

} // namespace voirie
