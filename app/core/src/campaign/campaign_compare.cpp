#include "voirie/core/campaign/campaign_compare.hpp"

#include "segment_changes.hpp"

#include "voirie/core/base/atomic_output.hpp"
#include "voirie/core/base/version.hpp"
#include "voirie/core/campaign/campaign_survey.hpp"
#include "voirie/core/campaign/defect_matching.hpp"
#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/geo/local_metric_frame.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/project/project_open.hpp"
#include "voirie/core/project/project_reader.hpp"
#include "voirie/core/project/qgis_styles.hpp"
#include "voirie/core/vocabulary/severity_rules.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <random>
#include <sstream>

namespace voirie {
namespace fs = std::filesystem;
namespace {

// The colours of the change labels, in QGIS, the app and the report.
const std::vector<StyleCategory>& changeCategories()
{
    static const std::vector<StyleCategory> categories{{"new", "new", "#d7191c"},
                                                       {"grown", "grown", "#fdae61"},
                                                       {"unchanged", "unchanged", "#2c7bb6"},
                                                       {"repaired", "repaired", "#1a9641"},
                                                       {"not covered", "not covered", "#999999"}};
    return categories;
}

// The measure that says how big a defect is: length for cracks, area for areas.
double sizeOf(const ProjectDamage& d)
{
    return (d.class_code == "D00" || d.class_code == "D10") ? d.length_m : d.area_m2;
}

// One defect as one survey saw it: a damage, and the other damages of its class the detectors
// made of it (a grown alligator area found as two patches, a crack as two pieces).
struct SeenDefect {
    const ProjectDamage* main = nullptr;
    std::vector<const ProjectDamage*> parts;

