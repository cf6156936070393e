#include "voirie/core/project/project_review.hpp"

#include "voirie/core/base/comma_list.hpp"
#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/geo/local_metric_frame.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/project/project_open.hpp"
#include "voirie/core/vocabulary/damage_classes.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <pwd.h>
#include <unistd.h>

namespace voirie {
namespace fs = std::filesystem;

bool isReviewField(const std::string& field)
{
    return field == "review_state" || field == "class" || field == "severity" || field == "review_note";
}

Status checkReviewValue(const std::string& field, const std::string& value)
{
    if (field == "review_state" && value != "unreviewed" && value != "accepted" && value != "rejected")
        return fail("review state '" + value + "' is not one of unreviewed, accepted, rejected");
    if (field == "class" && !isKnownDamageClass(value))
        return fail("'" + value + "' is not a damage class (D00, D10, D20, D40, D43, D44, D50, repair)");
    if (field == "severity" && value != "L" && value != "M" && value != "H" && !value.empty())
        return fail("severity '" + value + "' is not one of L, M, H");
    if (!isReviewField(field))
        return fail("'" + field + "' is not a field a review may change");
    return Ok{};
}

std::string ProjectReview::currentUser()
{
    if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_name && *pw->pw_name)
        return pw->pw_name;
    for (const char* variable : {"USER", "LOGNAME"})
        if (const char* v = std::getenv(variable); v && *v)
            return v;
    return "unknown";
}

ProjectReview::ProjectReview(fs::path path, GDALDatasetUniquePtr ds) : path_(std::move(path)), ds_(std::move(ds)) {}

Result<std::unique_ptr<ProjectReview>> ProjectReview::open(const fs::path& project)
{
    auto opened = openProject(project, {ProjectAccess::update, {"damages"}});
    if (!opened)
        return fail(opened.error());
    GDALDatasetUniquePtr ds = std::move(*opened);
    if (ds->GetLayerByName("review_log") == nullptr) {
        char** options = CSLSetNameValue(nullptr, "ASPATIAL_VARIANT", "GPKG_ATTRIBUTES");
        OGRLayer* log = ds->CreateLayer("review_log", nullptr, wkbNone, options);
        CSLDestroy(options);
        if (log == nullptr)
            return fail("cannot add the review log to " + project.string() + ": " + gdalWriteReason());
        addField(*log, "time", OFTDateTime);
        for (const char* f : {"user", "action"})
            addField(*log, f, OFTString);
        addField(*log, "damage_id", OFTInteger64);
        for (const char* f : {"field", "old_value", "new_value"})
            addField(*log, f, OFTString);
    }
    return std::unique_ptr<ProjectReview>(new ProjectReview(project, std::move(ds)));
}

std::optional<int64_t> ProjectReview::firstNumber(const std::string& sql)
{
    OGRLayer* result = ds_->ExecuteSQL(sql.c_str(), nullptr, nullptr);
    if (result == nullptr)
        return std::nullopt;
    OGRFeatureUniquePtr row(result->GetNextFeature());
    std::optional<int64_t> value;
    if (row && row->IsFieldSetAndNotNull(0))
        value = row->GetFieldAsInteger64(0);
    ds_->ReleaseResultSet(result);
    return value;
}

// Never an id the review log knows: a damage merged away (or a split or an added one undone) may
// come back by undo, and must find its id free.
int64_t ProjectReview::nextDamageId()
{
    const int64_t in_use = firstNumber("SELECT MAX(damage_id) FROM damages").value_or(0);
    const int64_t logged = firstNumber("SELECT MAX(damage_id) FROM review_log").value_or(0);
    return std::max(in_use, logged) + 1;
}

OGRFeatureUniquePtr ProjectReview::damage(int64_t damage_id)
{
    OGRLayer* damages = ds_->GetLayerByName("damages");
    damages->SetAttributeFilter(("damage_id = " + std::to_string(damage_id)).c_str());
    damages->ResetReading();
    OGRFeatureUniquePtr f(damages->GetNextFeature());
    damages->SetAttributeFilter(nullptr);
    return f;
}

