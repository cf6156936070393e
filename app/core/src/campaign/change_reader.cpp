#include "voirie/core/campaign/change_reader.hpp"

#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/project/project_open.hpp"

namespace voirie {

Result<ComparisonRecord> readComparison(const std::filesystem::path& changes)
{
    auto opened = openProject(changes, {ProjectAccess::read,
                                        {{"changes", {"change", "class"}}, {"segment_changes", {"change"}}, {"comparison", {"summary"}}}});
    if (!opened)
        return fail(opened.error() + " (is it a comparison written by voirie compare?)");
    GDALDataset& ds = **opened;
    ComparisonRecord out;
    out.path = changes;
    OGRLayer* comparison = ds.GetLayerByName("comparison");
    comparison->ResetReading();
    if (OGRFeatureUniquePtr f(comparison->GetNextFeature()); f) {
        out.old_project = fieldText(*f, "old_project");
        out.new_project = fieldText(*f, "new_project");
        out.summary = nlohmann::json::parse(fieldText(*f, "summary"), nullptr, false);
    }
    if (!out.summary.is_object())
        return fail(changes.string() + " has no readable comparison record: was it written by voirie compare?");
    auto blob = [](const OGRFeature& f, const char* name) {
        std::vector<unsigned char> bytes;
        int n = 0;
        if (const int i = f.GetFieldIndex(name); i >= 0 && f.IsFieldSetAndNotNull(i))
            if (const GByte* data = const_cast<OGRFeature&>(f).GetFieldAsBinary(i, &n); data && n > 0)
                bytes.assign(data, data + n);
        return bytes;
    };
    OGRLayer* defects = ds.GetLayerByName("changes");
    defects->ResetReading();
    for (OGRFeatureUniquePtr f(defects->GetNextFeature()); f; f.reset(defects->GetNextFeature())) {
        DefectChangeRecord r;
        r.change = fieldText(*f, "change");
        r.class_code = fieldText(*f, "class");
        r.class_then = fieldText(*f, "class_then");
        r.class_now = fieldText(*f, "class_now");
        r.severity_then = fieldText(*f, "severity_then");
        r.severity_now = fieldText(*f, "severity_now");
        r.damage_id_then = int64_t(fieldNumber(*f, "damage_id_then", -1));
        r.damage_id_now = int64_t(fieldNumber(*f, "damage_id_now", -1));
        r.looked_from_frame = int64_t(fieldNumber(*f, "looked_from_frame", -1));
        r.patch_seen = fieldNumber(*f, "patch_seen") > 0;
        r.length_then_m = fieldNumber(*f, "length_then_m");
        r.length_now_m = fieldNumber(*f, "length_now_m");
        r.area_then_m2 = fieldNumber(*f, "area_then_m2");
        r.area_now_m2 = fieldNumber(*f, "area_now_m2");
        r.growth = fieldNumber(*f, "growth");
        if (const OGRGeometry* g = f->GetGeometryRef(); g && !g->IsEmpty()) {
            OGRPoint c;
            if (g->Centroid(&c) == OGRERR_NONE)
                r.at = {c.getX(), c.getY()};
        }
        r.chip_then = blob(*f, "chip_then");
        r.chip_now = blob(*f, "chip_now");
        out.defects.push_back(std::move(r));
    }
    OGRLayer* segments = ds.GetLayerByName("segment_changes");
    segments->ResetReading();
    for (OGRFeatureUniquePtr f(segments->GetNextFeature()); f; f.reset(segments->GetNextFeature())) {
        SegmentChangeRecord s;
        s.segment = fieldText(*f, "segment");
        s.grade_then = fieldText(*f, "grade_then");
        s.grade_now = fieldText(*f, "grade_now");
        s.change = fieldText(*f, "change");
        s.index_then = fieldNumber(*f, "index_then");
        s.index_now = fieldNumber(*f, "index_now");
        if (const OGRGeometry* g = f->GetGeometryRef(); g && wkbFlatten(g->getGeometryType()) == wkbLineString)
            for (const auto& p : *g->toLineString())
                s.path.push_back({p.getX(), p.getY()});
        out.segments.push_back(std::move(s));
    }
    return out;
}

} // namespace voirie
