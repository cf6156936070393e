#include "voirie/core/campaign/change_evaluation.hpp"

#include "voirie/core/evaluation/damage_evaluation.hpp"
#include "voirie/core/geo/local_metric_frame.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/project/project_open.hpp"
#include "voirie/core/project/project_reader.hpp"
#include "voirie/core/rating/condition_rating.hpp"
#include "voirie/core/rating/rating_scheme.hpp"
#include "voirie/core/vocabulary/severity_rules.hpp"

#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

namespace voirie {
namespace fs = std::filesystem;
namespace {

struct TruthDefect {
    int id = 0, previous_id = 0;
    std::string class_code, severity, change;
    double length_m = 0, area_m2 = 0;
    double gps_error_east_m = 0, gps_error_north_m = 0; // where the survey saw it
    std::unique_ptr<OGRGeometry> geometry; // lon/lat
};

Result<std::vector<TruthDefect>> readTruth(const fs::path& folder)
{
    const fs::path path = folder / "ground_truth.geojson";
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds || ds->GetLayerCount() < 1)
        return fail("ground truth " + path.string() + " cannot be opened");
    std::vector<TruthDefect> out;
    OGRLayer* layer = ds->GetLayer(0);
    for (OGRFeatureUniquePtr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
        if (!f->GetGeometryRef())
            continue;
        TruthDefect t;
        t.id = int(fieldNumber(*f, "id"));
        t.previous_id = int(fieldNumber(*f, "previous_id"));
        t.class_code = fieldText(*f, "class");
        t.severity = fieldText(*f, "severity");
        t.change = fieldText(*f, "change");
        t.length_m = fieldNumber(*f, "length_m");
        t.area_m2 = fieldNumber(*f, "area_m2");
        t.gps_error_east_m = fieldNumber(*f, "gps_error_east_m");
        t.gps_error_north_m = fieldNumber(*f, "gps_error_north_m");
        t.geometry.reset(f->GetGeometryRef()->clone());
        out.push_back(std::move(t));
    }
    return out;
}

Result<nlohmann::json> readSurveyJson(const fs::path& folder)
{
    std::ifstream in(folder / "survey.json");
    if (!in)
        return fail((folder / "survey.json").string() + " cannot be read: is " + folder.string() + " a generated survey?");
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return fail((folder / "survey.json").string() + " is not a survey description");
    return j;
}

// damage_id -> the truth id it was matched to by `voirie eval`'s matching.
Result<std::map<int64_t, int>> matchToTruth(const fs::path& project, const fs::path& truth_folder,
                                            const std::vector<TruthDefect>& truth, double match_m)
{
    auto evaluation = evaluateDamages(project, truth_folder / "ground_truth.geojson", {match_m, std::nullopt});
    if (!evaluation)
        return fail(evaluation.error());
    auto opened = openProject(project, {ProjectAccess::read, {"damages"}});
    if (!opened)
        return fail(opened.error());
    auto damages = readProjectDamages(**opened);
    if (!damages)
        return fail(damages.error());
    std::vector<int64_t> with_geometry; // the order evaluateDamages indexes
    for (const auto& d : *damages)
        if (d.geometry)
            with_geometry.push_back(d.damage_id);
    std::map<int64_t, int> out;
    for (const auto& m : evaluation->matches)
        out[with_geometry.at(size_t(m.detected_index))] = truth.at(size_t(m.truth_index)).id;
    return out;
}

MetricPoint centreOf(const OGRGeometry& g, const LocalMetricFrame& metric)
{
    std::unique_ptr<OGRGeometry> copy(g.clone());
    metric.toMetric(*copy);
    OGRPoint c;
    copy->Centroid(&c);
    return {c.getX(), c.getY()};
}

} // namespace

nlohmann::ordered_json ChangeEvaluation::toJson() const
{
    nlohmann::ordered_json j;
    j["labels"] = labels.toJson();
    j["rows"] = rows;
    j["scored_rows"] = scored_rows;
    j["detector_rows"] = detector_rows;
    j["segments"] = {{"total", segments}, {"grade_change_correct", segments_correct},
                     {"share_correct", segments ? double(segments_correct) / segments : 0.0}};
    j["gps_offset"] = {{"true_east_m", true_offset_east_m}, {"true_north_m", true_offset_north_m}};
    if (offset_error_m)
        j["gps_offset"]["error_m"] = *offset_error_m;
    j["mistakes"] = nlohmann::ordered_json::array();
    for (const auto& m : mistakes)
        j["mistakes"].push_back({{"predicted", m.predicted}, {"truth", m.truth}, {"damage_id_then", m.damage_id_then},
                                 {"damage_id_now", m.damage_id_now}, {"truth_id_then", m.truth_id_then},
                                 {"truth_id_now", m.truth_id_now}});
    j["segment_scores"] = nlohmann::ordered_json::array();
    for (const auto& s : segment_scores)
        j["segment_scores"].push_back({{"segment", s.segment}, {"predicted", s.predicted}, {"truth", s.truth},
                                       {"grade_then", s.grade_then}, {"grade_now", s.grade_now},
                                       {"index_then", s.index_then}, {"index_now", s.index_now},
                                       {"truth_grade_then", s.truth_grade_then}, {"truth_grade_now", s.truth_grade_now},
                                       {"truth_index_then", s.truth_index_then}, {"truth_index_now", s.truth_index_now}});
    return j;
}

