#include "voirie/core/export/project_export.hpp"

#include "export_filters.hpp"
#include "export_format.hpp"
#include "export_styles.hpp"
#include "layer_writer.hpp"
#include "staged_output.hpp"
#include "surface_export.hpp"

#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/project/project_open.hpp"
#include "voirie/core/project/project_reader.hpp"
#include "voirie/core/vocabulary/damage_classes.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <unistd.h>

namespace voirie {
namespace fs = std::filesystem;
namespace {

struct CtDeleter {
    void operator()(OGRCoordinateTransformation* t) const { OGRCoordinateTransformation::DestroyCT(t); }
};

} // namespace

namespace {

// `surface` is a raster: written beside the vector layers (in the folder, or as <name>_surface.tif).
fs::path surfaceOutput(const ExportOptions& o, bool folder)
{
    if (o.layers.empty())
        return o.out;
    return folder ? o.out / "surface.tif" : o.out.parent_path() / (o.out.stem().string() + "_surface.tif");
}

} // namespace

Result<ExportSummary> exportProject(const ExportOptions& requested)
{
    ExportOptions o = requested;
    const auto surface_at = std::find(o.layers.begin(), o.layers.end(), "surface");
    const bool with_surface = surface_at != o.layers.end();
    if (with_surface)
        o.layers.erase(surface_at);
    if (with_surface && o.layers.empty()) {
        if (o.out.extension() != ".tif")
            return fail("the surface alone is a GeoTIFF: --out must end in .tif (" + o.out.string() + ")");
        auto opened = openProject(o.project, {ProjectAccess::read, {}});
        if (!opened)
            return fail(opened.error());
        auto surface = recordedSurface(**opened, o.project);
        if (!surface)
            return fail(surface.error());
        if (auto s = exportSurface(*surface, o.crs, o.out, o.overwrite); !s)
            return fail(s.error());
        ExportSummary summary;
        summary.out = o.out;
        summary.layers.push_back({"surface", 0, {o.out}});
        return summary;
    }

    GDALAllRegister();
    const FormatInfo& fmt = formatInfo(o.format);
    std::error_code ec;

    // Everything that can be refused is refused before anything is written.
    if (o.layers.empty())
        return fail("--layers names no layer");
    for (const auto& l : o.layers)
        if (!isExportableLayer(l))
            return fail("unknown layer '" + l + "'; a project's layers are damages, detections, track, frames, segments, surface");
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

    // The project layers exported are checked with their essential fields; `segments` (written
    // by voirie rate) is checked below.
    ProjectOpening opening{ProjectAccess::read, {}};
    for (const auto& l : o.layers)
        for (const auto& schema : projectSchema())
            if (l == schema.layer)
                opening.layers.push_back(l);
    auto opened = openProject(o.project, opening);
    if (!opened)
        return fail(opened.error());
    GDALDatasetUniquePtr project = std::move(*opened);
    for (const auto& l : o.layers)
        if (project->GetLayerByName(l.c_str()) == nullptr)
            return fail("project " + o.project.string() + " has no '" + l + "' layer" +
                        (l == "segments" ? " (rate it first: voirie rate)" : ""));

    const bool folder = o.format == ExportFormat::Shapefile || (!fmt.many_layers_in_one_file && o.layers.size() > 1);
    std::optional<fs::path> surface;
    if (with_surface) {
        auto recorded = recordedSurface(*project, o.project);
        if (!recorded)
            return fail(recorded.error());
        surface = *recorded;
        if (!folder && fs::exists(surfaceOutput(o, folder), ec) && !o.overwrite)
            return fail(surfaceOutput(o, folder).string() + " already exists; pass --overwrite to replace it");
    }
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
    if (chips != ChipMode::None && std::find(o.layers.begin(), o.layers.end(), "damages") != o.layers.end()) {
        const std::string anonymized_by = readProjectRun(*project).anonymized_by;
        if (anonymized_by.rfind("none", 0) == 0)
            warnings.push_back("the evidence images of " + o.project.string() +
                               " were not anonymized (analysed with --no-anonymize): faces and licence plates "
                               "may show; use --chips none to leave them out");
        else if (anonymized_by.empty()) // no run layer, or one that does not say: never assume
            warnings.push_back("it cannot be told whether the evidence images of " + o.project.string() +
                               " were anonymized (its run layer does not record it): faces and licence plates "
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
                    return fail("cannot create " + file.string() + ": " + gdalWriteReason());
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
            return fail(gdalWriteFailure("write", o.out));
    }
    for (auto& [file, ds] : datasets) {
        CPLErrorReset();
        GDALClose(ds.release());
        if (CPLGetLastErrorType() == CE_Failure)
            return fail(gdalWriteFailure("finish writing", o.out));
    }
    if (surface && folder) {
        const fs::path staged_surface = staged.path() / "surface.tif";
        if (auto s = exportSurface(*surface, o.crs, staged_surface, true); !s)
            return fail(s.error());
        summary.layers.push_back({"surface", 0, {staged_surface}});
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
    if (surface && !folder) {
        if (auto s = exportSurface(*surface, o.crs, surfaceOutput(o, folder), o.overwrite); !s)
            return fail(s.error());
        summary.layers.push_back({"surface", 0, {surfaceOutput(o, folder)}});
    }
    summary.chips_written = chips_written;
    summary.warnings = warnings;
    return summary;
}

} // namespace voirie
