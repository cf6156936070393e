#include "voirie/core/rated_segments.hpp"

#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>

namespace voirie {

namespace {

// A field's text, empty when unset or when an older project lacks the field.
std::string text(const OGRFeature& f, const char* field)
{
    const int i = f.GetFieldIndex(field);
    return i >= 0 && f.IsFieldSetAndNotNull(i) ? f.GetFieldAsString(i) : std::string();
}

double number(const OGRFeature& f, const char* field)
{
    const int i = f.GetFieldIndex(field);
    return i >= 0 && f.IsFieldSetAndNotNull(i) ? f.GetFieldAsDouble(i) : 0.0;
}

} // namespace

Result<std::optional<RatedProject>> readRatedSegments(GDALDataset& project, const std::string& where)
{
    OGRLayer* segments = project.GetLayerByName("segments");
    OGRLayer* rating = project.GetLayerByName("rating");
    if (segments == nullptr || rating == nullptr)
        return std::optional<RatedProject>();
    rating->ResetReading();
    OGRFeatureUniquePtr rated(rating->GetNextFeature());
    if (!rated)
        return fail(where + " has an empty rating record: rate it again (voirie rate)");
    auto scheme = parseRatingScheme(text(*rated, "scheme_json"), text(*rated, "scheme_source"));
    if (!scheme)
        return fail("the rating scheme recorded in " + where + " is unusable: " + scheme.error());
    RatedProject out;
    out.scheme = std::move(*scheme);
    out.scheme.source = text(*rated, "scheme_source");

    segments->ResetReading();
    for (OGRFeatureUniquePtr f(segments->GetNextFeature()); f; f.reset(segments->GetNextFeature())) {
        RatedSegment s;
        s.road_id = text(*f, "road_id");
        s.label = text(*f, "label");
        s.grade = text(*f, "grade");
        s.grade_label = text(*f, "grade_label");
        s.treatment = text(*f, "treatment");
        s.from_m = number(*f, "from_m");
        s.to_m = number(*f, "to_m");
        s.surveyed_m = number(*f, "surveyed_m");
        s.area_m2 = number(*f, "area_m2");
        s.index = number(*f, "condition_index");
        s.crack_m = number(*f, "crack_m");
        s.alligator_m2 = number(*f, "alligator_m2");
        s.pothole_m2 = number(*f, "pothole_m2");
        s.n_damages = int(number(*f, "n_damages"));
        try {
            s.damage_ids = nlohmann::json::parse(text(*f, "damage_ids")).get<std::vector<int64_t>>();
        } catch (const std::exception&) {
            return fail(where + ": segment " + s.label + " has no readable damage_ids: rate it again");
        }
        if (const OGRGeometry* g = f->GetGeometryRef(); g && wkbFlatten(g->getGeometryType()) == wkbLineString)
            for (const auto& p : *g->toLineString())
                s.path.push_back({p.getX(), p.getY()});
        out.segments.push_back(std::move(s));
    }
    return std::optional<RatedProject>(std::move(out));
}

} // namespace voirie
