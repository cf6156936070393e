#include "voirie/core/rating/segment_rating.hpp"

#include "voirie/core/base/version.hpp"
#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/geo/local_metric_frame.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/project/project_open.hpp"
#include "voirie/core/project/project_reader.hpp"
#include "voirie/core/project/qgis_styles.hpp"
#include "voirie/core/vocabulary/severity_rules.hpp"

#include <nlohmann/json.hpp>
#include <ogr_geometry.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>

namespace voirie {
namespace fs = std::filesystem;

std::string chainageLabel(double metres)
{
    const long m = std::lround(std::max(0.0, metres));
    char text[32];
    std::snprintf(text, sizeof text, "%ld+%03ld", m / 1000, m % 1000);
    return text;
}

namespace {

// The classes a segment reports, with the quantity each is measured in.
struct ReportedClass {
    const char* code;
    const char* unit; // field suffix: m, m2 or n
};
constexpr ReportedClass kReported[] = {{"D00", "m"}, {"D10", "m"}, {"D20", "m2"}, {"D40", "n"}};

struct FrameRow {
    int64_t index = 0;
    int drive = 0; // a merged project's drive (voirie merge); 0 in a single survey
    double chainage = 0;
    MetricPoint at;
};

struct DamageRow {
    int64_t id = 0;
    std::string class_code;
    Severity severity = Severity::Unknown;
    double length_m = 0, area_m2 = 0, chainage = 0;
    int drive = 0;
    MetricPoint at;
};

// A line things are referenced along: the survey itself, or one road of the network.
struct ReferenceLine {
    std::string road_id;
    std::unique_ptr<OGRLineString> line; // metric; null for the survey's own chainage
};

struct Place {
    size_t line = 0;
    double chainage = 0;
};

struct SegmentTotals {
    std::vector<std::pair<double, double>> surveyed; // chainage intervals
    SegmentDamage damage;                            // in the scheme's units
    std::map<std::string, std::array<double, 3>> reported; // per class and severity, kReported units
    std::map<std::string, int> counts;
    double pothole_m2 = 0;
    int n = 0;
    std::vector<int64_t> damage_ids;
};

double quantityFor(const ClassRule& rule, const DamageRow& d)
{
    switch (rule.quantity) {
    case RatedQuantity::LengthM: return d.length_m;
    case RatedQuantity::AreaM2: return d.area_m2;
    case RatedQuantity::Count: return 1;
    }
    return 0;
}

double reportedQuantity(const std::string& unit, const DamageRow& d)
{
    return unit == "m" ? d.length_m : unit == "m2" ? d.area_m2 : 1.0;
}

// Length of the union of `intervals` inside [from, to].
double coveredLength(std::vector<std::pair<double, double>> intervals, double from, double to)
{
    std::sort(intervals.begin(), intervals.end());
    double total = 0, reach = from;
    for (auto [a, b] : intervals) {
        a = std::max(a, reach);
        b = std::min(b, to);
        if (b > a) {
            total += b - a;
            reach = b;
        }
    }
    return total;
}

Result<std::vector<FrameRow>> readFrames(OGRLayer& layer, const LocalMetricFrame* frame, double& lon0, double& lat0)
{
    std::vector<FrameRow> rows;
    layer.ResetReading();
    for (OGRFeatureUniquePtr f(layer.GetNextFeature()); f; f.reset(layer.GetNextFeature())) {
        const auto* p = dynamic_cast<const OGRPoint*>(f->GetGeometryRef());
        if (p == nullptr || p->IsEmpty())
            continue;
        FrameRow r;
        r.index = f->GetFieldAsInteger64("frame_index");
        r.chainage = f->GetFieldAsDouble("chainage_m");
        r.drive = int(fieldNumber(*f, "drive"));
        if (frame)
            r.at = frame->toMetric(p->getX(), p->getY());
        else
            lon0 = p->getX(), lat0 = p->getY();
        rows.push_back(r);
        if (!frame)
            break; // only the origin was wanted
    }
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return std::tie(a.drive, a.index) < std::tie(b.drive, b.index); });
    return rows;
}

