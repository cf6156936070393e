#include "voirie/core/evaluation/damage_evaluation.hpp"

#include "voirie/core/geo/local_metric_frame.hpp"
#include "voirie/core/project/project_reader.hpp"
#include "voirie/core/project/project_open.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

namespace voirie {
namespace {

struct Feature {
    std::string cls;
    std::unique_ptr<OGRGeometry> geometry; // metric
    OGRPoint centroid;
    std::optional<double> length_m, area_m2;
    std::string severity; // L, M or H; empty when the layer has none
    int64_t id = -1;      // the project's damage_id; the truth's "id" field (else its FID)
};

constexpr const char* kSeverities[] = {"L", "M", "H"};

// Matched pairs of one class with this true and this found severity.
int count(const SeverityAgreement::Confusion& c, const std::string& truth, const std::string& found)
{
    const auto row = c.find(truth);
    if (row == c.end())
        return 0;
    const auto cell = row->second.find(found);
    return cell == row->second.end() ? 0 : cell->second;
}

std::optional<double> positiveField(OGRFeature& f, const char* name)
{
    const int i = f.GetFieldIndex(name);
    if (i < 0 || !f.IsFieldSetAndNotNull(i))
        return std::nullopt;
    const double v = f.GetFieldAsDouble(i);
    return v > 0 ? std::optional<double>(v) : std::nullopt;
}

GDALDatasetUniquePtr openVector(const std::filesystem::path& path)
{
    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    CPLPopErrorHandler();
    return ds;
}

// The feature's geometry in the metric frame (placed at the first geometry seen) and its
// centroid there.
Status placeInFrame(Feature& feature, const OGRGeometry& g, std::optional<LocalMetricFrame>& frame,
                    const std::string& where)
{
    if (!frame) {
        OGRPoint c;
        g.Centroid(&c);
        frame.emplace(c.getX(), c.getY());
    }
    feature.geometry.reset(g.clone());
    feature.geometry->assignSpatialReference(nullptr);
    if (!frame->toMetric(*feature.geometry))
        return fail("cannot project a geometry of " + where + " into metres");
    feature.geometry->Centroid(&feature.centroid);
    return Ok{};
}

// "L", "M" or "H"; anything else (unset, unknown) as empty.
std::string severityLevel(const std::string& code) { return code == "L" || code == "M" || code == "H" ? code : ""; }

// Reads class, geometry and size of every feature of a layer into the metric frame.
Result<std::vector<Feature>> readLayer(OGRLayer& layer, const std::string& where,
                                       std::optional<LocalMetricFrame>& frame)
{
    std::vector<Feature> out;
    const OGRSpatialReference* srs = layer.GetSpatialRef();
    if (srs && !srs->IsGeographic())
        return fail(where + " is not in lon/lat (EPSG:4326); export it in WGS 84 to evaluate it");
    if (layer.GetLayerDefn()->GetFieldIndex("class") < 0) {
        if (layer.GetFeatureCount(TRUE) == 0)
            return out; // an empty GeoJSON (a --clean survey) has no fields at all: nothing to find
        return fail(where + " has no 'class' field");
    }
    layer.ResetReading();
    for (auto& f : layer) {
        const OGRGeometry* g = f->GetGeometryRef();
        if (g == nullptr || g->IsEmpty())
            continue;
        Feature feature;
        feature.cls = f->GetFieldAsString("class");
        if (auto s = placeInFrame(feature, *g, frame, where); !s)
            return fail(s.error());
        feature.length_m = positiveField(*f, "length_m");
        feature.area_m2 = positiveField(*f, "area_m2");
        if (const int i = f->GetFieldIndex("severity"); i >= 0 && f->IsFieldSetAndNotNull(i))
            feature.severity = severityLevel(f->GetFieldAsString(i));
        const int id = f->GetFieldIndex("id");
        feature.id = id >= 0 && f->IsFieldSetAndNotNull(id) ? f->GetFieldAsInteger64(id) : f->GetFID();
        out.push_back(std::move(feature));
    }
    return out;
}

std::optional<double> positive(double v) { return v > 0 ? std::optional<double>(v) : std::nullopt; }

// The project's damages (through the project reader) as features in the metric frame.
Result<std::vector<Feature>> readProjectFeatures(GDALDataset& project, OGRLayer& layer, const std::string& where,
                                                 std::optional<LocalMetricFrame>& frame)
{
    const OGRSpatialReference* srs = layer.GetSpatialRef();
    if (srs && !srs->IsGeographic())
        return fail(where + " is not in lon/lat (EPSG:4326); export it in WGS 84 to evaluate it");
    auto damages = readProjectDamages(project);
    if (!damages)
        return fail(where + ": " + damages.error());
    std::vector<Feature> out;
    for (const auto& d : *damages) {
        if (!d.geometry)
            continue;
        Feature feature;
        feature.cls = d.class_code;
        if (auto s = placeInFrame(feature, *d.geometry, frame, where); !s)
            return fail(s.error());
        feature.length_m = positive(d.length_m);
        feature.area_m2 = positive(d.area_m2);
        feature.severity = severityLevel(d.severity);
        feature.id = d.damage_id;
        out.push_back(std::move(feature));
    }
    return out;
}

std::optional<double> sizeError(const Feature& truth, const Feature& found)
{
    const bool crack = truth.cls == "D00" || truth.cls == "D10";
    const auto& t = crack ? truth.length_m : truth.area_m2;
    const auto& m = crack ? found.length_m : found.area_m2;
    if (!t || !m)
        return std::nullopt;
    return std::abs(*m - *t) / *t;
}

// The road the survey covered, in km: the span of the sampled frames' chainage, as `analyze`
// reports it; without a `frames` layer, the length of the `track` layer, which runs on over the
// GPS fixes logged before and after the footage (a third longer on the 400 m sample).
std::optional<double> surveyedKm(GDALDataset& project, std::optional<LocalMetricFrame>& frame)
{
    if (OGRLayer* frames = project.GetLayerByName("frames")) {
        if (const int field = frames->GetLayerDefn()->GetFieldIndex("chainage_m"); field >= 0) {
            double lo = INFINITY, hi = -INFINITY;
            frames->ResetReading();
            for (auto& f : *frames)
                if (f->IsFieldSetAndNotNull(field))
                    lo = std::min(lo, f->GetFieldAsDouble(field)), hi = std::max(hi, f->GetFieldAsDouble(field));
            if (hi > lo)
                return (hi - lo) / 1000.0;
        }
    }
    OGRLayer* track = project.GetLayerByName("track");
    if (track == nullptr)
        return std::nullopt;
    double metres = 0;
    track->ResetReading();
    for (auto& f : *track) {
        const OGRGeometry* g = f->GetGeometryRef();
        if (g == nullptr || g->IsEmpty())
            continue;
        if (!frame) { // a clean road found clean: no feature has placed the frame yet
            OGRPoint c;
            g->Centroid(&c);
            frame.emplace(c.getX(), c.getY());
        }
        std::unique_ptr<OGRGeometry> line(g->clone());
        line->assignSpatialReference(nullptr);
        if (!frame->toMetric(*line))
            continue;
        const auto type = wkbFlatten(line->getGeometryType());
        if (type == wkbLineString)
            metres += line->toLineString()->get_Length();
        else if (type == wkbMultiLineString)
            metres += line->toMultiLineString()->get_Length();
    }
    return metres > 0 ? std::optional<double>(metres / 1000.0) : std::nullopt;
}

} // namespace

int SeverityAgreement::pairs(const Confusion& c)
{
    int n = 0;
    for (const auto& [truth, row] : c)
        for (const auto& [found, count] : row)
            n += count;
    return n;
}

int SeverityAgreement::agreeing(const Confusion& c)
{
    int n = 0;
    for (const auto& [truth, row] : c)
        if (auto same = row.find(truth); same != row.end())
            n += same->second;
    return n;
}

int SeverityAgreement::pairs() const
{
    int n = 0;
    for (const auto& [cls, c] : confusion)
        n += pairs(c);
    return n;
}

int SeverityAgreement::agreeing() const
{
    int n = 0;
    for (const auto& [cls, c] : confusion)
        n += agreeing(c);
    return n;
}

Result<DamageEvaluation> evaluateDamages(const std::filesystem::path& project, const std::filesystem::path& truth_path,
                                         const DamageEvaluationOptions& options)
{
    auto truth_ds = openVector(truth_path);
    if (!truth_ds)
        return fail("ground truth " + truth_path.string() + " cannot be opened as a vector file");
    // Any layer of damages with these fields can be scored (the truth itself, in tests); each is
    // scored, so without one a figure would change, not vanish (without length_m the size error
    // read 22 % instead of 14 %).
    auto project_ds = openProject(project, {ProjectAccess::read, {{"damages", {"class", "severity", "length_m", "area_m2"}}}});
    if (!project_ds)
        return fail(project_ds.error());
    // An analysed project (it has a run) gives the km surveyed by its frames; without them the
    // track's length would stand in, a third longer, and false positives per km would change.
    if ((*project_ds)->GetLayerByName("run") != nullptr && (*project_ds)->GetLayerByName("frames") == nullptr)
        return fail(project.string() + " is not a complete Voirie project: it has no 'frames' layer, which gives the km surveyed");
    OGRLayer* damages = (*project_ds)->GetLayerByName("damages");
    if (truth_ds->GetLayerCount() < 1)
        return fail("ground truth " + truth_path.string() + " has no layer");

    std::optional<LocalMetricFrame> frame;
    auto truth = readLayer(*truth_ds->GetLayer(0), "ground truth " + truth_path.string(), frame);
    if (!truth)
        return fail(truth.error());
    auto found = readProjectFeatures(**project_ds, *damages, "the damages of " + project.string(), frame);
    if (!found)
        return fail(found.error());

    // Every same-class pair within the match distance, closest first; ties by input order.
    struct Candidate {
        double distance;
        int t, d;
    };
    std::vector<Candidate> candidates;
    for (int t = 0; t < int(truth->size()); ++t)
        for (int d = 0; d < int(found->size()); ++d) {
            if ((*truth)[size_t(t)].cls != (*found)[size_t(d)].cls)
                continue;
            const double distance = (*truth)[size_t(t)].geometry->Distance((*found)[size_t(d)].geometry.get());
            if (distance >= 0 && distance <= options.match_m)
                candidates.push_back({distance, t, d});
        }
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
        return std::tie(a.distance, a.t, a.d) < std::tie(b.distance, b.t, b.d);
    });
    std::vector<bool> truth_used(truth->size()), found_used(found->size());
    DamageEvaluation eval;
    for (const auto& c : candidates) {
        if (truth_used[size_t(c.t)] || found_used[size_t(c.d)])
            continue;
        truth_used[size_t(c.t)] = found_used[size_t(c.d)] = true;
        const auto& t = (*truth)[size_t(c.t)];
        const auto& d = (*found)[size_t(c.d)];
        eval.matches.push_back(
            {c.t, c.d, c.distance, t.centroid.Distance(&d.centroid), sizeError(t, d), t.severity, d.severity, d.id, t.id});
        ++eval.scores.classes[t.cls].tp;
        if (!t.severity.empty() && !d.severity.empty())
            ++eval.severity.confusion[t.cls][t.severity][d.severity];
    }
    for (size_t t = 0; t < truth->size(); ++t) {
        auto& score = eval.scores.classes[(*truth)[t].cls];
        if (!truth_used[t])
            ++score.fn;
    }
    for (size_t d = 0; d < found->size(); ++d) {
        auto& score = eval.scores.classes[(*found)[d].cls];
        if (!found_used[d])
            ++score.fp;
    }

    std::vector<double> positions, sizes;
    for (const auto& m : eval.matches) {
        positions.push_back(m.position_error_m);
        if (m.size_error_rel)
            sizes.push_back(*m.size_error_rel);
    }
    eval.median_position_error_m = percentile(positions, 50);
    eval.p90_position_error_m = percentile(positions, 90);
    eval.median_size_error_rel = percentile(sizes, 50);

    eval.survey_km = options.survey_km ? options.survey_km : surveyedKm(**project_ds, frame);
    if (eval.survey_km && *eval.survey_km > 0)
        eval.false_positives_per_km = eval.scores.overall().fp / *eval.survey_km;
    return eval;
}