Status ProjectReview::apply(const ReviewEdit& edit, const std::string& action)
{
    if (auto ok = checkReviewValue(edit.field, edit.new_value); !ok)
        return ok;
    const std::string what = "damage " + std::to_string(edit.damage_id);
    OGRFeatureUniquePtr f = damage(edit.damage_id);
    if (!f)
        return fail(path_.string() + " has no " + what);
    const std::string stored = f->GetFieldAsString(edit.field.c_str());
    if (stored != edit.old_value)
        return fail(what + "'s " + edit.field + " is '" + stored + "' in " + path_.string() + ", not '" +
                    edit.old_value + "': reopen the project to see the latest review");

    f->SetField(edit.field.c_str(), edit.new_value.c_str());
    if (edit.field == "class")
        for (const auto& c : kDamageClasses)
            if (c.code == edit.new_value)
                f->SetField("class_name", std::string(c.name).c_str());
    return write(*f, edit.damage_id, edit.field, edit.old_value, edit.new_value, action);
}

Result<Evidence> ProjectReview::evidence(int64_t damage_id)
{
    OGRFeatureUniquePtr f = damage(damage_id);
    if (!f)
        return fail(path_.string() + " has no damage " + std::to_string(damage_id));
    Evidence e;
    e.frame = f->GetFieldAsInteger64("evidence_frame");
    e.detection = f->GetFieldAsInteger64("evidence_detection");
    int bytes = 0;
    const GByte* chip = f->GetFieldAsBinary(f->GetFieldIndex("chip"), &bytes);
    if (chip && bytes > 0)
        e.chip.assign(chip, chip + bytes);
    e.chip_path = f->GetFieldAsString("chip_path");
    return e;
}

Status ProjectReview::setEvidence(int64_t damage_id, const Evidence& from, const Evidence& to, const std::string& action)
{
    const std::string what = "damage " + std::to_string(damage_id);
    OGRFeatureUniquePtr f = damage(damage_id);
    if (!f)
        return fail(path_.string() + " has no " + what);
    if (f->GetFieldAsInteger64("evidence_frame") != from.frame || f->GetFieldAsInteger64("evidence_detection") != from.detection)
        return fail(what + "'s evidence is frame " + f->GetFieldAsString("evidence_frame") + " in " + path_.string() +
                    ", not frame " + std::to_string(from.frame) + ": reopen the project to see the latest review");
    if (to.chip.empty())
        return fail("no evidence chip for " + what + " from frame " + std::to_string(to.frame));
    f->SetField("evidence_frame", GIntBig(to.frame));
    f->SetField("evidence_detection", GIntBig(to.detection));
    f->SetField(f->GetFieldIndex("chip"), int(to.chip.size()), to.chip.data());
    if (to.chip_path.empty())
        f->SetFieldNull(f->GetFieldIndex("chip_path"));
    else
        f->SetField("chip_path", to.chip_path.c_str());
    return write(*f, damage_id, "evidence_frame", std::to_string(from.frame), std::to_string(to.frame), action);
}