std::string ChangeEvaluation::toText() const
{
    std::ostringstream s;
    s << labels.toText();
    s << "rows scored given the detections: " << scored_rows << " of " << rows << " (" << detector_rows
      << " left out: a detector's miss or false alarm)\n";
    s << std::fixed << std::setprecision(2);
    s << "segment grade change as the truth's: " << segments_correct << " of " << segments;
    if (segments)
        s << " (" << std::setprecision(0) << 100.0 * segments_correct / segments << "%)";
    s << "\n" << std::setprecision(2) << "GPS offset: true " << true_offset_east_m << " m east, " << true_offset_north_m
      << " m north; ";
    if (offset_error_m)
        s << "estimate off by " << *offset_error_m << " m\n";
    else
        s << "not estimated\n";
    return s.str();
}

Result<ChangeEvaluation> evaluateChanges(const ChangeEvaluationOptions& o)
{
    auto changes_ds = openProject(o.changes, {ProjectAccess::read, {{"changes", {"change"}}, {"comparison", {"summary"}}}});
    if (!changes_ds)
        return fail(changes_ds.error());
    GDALDataset& ds = **changes_ds;
    OGRLayer* comparison = ds.GetLayerByName("comparison");
    comparison->ResetReading();
    OGRFeatureUniquePtr record(comparison->GetNextFeature());
    if (!record)
        return fail(o.changes.string() + " has no comparison record: was it written by voirie compare?");
    const fs::path old_project = fieldText(*record, "old_project"), new_project = fieldText(*record, "new_project");
    const auto summary = nlohmann::json::parse(fieldText(*record, "summary"), nullptr, false);

    auto old_truth = readTruth(o.old_truth);
    auto new_truth = readTruth(o.new_truth);
    if (!old_truth)
        return fail(old_truth.error());
    if (!new_truth)
        return fail(new_truth.error());
    auto old_survey = readSurveyJson(o.old_truth);
    auto new_survey = readSurveyJson(o.new_truth);
    if (!old_survey)
        return fail(old_survey.error());
    if (!new_survey)
        return fail(new_survey.error());
    if (!new_survey->contains("campaign"))
        return fail(o.new_truth.string() + " is not a later campaign (written without voirie sample --evolve-from)");
    std::set<int> repaired;
    for (const auto& id : new_survey->value("repaired_previous_ids", nlohmann::json::array()))
        repaired.insert(id.get<int>());
    std::map<int, const TruthDefect*> old_by_id, new_by_previous;
    for (const auto& t : *old_truth)
        old_by_id[t.id] = &t;
    for (const auto& t : *new_truth)
        if (t.previous_id > 0)
            new_by_previous[t.previous_id] = &t;
    std::map<int, const TruthDefect*> new_by_id;
    for (const auto& t : *new_truth)
        new_by_id[t.id] = &t;

    auto old_match = matchToTruth(old_project, o.old_truth, *old_truth, o.match_m);
    if (!old_match)
        return fail(old_match.error());
    auto new_match = matchToTruth(new_project, o.new_truth, *new_truth, o.match_m);
    if (!new_match)
        return fail(new_match.error());
    std::set<int> old_detected, new_detected; // truth ids the detectors found
    for (const auto& [_, id] : *old_match)
        old_detected.insert(id);
    for (const auto& [_, id] : *new_match)
        new_detected.insert(id);

    ChangeEvaluation e;
    for (const char* label : {"new", "unchanged", "grown", "repaired", "not covered"})
        e.labels.classes[label];
    OGRLayer* changes = ds.GetLayerByName("changes");
    changes->ResetReading();
    for (OGRFeatureUniquePtr f(changes->GetNextFeature()); f; f.reset(changes->GetNextFeature())) {
        ++e.rows;
        const std::string predicted = fieldText(*f, "change");
        const int64_t then_id = int64_t(fieldNumber(*f, "damage_id_then", -1));
        const int64_t now_id = int64_t(fieldNumber(*f, "damage_id_now", -1));
        const int t_then = then_id >= 0 && old_match->count(then_id) ? old_match->at(then_id) : 0;
        const int t_now = now_id >= 0 && new_match->count(now_id) ? new_match->at(now_id) : 0;
        if ((then_id >= 0 && !t_then) || (now_id >= 0 && !t_now)) {
            ++e.detector_rows; // a false alarm on one side
            continue;
        }
        std::string truth;
        if (t_now) {
            const TruthDefect& now = *new_by_id.at(t_now);
            truth = now.change;
            if (now.previous_id > 0 && !old_detected.count(now.previous_id)) {
                ++e.detector_rows; // the old campaign missed it: nothing to compare with
                continue;
            }
            if (t_then && now.previous_id != t_then)
                truth = "(wrong pair)";
        } else {
            if (repaired.count(t_then)) {
                truth = "repaired";
            } else if (const auto it = new_by_previous.find(t_then); it != new_by_previous.end()) {
                if (!new_detected.count(it->second->id)) {
                    ++e.detector_rows; // still there, the new campaign missed it
                    continue;
                }
                truth = it->second->change + " (unmatched)"; // found both times, but not paired
            }
        }
        ++e.scored_rows;
        if (predicted == truth) {
            ++e.labels.classes[predicted].tp;
        } else {
            e.mistakes.push_back({predicted, truth, then_id, now_id, t_then, t_now});
            ++e.labels.classes[predicted].fp;
            if (e.labels.classes.count(truth))
                ++e.labels.classes[truth].fn;
        }
    }

    // Segments: the truth's defects rated on each segment, then and now, as compare rated them.
    auto scheme = loadRatingScheme(summary.is_object() ? summary.value("scheme", "pci-proxy") : "pci-proxy");
    if (!scheme)
        return fail(scheme.error());
    OGRLayer* segments = ds.GetLayerByName("segment_changes");
    if (segments) {
        struct Seg {
            std::unique_ptr<OGRGeometry> path;
            double surveyed_then = 0, surveyed_now = 0;
            std::string predicted, grade_then, grade_now;
            double index_then = 0, index_now = 0;
            SegmentDamage then, now;
        };
        std::vector<Seg> segs;
        std::optional<LocalMetricFrame> metric;
        segments->ResetReading();
        for (OGRFeatureUniquePtr f(segments->GetNextFeature()); f; f.reset(segments->GetNextFeature())) {
            if (!f->GetGeometryRef())
                continue;
            Seg s;
            s.path.reset(f->GetGeometryRef()->clone());
            if (!metric) {
                const auto* line = s.path->toLineString();
                metric.emplace(line->getX(0), line->getY(0));
            }
            metric->toMetric(*s.path);
            s.surveyed_then = fieldNumber(*f, "surveyed_then_m");
            s.surveyed_now = fieldNumber(*f, "surveyed_now_m");
            s.predicted = fieldText(*f, "change");
            s.grade_then = fieldText(*f, "grade_then");
            s.grade_now = fieldText(*f, "grade_now");
            s.index_then = fieldNumber(*f, "index_then");
            s.index_now = fieldNumber(*f, "index_now");
            segs.push_back(std::move(s));
        }
        auto assign = [&](const std::vector<TruthDefect>& truth, bool now, double east, double north) {
            for (const auto& t : truth) {
                const MetricPoint c = centreOf(*t.geometry, *metric);
                OGRPoint p(c.x + east, c.y + north);
                Seg* best = nullptr;
                double best_d = 12;
                for (auto& s : segs)
                    if (const double d = s.path->Distance(&p); d < best_d)
                        best_d = d, best = &s;
                if (!best)
                    continue;
                for (const auto& rule : scheme->classes)
                    if (rule.class_code == t.class_code) {
                        const double amount = rule.quantity == RatedQuantity::LengthM ? t.length_m
                                              : rule.quantity == RatedQuantity::AreaM2 ? t.area_m2 : 1.0;
                        (now ? best->now : best->then).add(t.class_code, severityFromCode(t.severity), amount);
                    }
            }
        };
        if (metric) {
            assign(*old_truth, false, 0, 0);
            assign(*new_truth, true, 0, 0);
        }
        for (size_t i = 0; i < segs.size(); ++i) {
            const Seg& s = segs[i];
            if (s.predicted == "not covered")
                continue;
            ++e.segments;
            const auto then = rateSegment(*scheme, s.then, s.surveyed_then * 3.5);
            const auto now = rateSegment(*scheme, s.now, s.surveyed_now * 3.5);
            const size_t b0 = bandIndex(*scheme, then.band.grade), b1 = bandIndex(*scheme, now.band.grade);
            const std::string truth = b1 > b0 ? "worse" : b1 < b0 ? "better" : "same";
            e.segments_correct += truth == s.predicted;
            e.segment_scores.push_back({int(i), s.predicted, truth, s.grade_then, s.grade_now, s.index_then, s.index_now,
                                        then.band.grade, now.band.grade, then.index, now.index});
        }
    }

    // The offset compare adds to the new positions: the old campaign's GPS error minus the new
    // one's, where each saw the defects both campaigns have, averaged over those defects.
    int common = 0;
    for (const auto& t : *new_truth)
        if (const auto it = old_by_id.find(t.previous_id); t.previous_id > 0 && it != old_by_id.end()) {
            e.true_offset_east_m += it->second->gps_error_east_m - t.gps_error_east_m;
            e.true_offset_north_m += it->second->gps_error_north_m - t.gps_error_north_m;
            ++common;
        }
    if (common)
        e.true_offset_east_m /= common, e.true_offset_north_m /= common;
    if (summary.is_object() && summary.contains("gps_offset_m") && summary["gps_offset_m"].value("estimated", false))
        e.offset_error_m = std::hypot(summary["gps_offset_m"].value("east", 0.0) - e.true_offset_east_m,
                                      summary["gps_offset_m"].value("north", 0.0) - e.true_offset_north_m);
    return e;
}

} // namespace voirie