nlohmann::ordered_json DamageEvaluation::toJson() const
{
    nlohmann::ordered_json j = scores.toJson();
    auto value = [](const std::optional<double>& v) {
        return v ? nlohmann::ordered_json(std::round(*v * 10000.0) / 10000.0) : nlohmann::ordered_json(nullptr);
    };
    j["overall"]["median_position_error_m"] = value(median_position_error_m);
    j["overall"]["p90_position_error_m"] = value(p90_position_error_m);
    j["overall"]["median_size_error_rel"] = value(median_size_error_rel);
    j["overall"]["false_positives_per_km"] = value(false_positives_per_km);
    j["overall"]["survey_km"] = value(survey_km);
    const int pairs = severity.pairs();
    j["overall"]["severity_agreement"] = value(pairs ? std::optional<double>(double(severity.agreeing()) / pairs) : std::nullopt);
    // class -> true severity -> found severity -> matched damages
    nlohmann::ordered_json confusion = nlohmann::ordered_json::object();
    for (const auto& [cls, c] : severity.confusion)
        for (const char* truth : kSeverities)
            if (c.count(truth))
                for (const char* found : kSeverities)
                    confusion[cls][truth][found] = count(c, truth, found);
    j["severity_confusion"] = confusion;
    return j;
}

std::string DamageEvaluation::toText() const
{
    std::string out = scores.toText();
    char line[160];
    auto show = [](const std::optional<double>& v, const char* unit) {
        char text[48];
        if (v)
            std::snprintf(text, sizeof(text), "%.2f%s", *v, unit);
        else
            std::snprintf(text, sizeof(text), "n/a");
        return std::string(text);
    };
    std::snprintf(line, sizeof(line), "position error: median %s, 90th percentile %s\n",
                  show(median_position_error_m, " m").c_str(), show(p90_position_error_m, " m").c_str());
    out += line;
    std::snprintf(line, sizeof(line), "size error (length for cracks, area otherwise): median %s\n",
                  median_size_error_rel ? (std::to_string(int(std::lround(*median_size_error_rel * 100))) + "%").c_str() : "n/a");
    out += line;
    std::snprintf(line, sizeof(line), "false positives per km: %s over %s\n", show(false_positives_per_km, "").c_str(),
                  show(survey_km, " km").c_str());
    out += line;
    if (const int pairs = severity.pairs(); pairs > 0) {
        std::snprintf(line, sizeof(line), "severity: %d of %d matched damages agree (%d%%)\n", severity.agreeing(), pairs,
                      int(std::lround(100.0 * severity.agreeing() / pairs)));
        out += line;
        for (const auto& [cls, c] : severity.confusion) {
            out += "  " + cls + ":";
            for (const char* truth : kSeverities)
                if (c.count(truth)) {
                    std::snprintf(line, sizeof(line), " true %s found L/M/H %d/%d/%d;", truth, count(c, truth, "L"),
                                  count(c, truth, "M"), count(c, truth, "H"));
                    out += line;
                }
            out.back() = '\n';
        }
    }
    return out;
}

} // namespace voirie