    double size() const
    {
        double total = sizeOf(*main);
        for (const auto* p : parts)
            total += sizeOf(*p);
        return total;
    }
    Severity severity() const
    {
        Severity worst = severityFromCode(main->severity);
        for (const auto* p : parts)
            worst = std::max(worst, severityFromCode(p->severity));
        return worst;
    }
    double length() const
    {
        double total = main->length_m;
        for (const auto* p : parts)
            total += p->length_m;
        return total;
    }
    double area() const
    {
        double total = main->area_m2;
        for (const auto* p : parts)
            total += p->area_m2;
        return total;
    }
    std::string partIds() const
    {
        std::string ids;
        for (const auto* p : parts)
            ids += (ids.empty() ? "" : ",") + std::to_string(p->damage_id);
        return ids;
    }
};

// Grown: its size (length of a crack, area of an area) up by more than `share`; or its severity
// up and backed by a measured growth of at least half that (size, or a crack's width). The
// severity classes are thresholds on the same measures: a step over one from a few per cent of
// difference is the measuring, not the road (on seeds 11-13 every true growth with a severity
// step had grown by over 30 %, and one unchanged alligator area stepped M -> H at +9 %).
bool grew(const SeenDefect& before, const SeenDefect& now, double share)
{
    const double a = before.size(), b = now.size();
    if (a > 0 && b > a * (1 + share))
        return true;
    const Severity s0 = before.severity(), s1 = now.severity();
    if (s0 == Severity::Unknown || s1 == Severity::Unknown || int(s1) <= int(s0))
        return false;
    const bool size_grew = a > 0 && b >= a * (1 + share / 2);
    const bool widened = before.main->width_mm > 0 && now.main->width_mm >= before.main->width_mm * (1 + share / 2);
    return size_grew || widened;
}

// How far (in --match-m) a piece may lie from the other survey's view of its defect: a grown area
// seen in pieces reaches beyond its old outline (chosen on seeds 11-13: 1 left a grown alligator
// area's piece 2.26 m off 'new'; 1.5 and 2 gave the same labels).
constexpr double kPieceReach = 1.5;

// How far a new damage lies from an old one once the campaigns' offset there is removed.
double placedDistance(const PlacedDefect& then, const PlacedDefect& now, const MetricPoint& offset)
{
    if (!then.shape || !now.shape)
        return std::hypot(now.centre.x + offset.x - then.centre.x, now.centre.y + offset.y - then.centre.y);
    return then.shape->Distance(shifted(*now.shape, offset.x, offset.y).get());
}

// A scratch folder beside the output (same file system), removed on every path out.
struct ScratchFolder {
    fs::path path;
    explicit ScratchFolder(const fs::path& beside)
    {
        std::random_device random;
        path = beside.parent_path() / (".voirie-compare-" + std::to_string(random()));
        fs::create_directories(path);
    }
    ~ScratchFolder()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string wkt(const OGRGeometry& g)
{
    char* text = nullptr;
    g.exportToWkt(&text, wkbVariantIso);
    std::string out = text ? text : "";
    CPLFree(text);
    return out;
}

} // namespace

nlohmann::ordered_json CompareSummary::toJson() const
{
    nlohmann::ordered_json j;
    j["out"] = out.string();
    j["gps_offset_m"] = {{"east", offset_east_m}, {"north", offset_north_m}, {"estimated", offset_estimated},
                         {"pairs", offset_pairs}, {"residual_m", offset_residual_m}};
    j["old_defects"] = old_defects;
    j["new_defects"] = new_defects;
    j["labels"] = labels;
    j["scheme"] = scheme;
    nlohmann::ordered_json segs = nlohmann::ordered_json::array();
    std::map<std::string, int> segment_counts{{"worse", 0}, {"better", 0}, {"same", 0}, {"not covered", 0}};
    for (const auto& s : segments) {
        ++segment_counts[s.change];
        segs.push_back({{"label", s.label}, {"grade_then", s.grade_then}, {"grade_now", s.grade_now},
                        {"index_then", s.index_then}, {"index_now", s.index_now}, {"change", s.change}});
    }
    j["segment_changes"] = segment_counts;
    j["segments"] = segs;
    j["differences"] = differences;
    j["warnings"] = warnings;
    return j;
}

std::string CompareSummary::toText() const
{
    std::ostringstream s;
    s << std::fixed << std::setprecision(2);
    s << "wrote " << out.string() << "\n";
    if (offset_estimated)
        s << "GPS offset between the campaigns: " << offset_east_m << " m east, " << offset_north_m << " m north ("
          << std::hypot(offset_east_m, offset_north_m) << " m, from " << offset_pairs << " defects both found; "
          << "residual " << offset_residual_m << " m), removed before matching\n";
    else
        s << "GPS offset between the campaigns: not estimated (too few defects found in both), none removed\n";
    s << "defects: " << old_defects << " before, " << new_defects << " now;";
    for (const char* label : kChangeLabels)
        s << " " << labels.at(label) << " " << label << (std::string(label) == "not covered" ? "" : ",");
    s << "\n";
    std::map<std::string, int> counts;
    for (const auto& seg : segments)
        ++counts[seg.change];
    s << "segments (" << scheme << "): " << counts["worse"] << " worse, " << counts["better"] << " better, "
      << counts["same"] << " same, " << counts["not covered"] << " not covered\n";
    for (const auto& d : differences)
        s << "note: " << d << "\n";
    for (const auto& w : warnings)
        s << "warning: " << w << "\n";
    return s.str();
}

Result<CompareSummary> compareCampaigns(const CompareOptions& o)
{
    if (!(o.match_m > 0 && o.match_m <= 20))
        return fail("--match-m must be between 0 and 20 metres");
    if (!(o.grown_share > 0 && o.grown_share < 10))
        return fail("the growth share must be positive");
    std::error_code ec;
    if (fs::equivalent(o.old_project, o.new_project, ec))
        return fail("OLD and NEW are the same file (" + o.old_project.string() + "): compare two campaigns");
    auto old_survey = readSurveyCampaign(o.old_project);
    if (!old_survey)
        return fail(old_survey.error());
    const LocalMetricFrame metric = old_survey->metricFrame();
    if (auto s = old_survey->place(metric); !s)
        return fail(s.error());
    auto new_survey = readSurveyCampaign(o.new_project);
    if (!new_survey)
        return fail(new_survey.error());
    if (auto s = new_survey->place(metric); !s)
        return fail(s.error());
    if (auto overlap = surveysOverlap(*old_survey, *new_survey); !overlap)
        return fail(overlap.error());

    // A patch (class "repair") is not a defect: the new survey's patches are evidence that a
    // defect the old survey saw there was repaired; the old survey's are left out.
    std::vector<PlacedDefect> patches_now;
    auto takePatches = [](SurveyCampaign& s, std::vector<PlacedDefect>* into) {
        for (size_t i = s.damages.size(); i-- > 0;)
            if (s.damages[i].class_code == "repair") {
                if (into)
                    into->push_back(s.placed[i]);
                s.damages.erase(s.damages.begin() + long(i));
                s.placed.erase(s.placed.begin() + long(i));
            }
    };
    takePatches(*old_survey, nullptr);
    takePatches(*new_survey, &patches_now);

    CompareSummary summary;
    summary.out = o.out;
    summary.old_defects = int(old_survey->damages.size());
    summary.new_defects = int(new_survey->damages.size());
    for (const char* label : kChangeLabels)
        summary.labels[label] = 0;
    summary.differences = runDifferences(*old_survey, *new_survey);
    for (const auto* survey : {&*old_survey, &*new_survey})
        if (survey->run.status == "partial")
            summary.warnings.push_back(survey->path.string() + " is partial (not all its footage was analysed): places it "
                                                               "did not look at are 'not covered'");

    // The offset: add it to the new survey's positions to bring them onto the old one's. Voted
    // and refined on the defects, then once more on the final matching (which reaches farther:
    // the offset near each place, the second look at leftovers).
    DefectOffset offset = estimateOffset(old_survey->placed, new_survey->placed);
    auto matchAll = [&](const DefectOffset& global) {
        LocalOffset near(global, old_survey->placed, new_survey->placed);
        auto matched = matchDefects(old_survey->placed, new_survey->placed, near, o.match_m);
        matchLeftovers(old_survey->placed, new_survey->placed, near, 2 * o.match_m, matched);
        return std::pair{std::move(near), std::move(matched)};
    };
    auto [local, pairs] = matchAll(offset);
    if (offset.estimated)
        if (const DefectOffset refined = offsetOfPairs(old_survey->placed, new_survey->placed, pairs); refined.estimated) {
            offset = refined;
            std::tie(local, pairs) = matchAll(offset);
        }
    summary.offset_estimated = offset.estimated;
    summary.offset_east_m = offset.east_m;
    summary.offset_north_m = offset.north_m;
    summary.offset_pairs = offset.supporting_pairs;
    summary.offset_residual_m = offset.residual_m;
    if (!offset.estimated)
        summary.warnings.push_back("fewer than 3 defects were found by both campaigns: the GPS offset between them could "
                                   "not be estimated, so defects are matched as positioned (a metre or two of GPS error "
                                   "can make one defect 'new' and 'repaired')");

    // One row per defect: matched pairs, then the unmatched of each side.
    struct Row {
        std::string label;
        const ProjectDamage* then = nullptr;
        const ProjectDamage* now = nullptr;
        double distance_m = -1;
        int64_t looked_from_frame = -1; // repaired: the new survey's frame that saw the place
        bool patch_seen = false;        // repaired: the new survey found a patch there
        MetricPoint shift{};            // unmatched old defects: the offset near them
        size_t old_index = 0, new_index = 0; // matched pairs: the damages' places
        std::vector<const ProjectDamage*> then_parts{}, now_parts{}; // the same defect, seen in pieces
    };
    std::vector<Row> rows;
    std::vector<bool> old_matched(old_survey->damages.size()), new_matched(new_survey->damages.size());
    for (const auto& p : pairs) {
        const auto& a = old_survey->damages[size_t(p.first)];
        const auto& b = new_survey->damages[size_t(p.second)];
        old_matched[size_t(p.first)] = new_matched[size_t(p.second)] = true;
        Row row{"", &a, &b, p.distance_m};
        row.old_index = size_t(p.first);
        row.new_index = size_t(p.second);
        rows.push_back(std::move(row));
    }
    // A defect the detectors saw in pieces in one survey and whole (or in other pieces) in the
    // other: a leftover damage of the same class within reach of a matched pair's damage in the
    // other survey is a piece of that defect, not a new or repaired one; its size counts with it.
    const size_t matched_rows = rows.size();
    auto nearestPair = [&](const PlacedDefect& piece, bool piece_is_new) -> Row* {
        Row* best = nullptr;
        double best_d = kPieceReach * o.match_m;
        for (size_t k = 0; k < matched_rows; ++k) {
            Row& r = rows[k];
            const PlacedDefect& then = piece_is_new ? old_survey->placed[r.old_index] : piece;
            const PlacedDefect& now = piece_is_new ? piece : new_survey->placed[r.new_index];
            if (then.class_code != now.class_code || (piece_is_new ? r.now : r.then)->class_code != piece.class_code)
                continue;
            if (const double d = placedDistance(then, now, local.at(then.centre)); d <= best_d)
                best_d = d, best = &r;
        }
        return best;
    };
    for (size_t j = 0; j < new_survey->damages.size(); ++j)
        if (!new_matched[j])
            if (Row* r = nearestPair(new_survey->placed[j], true)) {
                r->now_parts.push_back(&new_survey->damages[j]);
                new_matched[j] = true;
            }
    for (size_t i = 0; i < old_survey->damages.size(); ++i)
        if (!old_matched[i])
            if (Row* r = nearestPair(old_survey->placed[i], false)) {
                r->then_parts.push_back(&old_survey->damages[i]);
                old_matched[i] = true;
            }
    for (size_t k = 0; k < matched_rows; ++k) {
        Row& r = rows[k];
        r.label = grew({r.then, r.then_parts}, {r.now, r.now_parts}, o.grown_share) ? "grown" : "unchanged";
    }
    for (size_t j = 0; j < new_survey->damages.size(); ++j) {
        if (new_matched[j])
            continue;
        const MetricPoint at = new_survey->placed[j].centre;
        const MetricPoint shift = local.at({at.x + offset.east_m, at.y + offset.north_m});
        const bool looked = old_survey->sawPlace({at.x + shift.x, at.y + shift.y}) >= 0;
        rows.push_back({looked ? "new" : "not covered", nullptr, &new_survey->damages[j]});
    }
    for (size_t i = 0; i < old_survey->damages.size(); ++i) {
        if (old_matched[i])
            continue;
        const MetricPoint at = old_survey->placed[i].centre;
        const MetricPoint shift = local.at(at);
        const int64_t frame = new_survey->sawPlace({at.x - shift.x, at.y - shift.y});
        bool patch = false;
        for (const auto& p : patches_now)
            patch = patch || (old_survey->placed[i].shape && p.shape &&
                              shifted(*p.shape, shift.x, shift.y)->Distance(old_survey->placed[i].shape.get()) <= o.match_m);
        rows.push_back({frame >= 0 || patch ? "repaired" : "not covered", &old_survey->damages[i], nullptr, -1, frame});
        rows.back().shift = shift;
        rows.back().patch_seen = patch;
    }
    for (const auto& r : rows)
        ++summary.labels[r.label];

    // Segments, in a scratch folder beside the output.
    auto output = AtomicOutput::prepare(o.out, o.overwrite);
    if (!output)
        return fail(output.error());
    SegmentComparison segments;
    {
        std::unique_ptr<ScratchFolder> scratch;
        try {
            scratch = std::make_unique<ScratchFolder>(o.out);
        } catch (const fs::filesystem_error& e) {
            return fail("cannot create a scratch folder beside " + o.out.string() + ": " + e.code().message());
        }
        std::vector<UnchangedDefect> unchanged;
        for (const auto& r : rows)
            if (r.label == "unchanged" && r.then && r.now && r.then->class_code == r.now->class_code) {
                const SeenDefect then{r.then, r.then_parts};
                UnchangedDefect u{r.now->damage_id, {}, then.length(), then.area(), r.then->width_mm,
                                  severityCode(then.severity())};
                for (const auto* p : r.now_parts)
                    u.parts_now.push_back(p->damage_id);
                unchanged.push_back(std::move(u));
            }
        auto compared = compareSegments(o.old_project, o.new_project, offset.east_m, offset.north_m, unchanged, scratch->path);
        if (!compared)
            return fail("cannot compare the segments: " + compared.error());
        segments = std::move(*compared);
    }
    summary.scheme = segments.scheme;
    for (const auto& s : segments.segments)
        summary.segments.push_back(s.change);

    // CHANGES.gpkg.
    const std::string where = o.out.string();
    GdalErrorTrap trap;
    auto created = createGeoPackage(output->temporaryPath());
    if (!created)
        return fail(created.error());
    GDALDataset& ds = **created;
    OGRSpatialReference wgs84 = wgs84LonLat();
    OGRLayer* changes = ds.CreateLayer("changes", &wgs84, wkbUnknown, nullptr);
    OGRLayer* segment_layer = ds.CreateLayer("segment_changes", &wgs84, wkbLineString, nullptr);
    char** aspatial = CSLSetNameValue(nullptr, "ASPATIAL_VARIANT", "GPKG_ATTRIBUTES");
    OGRLayer* comparison = ds.CreateLayer("comparison", nullptr, wkbNone, aspatial);
    CSLDestroy(aspatial);
    if (!changes || !segment_layer || !comparison)
        return fail("cannot create the layers of " + where + ": " + gdalWriteReason());
    for (const char* f : {"change", "class", "class_then", "class_now", "severity_then", "severity_now"})
        addField(*changes, f, OFTString);
    for (const char* f : {"damage_id_then", "damage_id_now", "looked_from_frame"})
        addField(*changes, f, OFTInteger64);
    // The other damages the same defect was seen as (comma-separated ids); the lengths and areas
    // are of the whole defect, all its pieces.
    for (const char* f : {"parts_then", "parts_now"})
        addField(*changes, f, OFTString);
    addField(*changes, "patch_seen", OFTInteger); // repaired: a patch found there now
    for (const char* f : {"length_then_m", "length_now_m", "area_then_m2", "area_now_m2", "growth", "distance_m"})
        addField(*changes, f, OFTReal);
    addField(*changes, "geometry_then", OFTString); // WKT lon/lat, where the old survey put it
    addField(*changes, "seen_then", OFTDateTime);
    addField(*changes, "seen_now", OFTDateTime);
    addField(*changes, "chip_then", OFTBinary);
    addField(*changes, "chip_now", OFTBinary);
    for (const char* f : {"segment", "grade_then", "grade_now", "change"})
        addField(*segment_layer, f, OFTString);
    for (const char* f : {"index_then", "index_now", "surveyed_then_m", "surveyed_now_m"})
        addField(*segment_layer, f, OFTReal);
    for (const char* f : {"damages_then", "damages_now"})
        addField(*segment_layer, f, OFTInteger);
    for (const char* f : {"old_project", "old_sha256", "new_project", "new_sha256", "voirie_version", "command_line",
                          "summary"})
        addField(*comparison, f, OFTString);
    addField(*comparison, "created", OFTDateTime);

    if (ds.StartTransaction() != OGRERR_NONE)
        return fail("cannot write " + where + ": " + gdalWriteReason());
    for (const auto& r : rows) {
        OGRFeatureUniquePtr f(OGRFeature::CreateFeature(changes->GetLayerDefn()));
        f->SetField("change", r.label.c_str());
        const ProjectDamage& main = r.now ? *r.now : *r.then;
        f->SetField("class", main.class_code.c_str());
        if (r.then) {
            f->SetField("class_then", r.then->class_code.c_str());
            f->SetField("severity_then", r.then->severity.c_str());
            f->SetField("damage_id_then", GIntBig(r.then->damage_id));
            const SeenDefect seen{r.then, r.then_parts};
            f->SetField("length_then_m", seen.length());
            f->SetField("area_then_m2", seen.area());
            if (!r.then_parts.empty())
                f->SetField("parts_then", seen.partIds().c_str());
            setTimeField(*f, "seen_then", r.then->first_seen);
            if (r.then->geometry)
                f->SetField("geometry_then", wkt(*r.then->geometry).c_str());
            if (!r.then->chip.empty())
                f->SetField(f->GetFieldIndex("chip_then"), int(r.then->chip.size()), r.then->chip.data());
        }
        if (r.now) {
            f->SetField("class_now", r.now->class_code.c_str());
            f->SetField("severity_now", r.now->severity.c_str());
            f->SetField("damage_id_now", GIntBig(r.now->damage_id));
            const SeenDefect seen{r.now, r.now_parts};
            f->SetField("length_now_m", seen.length());
            f->SetField("area_now_m2", seen.area());
            if (!r.now_parts.empty())
                f->SetField("parts_now", seen.partIds().c_str());
            setTimeField(*f, "seen_now", r.now->first_seen);
            if (!r.now->chip.empty())
                f->SetField(f->GetFieldIndex("chip_now"), int(r.now->chip.size()), r.now->chip.data());
        }
        if (const SeenDefect then{r.then, r.then_parts}; r.then && r.now && then.size() > 0)
            f->SetField("growth", SeenDefect{r.now, r.now_parts}.size() / then.size() - 1);
        if (r.distance_m >= 0)
            f->SetField("distance_m", r.distance_m);
        if (r.looked_from_frame >= 0)
            f->SetField("looked_from_frame", GIntBig(r.looked_from_frame));
        if (r.label == "repaired")
            f->SetField("patch_seen", r.patch_seen ? 1 : 0);
        // The shape where it is now: the new survey's, or the old one moved onto the new GPS.
        if (r.now && r.now->geometry) {
            f->SetGeometry(r.now->geometry.get());
        } else if (r.then && r.then->geometry) {
            std::unique_ptr<OGRGeometry> g(r.then->geometry->clone());
            if (metric.toMetric(*g)) {
                auto moved = shifted(*g, -r.shift.x, -r.shift.y);
                if (metric.toGeographic(*moved))
                    f->SetGeometry(moved.get());
            }
        }
        if (changes->CreateFeature(f.get()) != OGRERR_NONE)
            return fail("cannot write the changes into " + where + ": " + gdalWriteReason());
    }
    for (const auto& s : segments.segments) {
        OGRFeatureUniquePtr f(OGRFeature::CreateFeature(segment_layer->GetLayerDefn()));
        f->SetField("segment", s.change.label.c_str());
        f->SetField("grade_then", s.change.grade_then.c_str());
        if (!s.change.grade_now.empty()) {
            f->SetField("grade_now", s.change.grade_now.c_str());
            f->SetField("index_now", s.change.index_now);
            f->SetField("damages_now", s.change.damages_now);
        }
        f->SetField("change", s.change.change.c_str());
        f->SetField("index_then", s.change.index_then);
        f->SetField("surveyed_then_m", s.change.surveyed_then_m);
        f->SetField("surveyed_now_m", s.change.surveyed_now_m);
        f->SetField("damages_then", s.change.damages_then);
        if (s.path && s.path->getNumPoints() >= 2)
            f->SetGeometry(s.path.get());
        if (segment_layer->CreateFeature(f.get()) != OGRERR_NONE)
            return fail("cannot write the segment changes into " + where + ": " + gdalWriteReason());
    }
    OGRFeatureUniquePtr record(OGRFeature::CreateFeature(comparison->GetLayerDefn()));
    record->SetField("old_project", fs::absolute(o.old_project).string().c_str());
    record->SetField("old_sha256", old_survey->sha256.c_str());
    record->SetField("new_project", fs::absolute(o.new_project).string().c_str());
    record->SetField("new_sha256", new_survey->sha256.c_str());
    record->SetField("voirie_version", VOIRIE_VERSION);
    record->SetField("command_line", o.command_line.c_str());
    record->SetField("summary", summary.toJson().dump().c_str());
    setTimeField(*record, "created", double(std::time(nullptr)));
    if (comparison->CreateFeature(record.get()) != OGRERR_NONE)
        return fail("cannot write the comparison record into " + where + ": " + gdalWriteReason());
    if (ds.CommitTransaction() != OGRERR_NONE)
        return fail("cannot write " + where + ": " + gdalWriteReason());

    std::vector<StyleCategory> grade_changes{{"worse", "worse", "#d7191c"},
                                             {"same", "same", "#2c7bb6"},
                                             {"better", "better", "#1a9641"},
                                             {"not covered", "not covered", "#999999"}};
    if (auto s = writeLayerStyle(ds, "changes", categorisedGeometryStyleQml("change", changeCategories()), where); !s)
        return fail(s.error());
    if (auto s = writeLayerStyle(ds, "segment_changes", categorisedLineStyleQml("change", grade_changes, 1.6), where); !s)
        return fail(s.error());
    created->reset();
    if (auto s = output->commit(); !s)
        return fail(s.error());
    return summary;
}

} // namespace voirie
