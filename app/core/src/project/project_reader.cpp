#include "voirie/core/project/project_reader.hpp"

#include "voirie/core/project/gdal_helpers.hpp"

#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>

namespace voirie {
namespace {

int64_t fieldInteger(const OGRFeature& f, const char* name, int64_t fallback)
{
    const int i = f.GetFieldIndex(name);
    return i >= 0 && f.IsFieldSetAndNotNull(i) ? int64_t(f.GetFieldAsInteger64(i)) : fallback;
}

} // namespace

Result<std::vector<ProjectDamage>> readProjectDamages(GDALDataset& project, const DamageReading& how)
{
    OGRLayer* layer = project.GetLayerByName("damages");
    if (layer == nullptr)
        return fail("the project has no 'damages' layer");
    const char* without_chips[] = {"chip", nullptr};
    layer->SetIgnoredFields(how.chips ? nullptr : without_chips);
    std::vector<ProjectDamage> out;
    out.reserve(size_t(std::max<GIntBig>(0, layer->GetFeatureCount(FALSE))));
    layer->ResetReading();
    for (OGRFeatureUniquePtr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
        ProjectDamage d;
        d.review_state = fieldText(*f, "review_state");
        if (how.skip_rejected && d.review_state == "rejected")
            continue;
        d.damage_id = fieldInteger(*f, "damage_id", 0);
        d.class_code = fieldText(*f, "class");
        d.class_name = fieldText(*f, "class_name");
        d.severity = fieldText(*f, "severity");
        d.review_note = fieldText(*f, "review_note");
        d.plugins = fieldText(*f, "plugins");
        d.confidence = fieldNumber(*f, "confidence");
        d.length_m = fieldNumber(*f, "length_m");
        d.area_m2 = fieldNumber(*f, "area_m2");
        d.width_mm = fieldNumber(*f, "width_mm");
        d.chainage_m = fieldNumber(*f, "chainage_m");
        d.n_frames = int(fieldNumber(*f, "n_frames"));
        d.evidence_frame = int64_t(fieldNumber(*f, "evidence_frame", -1));
        d.drive = int(fieldNumber(*f, "drive"));
        d.evidence_detection = int64_t(fieldNumber(*f, "evidence_detection", -1));
        d.first_seen = fieldTime(*f, "first_seen");
        d.last_seen = fieldTime(*f, "last_seen");
        if (const OGRGeometry* g = f->GetGeometryRef(); g && !g->IsEmpty())
            d.geometry.reset(g->clone());
        if (how.chips) {
            int bytes = 0;
            const int i = f->GetFieldIndex("chip");
            if (const GByte* chip = i >= 0 ? f->GetFieldAsBinary(i, &bytes) : nullptr; chip && bytes > 0)
                d.chip.assign(chip, chip + bytes);
        }
        out.push_back(std::move(d));
    }
    layer->SetIgnoredFields(nullptr);
    return out;
}

ProjectRun readProjectRun(GDALDataset& project)
{
    ProjectRun run;
    if (OGRLayer* layer = project.GetLayerByName("run")) {
        layer->ResetReading();
        if (OGRFeatureUniquePtr f(layer->GetNextFeature()); f) {
            run.voirie_version = fieldText(*f, "voirie_version");
            run.command_line = fieldText(*f, "command_line");
            run.status = fieldText(*f, "status");
            run.camera_json = fieldText(*f, "camera");
            run.anonymized_by = fieldText(*f, "anonymized_by");
            run.summary_json = fieldText(*f, "summary");
            const auto summary = nlohmann::json::parse(fieldText(*f, "summary"), nullptr, false);
            if (summary.is_object() && summary.contains("partial_reasons") && summary["partial_reasons"].is_array())
                for (const auto& reason : summary["partial_reasons"])
                    if (reason.is_string())
                        run.partial_reasons.push_back(reason.get<std::string>());
            run.started = fieldTime(*f, "started");
            run.finished = fieldTime(*f, "finished");
        }
    }
    if (OGRLayer* layer = project.GetLayerByName("run_inputs")) {
        layer->ResetReading();
        for (OGRFeatureUniquePtr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature()))
            run.inputs.push_back({fieldText(*f, "role"), fieldText(*f, "path"), fieldText(*f, "sha256"),
                                  fieldInteger(*f, "size_bytes", 0)});
    }
    if (OGRLayer* layer = project.GetLayerByName("run_plugins")) {
        layer->ResetReading();
        for (OGRFeatureUniquePtr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature()))
            run.plugins.push_back({fieldText(*f, "plugin_id"), fieldText(*f, "kind"), fieldText(*f, "version")});
    }
    return run;
}

std::optional<std::filesystem::path> recordedSurfacePath(const ProjectRun& run)
{
    const auto summary = nlohmann::json::parse(run.summary_json, nullptr, false);
    if (!summary.is_object() || !summary.contains("surface") || !summary["surface"].is_object())
        return std::nullopt;
    const auto& path = summary["surface"].value("path", nlohmann::json());
    if (!path.is_string() || path.get<std::string>().empty())
        return std::nullopt;
    return std::filesystem::path(path.get<std::string>());
}

std::optional<std::filesystem::path> findRecordedSurface(const ProjectRun& run, const std::filesystem::path& project)
{
    const auto recorded = recordedSurfacePath(run);
    if (!recorded)
        return std::nullopt;
    std::error_code ec;
    if (std::filesystem::is_regular_file(*recorded, ec))
        return recorded;
    if (const auto beside = project.parent_path() / recorded->filename(); std::filesystem::is_regular_file(beside, ec))
        return beside;
    return std::nullopt;
}

} // namespace voirie
