// What `voirie rate` wrote into a project, read back: the scheme recorded in the `rating` table
// and each row of the `segments` layer. Shared by the report and the map application.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/rating/rating_scheme.hpp"
#include "voirie/core/vocabulary/frame_context.hpp"

#include <gdal_priv.h>

#include <optional>
#include <string>
#include <vector>

namespace voirie {

struct RatedSegment {
    std::string road_id, label, grade, grade_label, treatment;
    double from_m = 0, to_m = 0, surveyed_m = 0, area_m2 = 0, index = 0, crack_m = 0, alligator_m2 = 0,
           pothole_m2 = 0;
    int n_damages = 0;
    std::vector<int64_t> damage_ids;
    std::vector<GeoPosition> path; // lon/lat, along the segment
};

struct RatedProject {
    RatingScheme scheme;
    std::vector<RatedSegment> segments; // in the layer's order (along each road)
};

// Nothing when the project has not been rated; an error naming `where` when what is stored
// cannot be read (an unusable scheme, unreadable damage lists).
Result<std::optional<RatedProject>> readRatedSegments(GDALDataset& project, const std::string& where);

} // namespace voirie
