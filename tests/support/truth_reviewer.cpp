#include "truth_reviewer.hpp"

#include "voirie/core/analysis/evidence_chip.hpp"
#include "voirie/core/evaluation/damage_evaluation.hpp"
#include "voirie/core/geo/camera_file.hpp"
#include "voirie/core/plugin_host/anonymizer_set.hpp"
#include "voirie/core/project/drawn_damage.hpp"
#include "voirie/core/project/project_frames.hpp"
#include "voirie/core/project/project_open.hpp"
#include "voirie/core/project/project_reader.hpp"
#include "voirie/core/project/project_review.hpp"
#include "voirie/sample/survey_generator.hpp"

#include <ogrsf_frmts.h>

#include <map>
#include <set>

namespace voirie::test {

namespace fs = std::filesystem;

namespace {

struct ProjectFrame {
    DrawnOnFrame at;
    std::string file;
    int64_t frame_in_file = 0;
};

std::vector<ProjectFrame> readFrames(GDALDataset& ds)
{
    std::vector<ProjectFrame> frames;
    OGRLayer* layer = ds.GetLayerByName("frames");
    for (auto& f : *layer) {
        ProjectFrame p;
        p.at.index = f->GetFieldAsInteger64("frame_index");
        p.at.time = f->GetFieldAsDouble("time");
        p.at.chainage_m = f->GetFieldAsDouble("chainage_m");
        p.at.heading_deg = f->GetFieldAsDouble("heading_deg");
        p.file = f->GetFieldAsString("file");
        p.frame_in_file = f->GetFieldAsInteger64("frame_in_file");
        if (const auto* point = dynamic_cast<const OGRPoint*>(f->GetGeometryRef())) {
            p.at.lon = point->getX();
            p.at.lat = point->getY();
            frames.push_back(p);
        }
    }
    return frames;
}

// What a reviewer draws for a defect seen in `b`: the box for areas; for a crack, the line the
// box suggests - across it for a transverse crack, from the near corner to the far one for a
// longitudinal crack (perspective draws it towards the vanishing point).
std::pair<PixelPoint, PixelPoint> drawing(const sample::PixelBoxTruth& b, double centre_x)
{
    const double left = b.x, right = b.x + b.width, top = b.y, bottom = b.y + b.height;
    if (b.class_code == "D10")
        return {{left, (top + bottom) / 2}, {right, (top + bottom) / 2}};
    if (b.class_code == "D00")
        return b.x + b.width / 2 < centre_x ? std::pair<PixelPoint, PixelPoint>{{left, bottom}, {right, top}}
                                            : std::pair<PixelPoint, PixelPoint>{{right, bottom}, {left, top}};
    return {{left, top}, {right, bottom}};
}

} // namespace

nlohmann::ordered_json TruthReviewSummary::toJson() const
{
    return {{"accepted", accepted}, {"rejected", rejected}, {"added", added}, {"missed_unseen", missed_unseen}};
}

Result<TruthReviewSummary> reviewFromTruth(const fs::path& project, const fs::path& sample,
                                           const std::vector<fs::path>& plugin_dirs, double match_m)
{
    auto settings = sample::readGeneratorSettings(sample);
    if (!settings)
        return fail(settings.error());
    const sample::SurveyGenerator generator(*settings);

    DamageEvaluationOptions options;
    options.match_m = match_m;
    auto evaluation = evaluateDamages(project, sample / "ground_truth.geojson", options);
    if (!evaluation)
        return fail(evaluation.error());
    std::set<int64_t> matched_damages, matched_truth;
    for (const auto& m : evaluation->matches) {
        matched_damages.insert(m.detected_damage_id);
        matched_truth.insert(m.truth_id);
    }

    std::vector<ProjectDamage> damages;
    std::vector<ProjectFrame> frames;
    ProjectRun run;
    {
        auto ds = openProject(project, {ProjectAccess::read, {"damages", "frames"}});
        if (!ds)
            return fail(ds.error());
        auto read = readProjectDamages(**ds);
        if (!read)
            return fail(read.error());
        damages = std::move(*read);
        frames = readFrames(**ds);
        run = readProjectRun(**ds);
    }
    auto camera = parseCamera(run.camera_json, "the camera the analysis recorded");
    if (!camera)
        return fail(camera.error());

    auto review = ProjectReview::open(project);
    if (!review)
        return fail(review.error());
    TruthReviewSummary summary;
    for (const auto& d : damages) {
        const bool right = matched_damages.count(d.damage_id) > 0;
        if (auto s = (*review)->apply({d.damage_id, "review_state", d.review_state, right ? "accepted" : "rejected"}); !s)
            return fail(s.error());
        ++(right ? summary.accepted : summary.rejected);
    }

    auto anonymizers = AnonymizerSet::open(plugin_dirs, std::nullopt, {});
    if (!anonymizers)
        return fail(anonymizers.error());
    ProjectFrameReader reader(project, run);
    for (const auto& truth : generator.truth()) {
        if (matched_truth.count(truth.id))
            continue;
        // The frame that sees it nearest: the lowest bottom edge among the clear views.
        const ProjectFrame* best = nullptr;
        sample::PixelBoxTruth seen{};
        for (const auto& f : frames)
            for (const auto& b : generator.visibleDefects(int(f.frame_in_file)))
                if (b.damage_id == truth.id && b.scored && (!best || b.y + b.height > seen.y + seen.height))
                    best = &f, seen = b;
        if (!best) {
            ++summary.missed_unseen;
            continue;
        }
        const auto [from, to] = drawing(seen, camera->cx);
        auto added = placeDrawnDamage(*camera, best->at, truth.class_code, from, to);
        if (!added) {
            ++summary.missed_unseen;
            continue;
        }
        auto image = reader.read(best->file, best->frame_in_file);
        if (!image)
            return fail(image.error());
        FrameContext context;
        context.frame_index = best->at.index;
        context.time_unix_s = best->at.time;
        context.heading_deg = best->at.heading_deg;
        context.chainage_m = best->at.chainage_m;
        if (auto blurred = anonymizers->apply(*image, context); !blurred)
            return fail("frame " + std::to_string(best->at.index) + " cannot be anonymized: " + blurred.error());
        added->chip = cutEvidenceChip(*image, drawnShape(truth.class_code, from, to));
        if (auto id = (*review)->addDamage(*added); !id)
            return fail(id.error());
        ++summary.added;
    }
    return summary;
}

} // namespace voirie::test