OGRFeatureUniquePtr ProjectReview::logEntry(int64_t damage_id, const std::string& field, const std::string& old_value,
                                            const std::string& new_value, const std::string& action)
{
    OGRFeatureUniquePtr entry(OGRFeature::CreateFeature(ds_->GetLayerByName("review_log")->GetLayerDefn()));
    setTimeField(*entry, "time",
                 std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
    entry->SetField("user", currentUser().c_str());
    entry->SetField("action", action.c_str());
    entry->SetField("damage_id", GIntBig(damage_id));
    entry->SetField("field", field.c_str());
    entry->SetField("old_value", old_value.c_str());
    entry->SetField("new_value", new_value.c_str());
    return entry;
}

Status ProjectReview::inTransaction(const std::string& what, const std::function<bool()>& change)
{
    CPLErrorReset();
    if (ds_->StartTransaction() != OGRERR_NONE)
        return fail("cannot start a transaction in " + path_.string() + ": " + CPLGetLastErrorMsg());
    if (!change()) {
        const std::string reason = gdalWriteReason();
        ds_->RollbackTransaction();
        return fail("cannot save the review of " + what + " in " + path_.string() + ": " + reason);
    }
    if (ds_->CommitTransaction() != OGRERR_NONE)
        return fail(gdalWriteFailure("save the review of " + what + " in", path_));
    return Ok{};
}

Status ProjectReview::write(OGRFeature& damage, int64_t damage_id, const std::string& field, const std::string& old_value,
                            const std::string& new_value, const std::string& action)
{
    OGRLayer* damages = ds_->GetLayerByName("damages");
    OGRLayer* log = ds_->GetLayerByName("review_log");
    OGRFeatureUniquePtr entry = logEntry(damage_id, field, old_value, new_value, action);
    return inTransaction("damage " + std::to_string(damage_id), [&] {
        return damages->SetFeature(&damage) == OGRERR_NONE && log->CreateFeature(entry.get()) == OGRERR_NONE;
    });
}

namespace {

enum class Footprint { point, line, area, other };

Footprint footprintOf(const OGRGeometry* g)
{
    switch (g ? wkbFlatten(g->getGeometryType()) : wkbUnknown) {
    case wkbPoint:
    case wkbMultiPoint: return Footprint::point;
    case wkbLineString:
    case wkbMultiLineString: return Footprint::line;
    case wkbPolygon:
    case wkbMultiPolygon: return Footprint::area;
    default: return Footprint::other;
    }
}

double lengthOf(const OGRGeometry& g)
{
    const auto type = wkbFlatten(g.getGeometryType());
    return type == wkbLineString ? g.toLineString()->get_Length()
           : type == wkbMultiLineString ? g.toMultiLineString()->get_Length()
                                        : 0.0;
}

double areaOf(const OGRGeometry& g)
{
    const auto type = wkbFlatten(g.getGeometryType());
    return type == wkbPolygon ? g.toPolygon()->get_Area() : type == wkbMultiPolygon ? g.toMultiPolygon()->get_Area() : 0.0;
}

int severityRank(const std::string& code) { return code == "H" ? 3 : code == "M" ? 2 : code == "L" ? 1 : 0; }

std::string idList(const std::vector<int64_t>& ids)
{
    std::string out;
    for (int64_t id : ids)
        out += (out.empty() ? "" : ",") + std::to_string(id);
    return out;
}

} // namespace

Result<MergeUndo> ProjectReview::merge(int64_t kept, const std::vector<int64_t>& others, const std::string& action)
{
    std::vector<int64_t> ids{kept};
    for (int64_t id : others)
        if (std::find(ids.begin(), ids.end(), id) == ids.end())
            ids.push_back(id);
    if (ids.size() < 2)
        return fail("merging needs two damages or more");
    MergeUndo undo;
    undo.kept = kept;
    std::vector<OGRFeatureUniquePtr> rows;
    for (int64_t id : ids) {
        OGRFeatureUniquePtr f = damage(id);
        if (!f)
            return fail(path_.string() + " has no damage " + std::to_string(id));
        undo.rows.emplace_back(f->Clone());
        rows.push_back(std::move(f));
    }
    OGRFeature& k = *rows.front();
    const Footprint kind = footprintOf(k.GetGeometryRef());
    if (kind == Footprint::other)
        return fail("damage " + std::to_string(kept) + " has no footprint to merge into");
    std::unique_ptr<OGRGeometry> joined(k.GetGeometryRef()->clone());
    for (size_t i = 1; i < rows.size(); ++i) {
        const OGRGeometry* g = rows[i]->GetGeometryRef();
        if (footprintOf(g) != kind)
            return fail("damage " + std::to_string(kept) + " and damage " + std::to_string(ids[i]) +
                        " have footprints of different kinds (a line and an area, or a point): reclassify or leave "
                        "them apart");
        joined.reset(joined->Union(g));
        if (!joined || footprintOf(joined.get()) != kind)
            return fail("the footprints of damages " + idList(ids) + " cannot be joined into one");
    }
    // Measured again in metres, about the joined footprint's centre.
    OGRPoint centre;
    if (joined->Centroid(&centre) != OGRERR_NONE)
        return fail("the joined footprint of damages " + idList(ids) + " has no centre");
    const LocalMetricFrame frame(centre.getX(), centre.getY());
    std::unique_ptr<OGRGeometry> metric(joined->clone());
    if (!frame.toMetric(*metric))
        return fail("cannot measure the joined footprint of damages " + idList(ids));
    if (kind == Footprint::line)
        k.SetField("length_m", lengthOf(*metric));
    if (kind == Footprint::area)
        k.SetField("area_m2", areaOf(*metric));
    for (size_t i = 1; i < rows.size(); ++i) {
        const OGRFeature& o = *rows[i];
        for (const char* field : {"confidence", "width_mm"})
            if (o.IsFieldSetAndNotNull(o.GetFieldIndex(field)) &&
                (!k.IsFieldSetAndNotNull(k.GetFieldIndex(field)) || fieldNumber(o, field) > fieldNumber(k, field)))
                k.SetField(field, fieldNumber(o, field));
        if (severityRank(fieldText(o, "severity")) > severityRank(fieldText(k, "severity")))
            k.SetField("severity", fieldText(o, "severity").c_str());
        if (fieldTime(o, "first_seen") > 0 && fieldTime(o, "first_seen") < fieldTime(k, "first_seen"))
            setTimeField(k, "first_seen", fieldTime(o, "first_seen"));
        if (fieldTime(o, "last_seen") > fieldTime(k, "last_seen"))
            setTimeField(k, "last_seen", fieldTime(o, "last_seen"));
        k.SetField("chainage_m", std::min(fieldNumber(k, "chainage_m"), fieldNumber(o, "chainage_m")));
        k.SetField("plugins", joinCommaLists(fieldText(k, "plugins"), fieldText(o, "plugins")).c_str());
        if (k.GetFieldIndex("drives") >= 0) // a network project (voirie merge): the drives that saw it
            k.SetField("drives", joinCommaLists(fieldText(k, "drives"), fieldText(o, "drives")).c_str());
    }
    k.SetGeometry(joined.get());
    const std::string all = idList(ids), moved = idList({ids.begin() + 1, ids.end()});
    if (auto frames = firstNumber("SELECT COUNT(DISTINCT frame_index) FROM detections WHERE damage_id IN (" + all + ")"))
        k.SetField("n_frames", int(*frames));
    if (OGRLayer* detections = ds_->ExecuteSQL(
            ("SELECT fid, damage_id FROM detections WHERE damage_id IN (" + moved + ")").c_str(), nullptr, nullptr)) {
        // GDAL makes the selected fid the result's own FID, not a field.
        for (OGRFeatureUniquePtr f(detections->GetNextFeature()); f; f.reset(detections->GetNextFeature()))
            undo.detections.emplace_back(f->GetFID(), f->GetFieldAsInteger64("damage_id"));
        ds_->ReleaseResultSet(detections);
    }
    // A network project keeps each drive's evidence of a damage apart: it goes with the detections.
    const bool drive_evidence = ds_->GetLayerByName("damage_evidence") != nullptr;
    if (drive_evidence)
        if (OGRLayer* evidence = ds_->ExecuteSQL(
                ("SELECT fid, damage_id FROM damage_evidence WHERE damage_id IN (" + moved + ")").c_str(), nullptr, nullptr)) {
            for (OGRFeatureUniquePtr f(evidence->GetNextFeature()); f; f.reset(evidence->GetNextFeature()))
                undo.drive_evidence.emplace_back(f->GetFID(), f->GetFieldAsInteger64("damage_id"));
            ds_->ReleaseResultSet(evidence);
        }
    OGRLayer* damages = ds_->GetLayerByName("damages");
    OGRLayer* log = ds_->GetLayerByName("review_log");
    auto ok = inTransaction("the merge of damages " + all, [&] {
        if (damages->SetFeature(&k) != OGRERR_NONE)
            return false;
        for (size_t i = 1; i < rows.size(); ++i) {
            OGRFeatureUniquePtr entry = logEntry(ids[i], "merged_into", "", std::to_string(kept), action);
            if (damages->DeleteFeature(rows[i]->GetFID()) != OGRERR_NONE || log->CreateFeature(entry.get()) != OGRERR_NONE)
                return false;
        }
        CPLErrorReset();
        ds_->ExecuteSQL(("UPDATE detections SET damage_id = " + std::to_string(kept) + " WHERE damage_id IN (" + moved + ")").c_str(),
                        nullptr, nullptr);
        if (drive_evidence)
            ds_->ExecuteSQL(("UPDATE damage_evidence SET damage_id = " + std::to_string(kept) + " WHERE damage_id IN (" +
                             moved + ")").c_str(),
                            nullptr, nullptr);
        return CPLGetLastErrorType() < CE_Failure;
    });
    if (!ok)
        return fail(ok.error());
    return undo;
}

Status ProjectReview::unmerge(const MergeUndo& undo, const std::string& action)
{
    if (undo.rows.size() < 2)
        return fail("nothing to unmerge");
    const std::string what = "the merge into damage " + std::to_string(undo.kept);
    if (!damage(undo.kept))
        return fail(path_.string() + " has no damage " + std::to_string(undo.kept) + ": reopen the project to see the latest review");
    for (size_t i = 1; i < undo.rows.size(); ++i)
        if (damage(undo.rows[i]->GetFieldAsInteger64("damage_id")))
            return fail("damage " + std::string(undo.rows[i]->GetFieldAsString("damage_id")) + " is in " + path_.string() +
                        " already: reopen the project to see the latest review");
    OGRLayer* damages = ds_->GetLayerByName("damages");
    OGRLayer* log = ds_->GetLayerByName("review_log");
    std::map<int64_t, std::vector<int64_t>> detections_of, evidence_of;
    for (const auto& [detection, damage_id] : undo.detections)
        detections_of[damage_id].push_back(detection);
    for (const auto& [row, damage_id] : undo.drive_evidence)
        evidence_of[damage_id].push_back(row);
    return inTransaction(what, [&] {
        OGRFeatureUniquePtr kept(undo.rows.front()->Clone());
        if (damages->SetFeature(kept.get()) != OGRERR_NONE)
            return false;
        for (size_t i = 1; i < undo.rows.size(); ++i) {
            OGRFeatureUniquePtr row(undo.rows[i]->Clone());
            OGRFeatureUniquePtr entry =
                logEntry(row->GetFieldAsInteger64("damage_id"), "merged_into", std::to_string(undo.kept), "", action);
            if (damages->CreateFeature(row.get()) != OGRERR_NONE || log->CreateFeature(entry.get()) != OGRERR_NONE)
                return false;
        }
        CPLErrorReset();
        for (const auto& [damage_id, detections] : detections_of)
            ds_->ExecuteSQL(("UPDATE detections SET damage_id = " + std::to_string(damage_id) + " WHERE fid IN (" +
                             idList(detections) + ")").c_str(),
                            nullptr, nullptr);
        for (const auto& [damage_id, rows] : evidence_of)
            ds_->ExecuteSQL(("UPDATE damage_evidence SET damage_id = " + std::to_string(damage_id) + " WHERE fid IN (" +
                             idList(rows) + ")").c_str(),
                            nullptr, nullptr);
        return CPLGetLastErrorType() < CE_Failure;
    });
}

namespace {

// One part of a split damage, summed up from its detections.
struct Part {
    std::vector<OGRFeatureUniquePtr> detections;
    std::set<int64_t> frames;
};

// The part's footprint, measures and sightings written into `row` (a damage's).
Status describePart(const Part& part, OGRFeature& row, double chainage_shift_m)
{
    std::unique_ptr<OGRGeometry> joined;
    double first = 0, last = 0, confidence = 0, width = 0;
    std::string plugins;
    for (const auto& d : part.detections) {
        if (const OGRGeometry* g = d->GetGeometryRef(); g && !g->IsEmpty())
            joined.reset(joined ? joined->Union(g) : g->clone());
        const double t = fieldTime(*d, "time");
        first = first == 0 ? t : std::min(first, t);
        last = std::max(last, t);
        confidence = std::max(confidence, fieldNumber(*d, "confidence"));
        width = std::max(width, fieldNumber(*d, "width_mm"));
        plugins = joinCommaLists(plugins, fieldText(*d, "plugin_id"));
    }
    if (!joined)
        return fail("its detections have no footprint on the road");
    OGRPoint centre;
    std::unique_ptr<OGRGeometry> metric(joined->clone());
    if (joined->Centroid(&centre) != OGRERR_NONE || !LocalMetricFrame(centre.getX(), centre.getY()).toMetric(*metric))
        return fail("its footprint cannot be measured");
    switch (footprintOf(joined.get())) {
    case Footprint::line: row.SetField("length_m", lengthOf(*metric)); break;
    case Footprint::area: row.SetField("area_m2", areaOf(*metric)); break;
    default: break;
    }
    row.SetGeometry(joined.get());
    setTimeField(row, "first_seen", first);
    setTimeField(row, "last_seen", last);
    row.SetField("n_frames", int(part.frames.size()));
    row.SetField("confidence", confidence);
    if (width > 0)
        row.SetField("width_mm", width);
    row.SetField("plugins", plugins.c_str());
    row.SetField("chainage_m", fieldNumber(row, "chainage_m") + chainage_shift_m);
    return Ok{};
}

} // namespace

Result<SplitUndo> ProjectReview::split(int64_t damage_id, int64_t from_frame, const Evidence& fresh, const std::string& action)
{
    const std::string what = "damage " + std::to_string(damage_id);
    OGRFeatureUniquePtr row = damage(damage_id);
    if (!row)
        return fail(path_.string() + " has no " + what);
    OGRLayer* detections = ds_->GetLayerByName("detections");
    detections->SetAttributeFilter(("damage_id = " + std::to_string(damage_id)).c_str());
    detections->ResetReading();
    Part before, after;
    double first_chainage = -1, after_chainage = -1;
    for (OGRFeatureUniquePtr d(detections->GetNextFeature()); d; d.reset(detections->GetNextFeature())) {
        const int64_t frame = d->GetFieldAsInteger64("frame_index");
        const double chainage = fieldNumber(*d, "frame_chainage_m");
        Part& part = frame < from_frame ? before : after;
        if (first_chainage < 0 || chainage < first_chainage)
            first_chainage = chainage;
        if (&part == &after && (after_chainage < 0 || chainage < after_chainage))
            after_chainage = chainage;
        part.frames.insert(frame);
        part.detections.push_back(std::move(d));
    }
    detections->SetAttributeFilter(nullptr);
    if (before.detections.empty() || after.detections.empty())
        return fail(what + " cannot be split at frame " + std::to_string(from_frame) +
                    ": split at a frame that saw it, after the first one");
    // The part without the old evidence frame takes the fresh evidence, which must be its own.
    const int64_t evidence_frame = row->GetFieldAsInteger64("evidence_frame");
    Part& needy = evidence_frame < from_frame ? after : before;
    const bool fresh_is_its_own = std::any_of(needy.detections.begin(), needy.detections.end(),
                                              [&](const OGRFeatureUniquePtr& d) { return d->GetFID() == fresh.detection; });
    if (!fresh_is_its_own || fresh.chip.empty())
        return fail("the evidence given for the split of " + what + " is not one of the part's own detections");

    SplitUndo undo;
    undo.row.reset(row->Clone());
    undo.new_damage = nextDamageId();
    if (undo.new_damage <= 0)
        return fail("cannot number a new damage in " + path_.string());
    OGRFeatureUniquePtr added(row->Clone());
    added->SetFID(OGRNullFID);
    added->SetField("damage_id", GIntBig(undo.new_damage));
    if (auto ok = describePart(before, *row, 0); !ok)
        return fail(what + "'s first part: " + ok.error());
    if (auto ok = describePart(after, *added, after_chainage - first_chainage); !ok)
        return fail(what + "'s second part: " + ok.error());
    OGRFeature& takes_fresh = &needy == &after ? *added : *row;
    takes_fresh.SetField("evidence_frame", GIntBig(fresh.frame));
    takes_fresh.SetField("evidence_detection", GIntBig(fresh.detection));
    takes_fresh.SetField(takes_fresh.GetFieldIndex("chip"), int(fresh.chip.size()), fresh.chip.data());
    takes_fresh.SetFieldNull(takes_fresh.GetFieldIndex("chip_path"));
    for (const auto& d : after.detections)
        undo.moved.push_back(d->GetFID());

    OGRLayer* damages = ds_->GetLayerByName("damages");
    OGRLayer* log = ds_->GetLayerByName("review_log");
    OGRFeatureUniquePtr entry = logEntry(damage_id, "split_into", "", std::to_string(undo.new_damage), action);
    auto ok = inTransaction("the split of " + what, [&] {
        if (damages->SetFeature(row.get()) != OGRERR_NONE || damages->CreateFeature(added.get()) != OGRERR_NONE ||
            log->CreateFeature(entry.get()) != OGRERR_NONE)
            return false;
        CPLErrorReset();
        ds_->ExecuteSQL(("UPDATE detections SET damage_id = " + std::to_string(undo.new_damage) + " WHERE fid IN (" +
                         idList(undo.moved) + ")").c_str(),
                        nullptr, nullptr);
        return CPLGetLastErrorType() < CE_Failure;
    });
    if (!ok)
        return fail(ok.error());
    return undo;
}

Status ProjectReview::unsplit(const SplitUndo& undo, const std::string& action)
{
    if (!undo.row)
        return fail("nothing to unsplit");
    const int64_t damage_id = undo.row->GetFieldAsInteger64("damage_id");
    OGRFeatureUniquePtr added = damage(undo.new_damage);
    if (!damage(damage_id) || !added)
        return fail("damage " + std::to_string(damage_id) + " or " + std::to_string(undo.new_damage) + " is not in " +
                    path_.string() + ": reopen the project to see the latest review");
    OGRLayer* damages = ds_->GetLayerByName("damages");
    OGRLayer* log = ds_->GetLayerByName("review_log");
    OGRFeatureUniquePtr entry = logEntry(damage_id, "split_into", std::to_string(undo.new_damage), "", action);
    return inTransaction("the split of damage " + std::to_string(damage_id), [&] {
        OGRFeatureUniquePtr row(undo.row->Clone());
        if (damages->SetFeature(row.get()) != OGRERR_NONE || damages->DeleteFeature(added->GetFID()) != OGRERR_NONE ||
            log->CreateFeature(entry.get()) != OGRERR_NONE)
            return false;
        CPLErrorReset();
        ds_->ExecuteSQL(("UPDATE detections SET damage_id = " + std::to_string(damage_id) + " WHERE fid IN (" +
                         idList(undo.moved) + ")").c_str(),
                        nullptr, nullptr);
        return CPLGetLastErrorType() < CE_Failure;
    });
}

Result<AddedRows> ProjectReview::addDamage(const AddedDamage& added, const std::optional<AddedRows>& ids,
                                           const std::string& action)
{
    if (!isKnownDamageClass(added.class_code))
        return fail("'" + added.class_code + "' is not a damage class");
    if (!added.footprint || added.footprint->IsEmpty())
        return fail("the drawn damage has no footprint on the road");
    if (added.chip.empty())
        return fail("the drawn damage has no evidence chip");
    AddedRows rows;
    if (ids)
        rows = *ids;
    else
        rows.damage_id = nextDamageId();
    if (rows.damage_id <= 0)
        return fail("cannot number a new damage in " + path_.string());
    if (damage(rows.damage_id))
        return fail(path_.string() + " has a damage " + std::to_string(rows.damage_id) + " already");
    std::string class_name;
    for (const auto& c : kDamageClasses)
        if (c.code == added.class_code)
            class_name = std::string(c.name);

    OGRLayer* detections = ds_->GetLayerByName("detections");
    OGRLayer* damages = ds_->GetLayerByName("damages");
    OGRLayer* log = ds_->GetLayerByName("review_log");
    OGRFeatureUniquePtr d(OGRFeature::CreateFeature(detections->GetLayerDefn()));
    if (ids)
        d->SetFID(ids->detection);
    d->SetField("frame_index", GIntBig(added.frame));
    d->SetField("damage_id", GIntBig(rows.damage_id));
    setTimeField(*d, "time", added.time);
    d->SetField("frame_chainage_m", added.frame_chainage_m);
    d->SetField("plugin_id", "reviewer");
    d->SetField("plugin_version", "");
    d->SetField("class", added.class_code.c_str());
    d->SetField("confidence", 1.0);
    d->SetField("box_x", added.box_x);
    d->SetField("box_y", added.box_y);
    d->SetField("box_width", added.box_width);
    d->SetField("box_height", added.box_height);
    d->SetField("pixel_shape", added.pixel_wkt.c_str());
    d->SetGeometry(added.footprint.get());
    d->SetField("length_m", added.length_m);
    d->SetField("area_m2", added.area_m2);
    d->SetField("forward_m", added.forward_m);

    OGRFeatureUniquePtr row(OGRFeature::CreateFeature(damages->GetLayerDefn()));
    row->SetGeometry(added.footprint.get());
    row->SetField("damage_id", GIntBig(rows.damage_id));
    row->SetField("class", added.class_code.c_str());
    row->SetField("class_name", class_name.c_str());
    row->SetField("severity", added.severity.c_str());
    row->SetField("confidence", 1.0);
    row->SetField("length_m", added.length_m);
    row->SetField("area_m2", added.area_m2);
    row->SetField("chainage_m", added.chainage_m);
    setTimeField(*row, "first_seen", added.time);
    setTimeField(*row, "last_seen", added.time);
    row->SetField("n_frames", 1);
    row->SetField("plugins", "reviewer");
    row->SetField("evidence_frame", GIntBig(added.frame));
    row->SetField(row->GetFieldIndex("chip"), int(added.chip.size()), added.chip.data());
    row->SetField("review_state", "added");
    OGRFeatureUniquePtr entry = logEntry(rows.damage_id, "review_state", "", "added", action);
    auto ok = inTransaction("the added damage " + std::to_string(rows.damage_id), [&] {
        if (detections->CreateFeature(d.get()) != OGRERR_NONE)
            return false;
        rows.detection = d->GetFID();
        row->SetField("evidence_detection", GIntBig(rows.detection));
        return damages->CreateFeature(row.get()) == OGRERR_NONE && log->CreateFeature(entry.get()) == OGRERR_NONE;
    });
    if (!ok)
        return fail(ok.error());
    return rows;
}

Status ProjectReview::removeAdded(const AddedRows& rows, const std::string& action)
{
    OGRFeatureUniquePtr row = damage(rows.damage_id);
    if (!row || std::string(row->GetFieldAsString("review_state")) != "added")
        return fail(path_.string() + " has no added damage " + std::to_string(rows.damage_id) +
                    ": reopen the project to see the latest review");
    OGRLayer* detections = ds_->GetLayerByName("detections");
    OGRLayer* damages = ds_->GetLayerByName("damages");
    OGRLayer* log = ds_->GetLayerByName("review_log");
    OGRFeatureUniquePtr entry = logEntry(rows.damage_id, "review_state", "added", "", action);
    return inTransaction("the added damage " + std::to_string(rows.damage_id), [&] {
        return damages->DeleteFeature(row->GetFID()) == OGRERR_NONE &&
               detections->DeleteFeature(rows.detection) == OGRERR_NONE && log->CreateFeature(entry.get()) == OGRERR_NONE;
    });
}

} // namespace voirie