// The damages a rating counts: every one but those a reviewer rejected, at their centroid.
Result<std::vector<DamageRow>> readDamages(GDALDataset& project, const LocalMetricFrame& frame)
{
    auto damages = readProjectDamages(project, {/*chips=*/false, /*skip_rejected=*/true});
    if (!damages)
        return fail(damages.error());
    std::vector<DamageRow> rows;
    for (const auto& read : *damages) {
        DamageRow d;
        d.id = read.damage_id;
        d.class_code = read.class_code;
        d.severity = severityFromCode(read.severity);
        d.length_m = read.length_m;
        d.area_m2 = read.area_m2;
        d.chainage = read.chainage_m;
        d.drive = read.drive; // a merged project's: the drive whose chainage it was measured on
        if (read.geometry) {
            OGRPoint c;
            if (read.geometry->Centroid(&c) == OGRERR_NONE)
                d.at = frame.toMetric(c.getX(), c.getY());
        }
        rows.push_back(std::move(d));
    }
    return rows;
}

// The network's lines in the local metric frame, each part of a multi-part road on its own.
Result<std::vector<ReferenceLine>> readNetwork(const fs::path& path, const std::string& id_field,
                                               const LocalMetricFrame& frame)
{
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds)
        return fail("cannot open road network " + path.string() + ": " + CPLGetLastErrorMsg());
    OGRLayer* layer = ds->GetLayerCount() > 0 ? ds->GetLayer(0) : nullptr;
    if (layer == nullptr)
        return fail("road network " + path.string() + " has no layer");
    const int field = id_field.empty() ? -1 : layer->GetLayerDefn()->GetFieldIndex(id_field.c_str());
    if (!id_field.empty() && field < 0)
        return fail("road network " + path.string() + " has no field '" + id_field + "' (--road-id-field)");
    OGRSpatialReference wgs84 = wgs84LonLat();
    const OGRSpatialReference* source = layer->GetSpatialRef();
    std::unique_ptr<OGRCoordinateTransformation> to_wgs84;
    if (source && !source->IsSame(&wgs84)) {
        to_wgs84.reset(OGRCreateCoordinateTransformation(source, &wgs84));
        if (!to_wgs84)
            return fail("road network " + path.string() + ": cannot transform its CRS to WGS 84");
    }
    std::vector<ReferenceLine> lines;
    layer->ResetReading();
    for (OGRFeatureUniquePtr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
        const OGRGeometry* g = f->GetGeometryRef();
        if (g == nullptr || g->IsEmpty())
            continue;
        const std::string road_id = field >= 0 ? f->GetFieldAsString(field) : std::to_string(f->GetFID());
        std::unique_ptr<OGRGeometry> copy(g->clone());
        if ((to_wgs84 && copy->transform(to_wgs84.get()) != OGRERR_NONE) || !frame.toMetric(*copy))
            return fail("road network " + path.string() + ": road " + road_id + " cannot be transformed");
        auto add = [&](const OGRLineString* part) {
            if (part && part->getNumPoints() >= 2)
                lines.push_back({road_id, std::unique_ptr<OGRLineString>(part->clone())});
        };
        switch (wkbFlatten(copy->getGeometryType())) {
        case wkbLineString: add(copy->toLineString()); break;
        case wkbMultiLineString:
            for (const auto* part : copy->toMultiLineString())
                add(part);
            break;
        default:
            return fail("road network " + path.string() + ": road " + road_id + " is a " +
                        OGRGeometryTypeToName(copy->getGeometryType()) + ", not a line");
        }
    }
    if (lines.empty())
        return fail("road network " + path.string() + " holds no lines");
    return lines;
}

