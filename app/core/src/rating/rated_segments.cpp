#include "voirie/core/rating/rated_segments.hpp"

#include "voirie/core/project/gdal_helpers.hpp"

#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>

namespace voirie {

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
    auto scheme = parseRatingScheme(fieldText(*rated, "scheme_json"), fieldText(*rated, "scheme_source"));
    if (!scheme)
        return fail("the rating scheme recorded in " + where + " is unusable: " + scheme.error());
    RatedProject out;
    out.scheme = std::move(*scheme);
    out.scheme.source = fieldText(*rated, "scheme_source");

    segments->ResetReading();
    for (OGRFeatureUniquePtr f(segments->GetNextFeature()); f; f.reset(segments->GetNextFeature())) {
        RatedSegment s;
        s.road_id = fieldText(*f, "road_id");
        s.label = fieldText(*f, "label");
        s.grade = fieldText(*f, "grade");
        s.grade_label = fieldText(*f, "grade_label");
        s.treatment = fieldText(*f, "treatment");
        s.from_m = fieldNumber(*f, "from_m");
        s.to_m = fieldNumber(*f, "to_m");
        s.surveyed_m = fieldNumber(*f, "surveyed_m");
        s.area_m2 = fieldNumber(*f, "area_m2");
        s.index = fieldNumber(*f, "condition_index");
        s.crack_m = fieldNumber(*f, "crack_m");
        s.alligator_m2 = fieldNumber(*f, "alligator_m2");
        s.pothole_m2 = fieldNumber(*f, "pothole_m2");
        s.n_damages = int(fieldNumber(*f, "n_damages"));
        try {
            s.damage_ids = nlohmann::json::parse(fieldText(*f, "damage_ids")).get<std::vector<int64_t>>();
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
