#include "voirie/core/campaign/campaign_survey.hpp"

#include "voirie/core/base/file_digest.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/project/project_open.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <set>
#include <sstream>

namespace voirie {
namespace fs = std::filesystem;

LocalMetricFrame SurveyCampaign::metricFrame() const
{
    return frames.empty() ? LocalMetricFrame(0, 0) : LocalMetricFrame(frames.front().lon, frames.front().lat);
}

Status SurveyCampaign::place(const LocalMetricFrame& metric)
{
    for (auto& f : frames)
        f.at = metric.toMetric(f.lon, f.lat);
    placed.clear();
    for (const auto& d : damages) {
        PlacedDefect p;
        p.class_code = d.class_code;
        if (d.geometry) {
            std::unique_ptr<OGRGeometry> g(d.geometry->clone());
            if (!metric.toMetric(*g))
                return fail(path.string() + ": damage " + std::to_string(d.damage_id) + " cannot be placed on the map");
            OGRPoint centre;
            if (g->Centroid(&centre) == OGRERR_NONE)
                p.centre = {centre.getX(), centre.getY()};
            p.shape = std::shared_ptr<const OGRGeometry>(g.release());
        }
        placed.push_back(std::move(p));
    }
    return Ok{};
}

int64_t SurveyCampaign::sawPlace(const MetricPoint& at) const
{
    int64_t best = -1;
    double best_score = 1e18;
    for (const auto& f : frames) {
        const double h = f.heading_deg * M_PI / 180.0, dx = at.x - f.at.x, dy = at.y - f.at.y;
        const double forward = dx * std::sin(h) + dy * std::cos(h), right = dx * std::cos(h) - dy * std::sin(h);
        if (forward < 2 || forward > 20 || std::abs(right) > std::min(6.0, forward))
            continue;
        if (const double score = std::abs(forward - 6); score < best_score)
            best_score = score, best = f.frame_index;
    }
    return best;
}

Result<SurveyCampaign> readSurveyCampaign(const fs::path& path, bool with_rejected)
{
    auto opened = openProject(path, {ProjectAccess::read, {"frames", "damages", "run"}});
    if (!opened)
        return fail(opened.error());
    GDALDataset& ds = **opened;
    SurveyCampaign s;
    s.path = path;
    s.run = readProjectRun(ds);
    if (s.run.status != "complete" && s.run.status != "partial")
        return fail(path.string() + " is not a finished analysis (its run is " +
                    (s.run.status.empty() ? std::string("unrecorded") : "'" + s.run.status + "'") +
                    "): finish it with voirie analyze --resume first");
    auto damages = readProjectDamages(ds, {true, !with_rejected});
    if (!damages)
        return fail(damages.error());
    s.damages = std::move(*damages);
    OGRLayer* frames = ds.GetLayerByName("frames");
    frames->ResetReading();
    for (OGRFeatureUniquePtr f(frames->GetNextFeature()); f; f.reset(frames->GetNextFeature())) {
        const OGRGeometry* g = f->GetGeometryRef();
        if (!g || wkbFlatten(g->getGeometryType()) != wkbPoint)
            continue;
        const auto* p = g->toPoint();
        s.frames.push_back({int64_t(fieldNumber(*f, "frame_index", -1)), p->getX(), p->getY(), fieldNumber(*f, "heading_deg"), {}});
    }
    if (s.frames.empty())
        return fail(path.string() + " has no sampled frames: there is nothing to say where it looked");
    opened->reset();
    auto digest = sha256OfFile(path);
    if (!digest)
        return fail(digest.error());
    s.sha256 = *digest;
    return s;
}

Status surveysOverlap(const SurveyCampaign& a, const SurveyCampaign& b)
{
    // A grid of 15 m cells over a's frames; b's frames look in their own and the 8 around.
    constexpr double cell = 15;
    std::set<std::pair<long, long>> cells;
    for (const auto& f : a.frames)
        cells.insert({long(std::floor(f.at.x / cell)), long(std::floor(f.at.y / cell))});
    for (const auto& f : b.frames) {
        const long cx = long(std::floor(f.at.x / cell)), cy = long(std::floor(f.at.y / cell));
        for (long dx = -1; dx <= 1; ++dx)
            for (long dy = -1; dy <= 1; ++dy)
                if (cells.count({cx + dx, cy + dy}))
                    return Ok{};
    }
    double nearest = 1e18;
    for (size_t i = 0; i < a.frames.size(); i += std::max<size_t>(1, a.frames.size() / 200))
        for (size_t j = 0; j < b.frames.size(); j += std::max<size_t>(1, b.frames.size() / 200))
            nearest = std::min(nearest, std::hypot(a.frames[i].at.x - b.frames[j].at.x, a.frames[i].at.y - b.frames[j].at.y));
    std::ostringstream text;
    text.precision(nearest < 10000 ? 0 : 1);
    text << std::fixed << (nearest < 10000 ? nearest : nearest / 1000) << (nearest < 10000 ? " m" : " km");
    return fail(a.path.string() + " and " + b.path.string() + " do not cover the same road: their tracks never come within "
                "15 m of each other (" + text.str() + " apart at the closest)");
}

std::vector<std::string> runDifferences(const SurveyCampaign& a, const SurveyCampaign& b)
{
    std::vector<std::string> out;
    const std::string an = a.path.filename().string(), bn = b.path.filename().string();
    if (a.run.voirie_version != b.run.voirie_version)
        out.push_back("analysed by Voirie " + a.run.voirie_version + " (" + an + ") and " + b.run.voirie_version + " (" + bn + ")");
    // The camera as measured, not where its file was.
    auto camera = [](const std::string& text) {
        auto j = nlohmann::json::parse(text, nullptr, false);
        if (j.is_object())
            j.erase("source");
        return j;
    };
    const auto camera_a = camera(a.run.camera_json), camera_b = camera(b.run.camera_json);
    if (camera_a != camera_b)
        out.push_back("the camera differs between " + an + " and " + bn + " (model, mounting or calibration)");
    std::map<std::string, std::string> pa, pb;
    for (const auto& p : a.run.plugins)
        if (p.kind == "detector")
            pa[p.id] = p.version;
    for (const auto& p : b.run.plugins)
        if (p.kind == "detector")
            pb[p.id] = p.version;
    auto list = [](const std::map<std::string, std::string>& m) {
        std::string s;
        for (const auto& [id, version] : m)
            s += (s.empty() ? "" : ", ") + id + " " + version;
        return s.empty() ? std::string("none") : s;
    };
    if (pa != pb)
        out.push_back("different detectors: " + list(pa) + " (" + an + ") and " + list(pb) + " (" + bn +
                      "): a change may be the detector's, not the road's");
    return out;
}

} // namespace voirie