// The nearest road within `snap_m` and the distance along it, or nothing.
std::optional<Place> snap(const std::vector<ReferenceLine>& lines, const MetricPoint& at, double snap_m)
{
    OGRPoint p(at.x, at.y);
    std::optional<Place> best;
    double best_distance = snap_m;
    for (size_t i = 0; i < lines.size(); ++i) {
        OGREnvelope e;
        lines[i].line->getEnvelope(&e);
        if (at.x < e.MinX - best_distance || at.x > e.MaxX + best_distance || at.y < e.MinY - best_distance ||
            at.y > e.MaxY + best_distance)
            continue;
        const double d = lines[i].line->Distance(&p);
        if (d <= best_distance) {
            best_distance = d;
            best = Place{i, lines[i].line->Project(&p)};
        }
    }
    return best;
}

// The survey's own path between two chainages, through the frames (interpolated at the ends).
std::unique_ptr<OGRLineString> surveyPath(const std::vector<FrameRow>& frames, double from, double to)
{
    auto line = std::make_unique<OGRLineString>();
    auto interpolate = [&](size_t i, double c) {
        const auto& a = frames[i - 1];
        const auto& b = frames[i];
        const double t = b.chainage > a.chainage ? (c - a.chainage) / (b.chainage - a.chainage) : 0;
        line->addPoint(a.at.x + t * (b.at.x - a.at.x), a.at.y + t * (b.at.y - a.at.y));
    };
    for (size_t i = 0; i < frames.size(); ++i) {
        const double c = frames[i].chainage;
        if (i > 0 && frames[i - 1].chainage < from && c > from)
            interpolate(i, from);
        if (c >= from && c <= to)
            line->addPoint(frames[i].at.x, frames[i].at.y);
        if (i > 0 && frames[i - 1].chainage < to && c > to)
            interpolate(i, to);
        if (c > to)
            break;
    }
    return line;
}

OGRLayer* recreateLayer(GDALDataset& ds, const char* name, OGRSpatialReference* srs, OGRwkbGeometryType type)
{
    for (int i = 0; i < ds.GetLayerCount(); ++i)
        if (std::string(ds.GetLayer(i)->GetName()) == name) {
            if (ds.DeleteLayer(i) != OGRERR_NONE)
                return nullptr;
            break;
        }
    return ds.CreateLayer(name, srs, type, nullptr);
}

} // namespace

Result<RateSummary> rateProject(const RateOptions& o)
{
    if (o.segment_m < 1)
        return fail("--segment-m must be at least 1 m");
    if (o.lane_width_m <= 0)
        return fail("--lane-width-m must be positive");
    if (o.snap_m <= 0)
        return fail("--snap-m must be positive");
    auto scheme = loadRatingScheme(o.scheme);
    if (!scheme)
        return fail(scheme.error());

    const std::string where = o.project.string();
    auto opened = openProject(o.project, {ProjectAccess::update, {"frames", "damages", "run"}});
    if (!opened)
        return fail(opened.error());
    GDALDatasetUniquePtr ds = std::move(*opened);

    double lon0 = 0, lat0 = 0;
    if (auto first = readFrames(*ds->GetLayerByName("frames"), nullptr, lon0, lat0); !first || first->empty())
        return fail(where + " has no sampled frames: analyse a survey into it first (voirie analyze)");
    const LocalMetricFrame metric(lon0, lat0);
    auto frames = readFrames(*ds->GetLayerByName("frames"), &metric, lon0, lat0);
    if (!frames)
        return fail(frames.error());
    const auto read = readDamages(*ds, metric);
    if (!read)
        return fail(where + ": " + read.error());
    const auto& damages = *read;

    // Reference lines and where each frame and damage lies on them.
    std::vector<ReferenceLine> lines;
    std::vector<std::optional<Place>> frame_places, damage_places;
    RateSummary summary;
    summary.scheme = scheme->name;
    if (o.network) {
        auto network = readNetwork(*o.network, o.road_id_field, metric);
        if (!network)
            return fail(network.error());
        lines = std::move(*network);
        for (const auto& f : *frames)
            frame_places.push_back(snap(lines, f.at, o.snap_m));
        for (const auto& d : damages) {
            damage_places.push_back(snap(lines, d.at, o.snap_m));
            if (!damage_places.back())
                summary.unmatched_damages.push_back(d.id);
        }
        summary.frames_unmatched = int(std::count(frame_places.begin(), frame_places.end(), std::nullopt));
    } else {
        // The survey's own chainage; a merged project has one per drive ("drive N").
        std::map<int, size_t> line_of;
        for (const auto& f : *frames)
            line_of.emplace(f.drive, 0);
        for (auto& [drive, line] : line_of) {
            line = lines.size();
            lines.push_back({line_of.size() > 1 ? "drive " + std::to_string(drive) : "", nullptr});
        }
        for (const auto& f : *frames)
            frame_places.push_back(Place{line_of[f.drive], f.chainage});
        for (const auto& d : damages) {
            const auto it = line_of.find(d.drive);
            damage_places.push_back(it != line_of.end() ? std::optional<Place>(Place{it->second, d.chainage}) : std::nullopt);
            if (!damage_places.back())
                summary.unmatched_damages.push_back(d.id);
        }
    }

    // Surveyed stretches: between consecutive frames on the same line, unless a gap.
    std::vector<double> steps;
    for (size_t i = 1; i < frames->size(); ++i)
        steps.push_back(std::abs((*frames)[i].chainage - (*frames)[i - 1].chainage));
    std::nth_element(steps.begin(), steps.begin() + long(steps.size() / 2), steps.end());
    const double spacing = steps.empty() ? 3.0 : steps[steps.size() / 2];
    const double max_gap = std::max(30.0, 4 * spacing);
    std::map<std::pair<size_t, long>, SegmentTotals> segments;
    for (size_t i = 1; i < frames->size(); ++i) {
        const auto& a = frame_places[i - 1];
        const auto& b = frame_places[i];
        if (!a || !b || a->line != b->line || std::abs(b->chainage - a->chainage) > max_gap)
            continue;
        const double lo = std::min(a->chainage, b->chainage), hi = std::max(a->chainage, b->chainage);
        for (long k = long(std::floor(lo / o.segment_m)); k <= long(std::floor(hi / o.segment_m)); ++k)
            segments[{a->line, k}].surveyed.emplace_back(lo, hi);
    }
    for (size_t i = 0; i < damages.size(); ++i) {
        if (!damage_places[i])
            continue;
        const auto& d = damages[i];
        const auto key = std::make_pair(damage_places[i]->line, long(std::floor(damage_places[i]->chainage / o.segment_m)));
        auto& s = segments[key];
        ++s.n;
        s.damage_ids.push_back(d.id);
        ++summary.damages_rated;
        ++s.counts[d.class_code];
        for (const auto& rule : scheme->classes)
            if (rule.class_code == d.class_code)
                s.damage.add(d.class_code, d.severity, quantityFor(rule, d));
        for (const auto& r : kReported)
            if (d.class_code == r.code)
                s.reported[r.code][size_t(std::max(1, int(d.severity)) - 1)] += reportedQuantity(r.unit, d);
        if (d.class_code == "D40")
            s.pothole_m2 += d.area_m2;
    }

    // Write the layer and the scheme in one transaction: the old rating stays until it commits.
    if (ds->StartTransaction() != OGRERR_NONE)
        return fail("cannot start a transaction in " + where + ": " + CPLGetLastErrorMsg());
    auto abort = [&](const std::string& what) {
        const std::string failure = gdalWriteFailure("write " + what + " into", o.project);
        ds->RollbackTransaction();
        return fail(failure);
    };
    OGRSpatialReference wgs84 = wgs84LonLat();
    OGRLayer* layer = recreateLayer(*ds, "segments", &wgs84, wkbLineString);
    if (layer == nullptr)
        return abort("the segments layer");
    for (const char* f : {"road_id", "label"})
        addField(*layer, f, OFTString);
    addField(*layer, "segment_index", OFTInteger);
    for (const char* f : {"from_m", "to_m", "surveyed_m", "area_m2"})
        addField(*layer, f, OFTReal);
    addField(*layer, "n_damages", OFTInteger);
    for (const auto& r : kReported) {
        addField(*layer, (std::string(r.code) + "_n").c_str(), OFTInteger);
        for (const char* sev : {"L", "M", "H"})
            addField(*layer, (std::string(r.code) + "_" + sev + "_" + r.unit).c_str(), OFTReal);
    }
    for (const char* f : {"crack_m", "alligator_m2", "pothole_m2", "condition_index", "combined_deduct"})
        addField(*layer, f, OFTReal);
    for (const char* f : {"grade", "grade_label", "treatment", "deducts", "scheme", "damage_ids"})
        addField(*layer, f, OFTString);

    std::map<std::string, int> per_grade;
    for (auto& [key, s] : segments) {
        const auto& [line_index, k] = key;
        const double from = double(k) * o.segment_m, to = from + o.segment_m;
        const double surveyed = coveredLength(s.surveyed, from, to);
        if (surveyed < 0.5) { // damages beyond the surveyed stretch: nothing to rate them against
            summary.damages_rated -= s.n;
            summary.unmatched_damages.insert(summary.unmatched_damages.end(), s.damage_ids.begin(), s.damage_ids.end());
            continue;
        }
        const double area = surveyed * o.lane_width_m;
        const SegmentRating rating = rateSegment(*scheme, s.damage, area);
        const auto& reference = lines[line_index];
        std::unique_ptr<OGRLineString> path;
        if (reference.line) {
            const double end = std::min(to, reference.line->get_Length());
            path.reset(reference.line->getSubLine(std::max(0.0, from), std::max(from, end), FALSE));
        } else {
            std::vector<FrameRow> own; // the frames of this line's drive
            for (size_t i = 0; i < frames->size(); ++i)
                if (frame_places[i] && frame_places[i]->line == line_index)
                    own.push_back((*frames)[i]);
            path = surveyPath(own, from, to);
        }
        OGRFeatureUniquePtr f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
        if (path && path->getNumPoints() >= 2 && metric.toGeographic(*path))
            f->SetGeometry(path.get());
        f->SetField("road_id", reference.road_id.c_str());
        f->SetField("label", (chainageLabel(from) + " - " + chainageLabel(to)).c_str());
        f->SetField("segment_index", int(k));
        f->SetField("from_m", from);
        f->SetField("to_m", to);
        f->SetField("surveyed_m", surveyed);
        f->SetField("area_m2", area);
        f->SetField("n_damages", s.n);
        double crack_m = 0;
        for (const auto& r : kReported) {
            f->SetField((std::string(r.code) + "_n").c_str(), s.counts[r.code]);
            const auto q = s.reported[r.code];
            for (int sev = 0; sev < 3; ++sev)
                f->SetField((std::string(r.code) + "_" + "LMH"[sev] + "_" + r.unit).c_str(), q[size_t(sev)]);
            if (std::string(r.unit) == "m")
                crack_m += q[0] + q[1] + q[2];
        }
        const auto alligator = s.reported["D20"];
        f->SetField("crack_m", crack_m);
        f->SetField("alligator_m2", alligator[0] + alligator[1] + alligator[2]);
        f->SetField("pothole_m2", s.pothole_m2);
        f->SetField("condition_index", rating.index);
        f->SetField("combined_deduct", rating.combined_deduct);
        f->SetField("grade", rating.band.grade.c_str());
        f->SetField("grade_label", rating.band.label.c_str());
        f->SetField("treatment", rating.band.treatment.c_str());
        nlohmann::ordered_json deducts = nlohmann::ordered_json::array();
        for (const auto& d : rating.deducts)
            deducts.push_back({{"class", d.class_code}, {"severity", severityCode(d.worst)},
                               {"density_percent", std::round(d.density_percent * 1e4) / 1e4},
                               {"deduct", std::round(d.deduct * 100) / 100}});
        f->SetField("deducts", deducts.dump().c_str());
        f->SetField("scheme", scheme->name.c_str());
        f->SetField("damage_ids", nlohmann::json(s.damage_ids).dump().c_str());
        if (layer->CreateFeature(f.get()) != OGRERR_NONE)
            return abort("a segment");
        ++summary.segments;
        summary.surveyed_m += surveyed;
        ++per_grade[rating.band.grade];
    }
    for (const auto& band : scheme->grades)
        summary.grade_counts.emplace_back(band.grade, per_grade[band.grade]);

    OGRLayer* rating = recreateLayer(*ds, "rating", nullptr, wkbNone);
    if (rating == nullptr)
        return abort("the rating table");
    for (const char* f : {"scheme", "scheme_title", "scheme_source", "scheme_json", "options", "voirie_version",
                          "command_line", "unmatched_damages"})
        addField(*rating, f, OFTString);
    addField(*rating, "rated", OFTDateTime);
    addField(*rating, "segments", OFTInteger);
    OGRFeatureUniquePtr r(OGRFeature::CreateFeature(rating->GetLayerDefn()));
    r->SetField("scheme", scheme->name.c_str());
    r->SetField("scheme_title", scheme->title.c_str());
    r->SetField("scheme_source", scheme->source.c_str());
    r->SetField("scheme_json", scheme->text.c_str());
    nlohmann::ordered_json options{{"segment_m", o.segment_m}, {"lane_width_m", o.lane_width_m}};
    if (o.network)
        options.update({{"network", o.network->string()}, {"road_id_field", o.road_id_field}, {"snap_m", o.snap_m}});
    r->SetField("options", options.dump().c_str());
    r->SetField("voirie_version", VOIRIE_VERSION);
    r->SetField("command_line", o.command_line.c_str());
    r->SetField("unmatched_damages", nlohmann::json(summary.unmatched_damages).dump().c_str());
    setTimeField(*r, "rated",
                 std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
    r->SetField("segments", summary.segments);
    if (rating->CreateFeature(r.get()) != OGRERR_NONE)
        return abort("the rating table");
    if (auto s = writeLayerStyle(*ds, "segments", segmentStyleQml(*scheme), where); !s) {
        ds->RollbackTransaction();
        return fail(s.error());
    }
    if (ds->CommitTransaction() != OGRERR_NONE)
        return fail(gdalWriteFailure("commit the rating into", o.project));
    return summary;
}

Result<RateOptions> recordedRateOptions(const fs::path& project)
{
    RateOptions o;
    o.project = project;
    auto opened = openProject(project, {ProjectAccess::read, {}});
    if (!opened)
        return fail(opened.error());
    GDALDatasetUniquePtr ds = std::move(*opened);
    OGRLayer* rating = ds->GetLayerByName("rating");
    OGRFeatureUniquePtr record(rating ? rating->GetNextFeature() : nullptr);
    if (!record)
        return o;
    const std::string source = record->GetFieldAsString("scheme_source");
    o.scheme = source == "built-in" || source.empty() ? std::string(record->GetFieldAsString("scheme")) : source;
    if (o.scheme != record->GetFieldAsString("scheme") && !fs::exists(o.scheme))
        return fail("the rating scheme " + o.scheme + " that rated " + project.string() +
                    " is no longer there: rate it with voirie rate --scheme");
    try {
        const auto options = nlohmann::json::parse(record->GetFieldAsString("options"));
        o.segment_m = options.value("segment_m", o.segment_m);
        o.lane_width_m = options.value("lane_width_m", o.lane_width_m);
        if (options.contains("network")) {
            o.network = options.at("network").get<std::string>();
            o.road_id_field = options.value("road_id_field", std::string());
            o.snap_m = options.value("snap_m", o.snap_m);
        }
    } catch (const std::exception& e) {
        return fail("the rating options recorded in " + project.string() + " are unreadable: " + e.what());
    }
    return o;
}

} // namespace voirie
