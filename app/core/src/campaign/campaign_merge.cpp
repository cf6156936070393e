#include "voirie/core/campaign/campaign_merge.hpp"

#include "voirie/core/base/atomic_output.hpp"
#include "voirie/core/base/comma_list.hpp"
#include "voirie/core/base/footprint.hpp"
#include "voirie/core/base/time_format.hpp"
#include "voirie/core/campaign/campaign_survey.hpp"
#include "voirie/core/campaign/defect_matching.hpp"
#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/project/project_open.hpp"
#include "voirie/core/project/project_store.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

namespace voirie {
namespace fs = std::filesystem;
namespace {

// The footprint figures of a run's summary that add up over drives.
constexpr const char* kSummed[] = {"wall_s", "cpu_s", "energy_wh", "co2e_g", "frames_analysed", "km"};

Status exec(GDALDataset& ds, const std::string& sql, const std::string& where)
{
    CPLErrorReset();
    OGRLayer* result = ds.ExecuteSQL(sql.c_str(), nullptr, nullptr);
    if (result)
        ds.ReleaseResultSet(result);
    if (CPLGetLastErrorType() >= CE_Failure)
        return fail("cannot update " + where + ": " + gdalWriteReason());
    return Ok{};
}

int64_t maxOf(GDALDataset& ds, const char* table, const char* field)
{
    OGRLayer* r = ds.ExecuteSQL(("SELECT MAX(" + std::string(field) + ") FROM " + table).c_str(), nullptr, nullptr);
    int64_t out = -1;
    if (r) {
        if (OGRFeatureUniquePtr f(r->GetNextFeature()); f && f->IsFieldSetAndNotNull(0))
            out = f->GetFieldAsInteger64(0);
        ds.ReleaseResultSet(r);
    }
    return out;
}

void ensureField(OGRLayer& layer, const char* name, OGRFieldType type)
{
    if (layer.GetLayerDefn()->GetFieldIndex(name) < 0)
        addField(layer, name, type);
}

// Appends every row of `from` to `to` (fields by name), with `edit` applied first.
template <typename Edit>
Status appendRows(OGRLayer* from, OGRLayer* to, const std::string& where, Edit edit)
{
    if (!from || !to)
        return Ok{};
    from->ResetReading();
    for (OGRFeatureUniquePtr f(from->GetNextFeature()); f; f.reset(from->GetNextFeature())) {
        OGRFeatureUniquePtr row(OGRFeature::CreateFeature(to->GetLayerDefn()));
        row->SetFrom(f.get(), TRUE);
        row->SetFID(OGRNullFID);
        if (!edit(*f, *row))
            continue;
        if (to->CreateFeature(row.get()) != OGRERR_NONE)
            return fail("cannot write layer " + std::string(to->GetName()) + " of " + where + ": " + gdalWriteReason());
    }
    return Ok{};
}

struct MergedDamage {
    int64_t damage_id;
    std::string review_state, drives;
};

} // namespace

nlohmann::ordered_json MergeSummary::toJson() const
{
    return {{"out", out.string()},         {"drives", drives},           {"frames", frames},
            {"damages", damages},          {"merged_damages", merged_damages}, {"review_conflicts", review_conflicts},
            {"footprint", footprint},      {"differences", differences}, {"warnings", warnings}};
}

std::string MergeSummary::toText() const
{
    std::ostringstream s;
    s << "wrote " << out.string() << ": " << drives << " drives, " << frames << " frames, " << damages << " damages ("
      << merged_damages << " seen by more than one drive, merged)\n";
    if (review_conflicts)
        s << review_conflicts << " damage(s) were accepted in one drive and rejected in another: flagged for review "
                                 "(review_conflict = 1, state unreviewed)\n";
    for (const auto& d : differences)
        s << "note: " << d << "\n";
    for (const auto& w : warnings)
        s << "warning: " << w << "\n";
    s << "segments rated before merging were dropped: rate the network again (voirie rate " << out.string() << ")\n";
    return s.str();
}

Result<MergeSummary> mergeDrives(const MergeOptions& o)
{
    if (o.drives.size() < 2)
        return fail("merge needs at least two projects");
    if (!(o.match_m > 0 && o.match_m <= 20))
        return fail("--match-m must be between 0 and 20 metres");
    for (size_t i = 0; i < o.drives.size(); ++i)
        for (size_t j = i + 1; j < o.drives.size(); ++j) {
            std::error_code ec;
            if (fs::equivalent(o.drives[i], o.drives[j], ec))
                return fail(o.drives[i].string() + " is given twice");
        }
    std::vector<SurveyCampaign> drives;
    for (const auto& path : o.drives) {
        auto survey = readSurveyCampaign(path, true);
        if (!survey)
            return fail(survey.error());
        drives.push_back(std::move(*survey));
    }
    const LocalMetricFrame metric = drives.front().metricFrame();
    for (auto& d : drives)
        if (auto s = d.place(metric); !s)
            return fail(s.error());

    MergeSummary summary;
    summary.out = o.out;
    summary.drives = int(drives.size());
    for (size_t k = 1; k < drives.size(); ++k)
        for (auto& d : runDifferences(drives.front(), drives[k]))
            summary.differences.push_back(std::move(d));

    auto output = AtomicOutput::prepare(o.out, o.overwrite);
    if (!output)
        return fail(output.error());
    const std::string where = o.out.string();
    std::error_code ec;
    fs::copy_file(o.drives.front(), output->temporaryPath(), fs::copy_options::overwrite_existing, ec);
    if (ec)
        return fail(writeFailure(output->temporaryPath(), ec.value(), "write"));
    GdalErrorTrap trap;
    {
        auto opened = openProject(output->temporaryPath(), {ProjectAccess::update, {"frames", "damages", "detections", "run"},
                                                            IntegrityCheck::none});
        if (!opened)
            return fail(opened.error());
        GDALDataset& ds = **opened;
        // Segments were rated on the first drive alone.
        for (const char* stale : {"segments", "rating"})
            for (int i = 0; i < ds.GetLayerCount(); ++i)
                if (std::string(ds.GetLayer(i)->GetName()) == stale) {
                    ds.DeleteLayer(i);
                    break;
                }
        for (const char* name : {"track", "frames", "detections", "damages"})
            if (OGRLayer* l = ds.GetLayerByName(name))
                ensureField(*l, "drive", OFTInteger);
        OGRLayer* damages = ds.GetLayerByName("damages");
        ensureField(*damages, "drives", OFTString);
        ensureField(*damages, "review_conflict", OFTInteger);
        char** aspatial = CSLSetNameValue(nullptr, "ASPATIAL_VARIANT", "GPKG_ATTRIBUTES");
        OGRLayer* drive_table = ds.CreateLayer("drives", nullptr, wkbNone, aspatial);
        OGRLayer* evidence = ds.CreateLayer("damage_evidence", nullptr, wkbNone, aspatial);
        CSLDestroy(aspatial);
        if (!drive_table || !evidence)
            return fail("cannot create the drives tables in " + where + ": " + gdalWriteReason());
        addField(*drive_table, "drive", OFTInteger);
        for (const char* f : {"project", "sha256", "status", "voirie_version", "videos", "summary"})
            addField(*drive_table, f, OFTString);
        addField(*drive_table, "started", OFTDateTime);
        addField(*drive_table, "finished", OFTDateTime);
        for (const char* f : {"damage_id", "drive", "evidence_frame", "source_damage_id"})
            addField(*evidence, f, OFTInteger64);
        addField(*evidence, "chip", OFTBinary);
        addField(*evidence, "plugins", OFTString);
        addField(*evidence, "confidence", OFTReal);

        if (ds.StartTransaction() != OGRERR_NONE)
            return fail("cannot write " + where + ": " + gdalWriteReason());
        for (const char* table : {"track", "frames", "detections", "damages"})
            if (ds.GetLayerByName(table))
                if (auto s = exec(ds, std::string("UPDATE \"") + table + "\" SET drive = 1", where); !s)
                    return fail(s.error());
        if (auto s = exec(ds, "UPDATE damages SET drives = '1', review_conflict = 0", where); !s)
            return fail(s.error());

        // The merged damages so far, placed, to match each further drive against.
        std::vector<PlacedDefect> placed = drives.front().placed;
        std::vector<MergedDamage> merged;
        for (const auto& d : drives.front().damages)
            merged.push_back({d.damage_id, d.review_state.empty() ? "unreviewed" : d.review_state, "1"});

        nlohmann::ordered_json total;
        for (const char* key : kSummed)
            total[key] = 0.0;
        for (size_t k = 0; k < drives.size(); ++k) {
            const int drive = int(k) + 1;
            const SurveyCampaign& survey = drives[k];
            GDALDatasetUniquePtr source;
            if (k > 0) {
                // Checked a moment ago by readSurveyCampaign: no second integrity scan.
                auto opened_source = openProject(survey.path, {ProjectAccess::read, {"frames", "damages", "detections"},
                                                               IntegrityCheck::none});
                if (!opened_source)
                    return fail(opened_source.error());
                source = std::move(*opened_source);
            }
            // Provenance of this drive.
            nlohmann::json run_summary = nlohmann::json::parse(survey.run.summary_json, nullptr, false);
            std::string videos;
            for (const auto& input : survey.run.inputs)
                if (input.role == "video" || input.role == "photos")
                    videos += (videos.empty() ? "" : ", ") + input.path;
            // A drive analysed before Voirie recorded its footprint: estimated from its CPU time.
            if (run_summary.is_object() && run_summary.contains("cpu_s") && !run_summary.contains("energy_wh")) {
                const Footprint estimate = estimateFootprint(run_summary.value("cpu_s", 0.0), run_summary.value("wall_s", 0.0), 0,
                                                             FootprintFactors{});
                run_summary["energy_wh"] = estimate.energy_wh;
                run_summary["co2e_g"] = estimate.co2e_g;
                summary.warnings.push_back("the footprint of " + survey.path.filename().string() +
                                           " was not recorded (an older Voirie): estimated from its CPU time");
            }
            for (const char* key : kSummed)
                if (run_summary.is_object() && run_summary.contains(key) && run_summary[key].is_number())
                    total[key] = total[key].get<double>() + run_summary[key].get<double>();
            OGRFeatureUniquePtr row(OGRFeature::CreateFeature(drive_table->GetLayerDefn()));
            row->SetField("drive", drive);
            row->SetField("project", fs::absolute(survey.path).string().c_str());
            row->SetField("sha256", survey.sha256.c_str());
            row->SetField("status", survey.run.status.c_str());
            row->SetField("voirie_version", survey.run.voirie_version.c_str());
            row->SetField("videos", videos.c_str());
            row->SetField("summary", run_summary.is_discarded() ? "" : run_summary.dump().c_str());
            setTimeField(*row, "started", survey.run.started);
            setTimeField(*row, "finished", survey.run.finished);
            if (drive_table->CreateFeature(row.get()) != OGRERR_NONE)
                return fail("cannot write the drives table of " + where + ": " + gdalWriteReason());
            if (survey.run.status == "partial")
                summary.warnings.push_back(survey.path.string() + " is partial: not all its footage was analysed");
            if (k == 0)
                continue;

            // Frames, detections and damages of this drive, renumbered past what is there.
            const int64_t frame_offset = maxOf(ds, "frames", "frame_index") + 1;
            const int64_t damage_offset = std::max<int64_t>(maxOf(ds, "damages", "damage_id"), 0) + 1;
            const DefectOffset offset = estimateOffset(placed, survey.placed);
            const auto pairs = matchDefects(placed, survey.placed, offset, o.match_m);
            std::map<int64_t, int64_t> damage_id; // this drive's -> the merged project's
            std::map<size_t, size_t> matched;     // index in survey.damages -> index in merged
            for (const auto& p : pairs)
                matched[size_t(p.second)] = size_t(p.first);
            for (size_t j = 0; j < survey.damages.size(); ++j) {
                const ProjectDamage& d = survey.damages[j];
                const std::string state = d.review_state.empty() ? "unreviewed" : d.review_state;
                if (!matched.count(j)) {
                    damage_id[d.damage_id] = d.damage_id + damage_offset;
                    merged.push_back({d.damage_id + damage_offset, state, std::to_string(drive)});
                    placed.push_back(survey.placed[j]);
                    continue;
                }
                MergedDamage& m = merged[matched[j]];
                damage_id[d.damage_id] = m.damage_id;
                ++summary.merged_damages;
                damages->SetAttributeFilter(("damage_id = " + std::to_string(m.damage_id)).c_str());
                damages->ResetReading();
                OGRFeatureUniquePtr kept(damages->GetNextFeature());
                damages->SetAttributeFilter(nullptr);
                if (!kept)
                    return fail(where + ": damage " + std::to_string(m.damage_id) + " vanished while merging");
                m.drives += "," + std::to_string(drive);
                kept->SetField("drives", m.drives.c_str());
                kept->SetField("n_frames", kept->GetFieldAsInteger("n_frames") + d.n_frames);
                kept->SetField("plugins", joinCommaLists(fieldText(*kept, "plugins"), d.plugins).c_str());
                kept->SetField("confidence", std::max(fieldNumber(*kept, "confidence"), d.confidence));
                if (d.first_seen > 0 && d.first_seen < fieldTime(*kept, "first_seen"))
                    setTimeField(*kept, "first_seen", d.first_seen);
                if (d.last_seen > fieldTime(*kept, "last_seen"))
                    setTimeField(*kept, "last_seen", d.last_seen);
                // Reviews: the same decision, or one side undecided, is kept; opposite ones are flagged.
                if (m.review_state == "unreviewed" && state != "unreviewed") {
                    m.review_state = state;
                    kept->SetField("review_state", state.c_str());
                    kept->SetField("review_note", d.review_note.c_str());
                } else if (state != "unreviewed" && state != m.review_state && kept->GetFieldAsInteger("review_conflict") == 0) {
                    const std::string note = "review conflict on merge: " + m.review_state + " in drive(s) " +
                                             m.drives.substr(0, m.drives.rfind(',')) + ", " + state + " in drive " +
                                             std::to_string(drive) + " (" + survey.path.filename().string() + ")";
                    kept->SetField("review_state", "unreviewed");
                    kept->SetField("review_conflict", 1);
                    kept->SetField("review_note", note.c_str());
                    m.review_state = "unreviewed";
                    ++summary.review_conflicts;
                }
                if (damages->SetFeature(kept.get()) != OGRERR_NONE)
                    return fail("cannot update the damages of " + where + ": " + gdalWriteReason());
                OGRFeatureUniquePtr e(OGRFeature::CreateFeature(evidence->GetLayerDefn()));
                e->SetField("damage_id", GIntBig(m.damage_id));
                e->SetField("drive", drive);
                e->SetField("source_damage_id", GIntBig(d.damage_id));
                if (d.evidence_frame >= 0)
                    e->SetField("evidence_frame", GIntBig(d.evidence_frame + frame_offset));
                if (!d.chip.empty())
                    e->SetField(e->GetFieldIndex("chip"), int(d.chip.size()), d.chip.data());
                e->SetField("plugins", d.plugins.c_str());
                e->SetField("confidence", d.confidence);
                if (evidence->CreateFeature(e.get()) != OGRERR_NONE)
                    return fail("cannot write the damage evidence of " + where + ": " + gdalWriteReason());
            }
            auto shiftFrame = [&](OGRFeature& row, const char* field) {
                if (const int i = row.GetFieldIndex(field); i >= 0 && row.IsFieldSetAndNotNull(i) && row.GetFieldAsInteger64(i) >= 0)
                    row.SetField(i, GIntBig(row.GetFieldAsInteger64(i) + frame_offset));
            };
            auto mapDamage = [&](OGRFeature& row) {
                if (const int i = row.GetFieldIndex("damage_id"); i >= 0 && row.IsFieldSetAndNotNull(i)) {
                    const auto it = damage_id.find(row.GetFieldAsInteger64(i));
                    if (it != damage_id.end())
                        row.SetField(i, GIntBig(it->second));
                }
            };
            if (auto s = appendRows(source->GetLayerByName("track"), ds.GetLayerByName("track"), where,
                                    [&](const OGRFeature&, OGRFeature& row) { row.SetField("drive", drive); return true; });
                !s)
                return fail(s.error());
            if (auto s = appendRows(source->GetLayerByName("frames"), ds.GetLayerByName("frames"), where,
                                    [&](const OGRFeature&, OGRFeature& row) {
                                        shiftFrame(row, "frame_index");
                                        row.SetField("drive", drive);
                                        return true;
                                    });
                !s)
                return fail(s.error());
            if (auto s = appendRows(source->GetLayerByName("detections"), ds.GetLayerByName("detections"), where,
                                    [&](const OGRFeature&, OGRFeature& row) {
                                        shiftFrame(row, "frame_index");
                                        mapDamage(row);
                                        row.SetField("drive", drive);
                                        return true;
                                    });
                !s)
                return fail(s.error());
            std::set<int64_t> merged_away;
            for (const auto& [j, _] : matched)
                merged_away.insert(survey.damages[j].damage_id);
            if (auto s = appendRows(source->GetLayerByName("damages"), damages, where,
                                    [&](const OGRFeature& from, OGRFeature& row) {
                                        if (merged_away.count(from.GetFieldAsInteger64("damage_id")))
                                            return false;
                                        mapDamage(row);
                                        shiftFrame(row, "evidence_frame");
                                        row.SetField("drive", drive);
                                        row.SetField("drives", std::to_string(drive).c_str());
                                        row.SetField("review_conflict", 0);
                                        return true;
                                    });
                !s)
                return fail(s.error());
            if (auto s = appendRows(source->GetLayerByName("review_log"), ds.GetLayerByName("review_log"), where,
                                    [&](const OGRFeature&, OGRFeature& row) { mapDamage(row); return true; });
                !s)
                return fail(s.error());
            if (auto s = appendRows(source->GetLayerByName("run_inputs"), ds.GetLayerByName("run_inputs"), where,
                                    [&](const OGRFeature& from, OGRFeature& row) {
                                        row.SetField("role", ("drive " + std::to_string(drive) + " " + fieldText(from, "role")).c_str());
                                        return true;
                                    });
                !s)
                return fail(s.error());
            std::set<std::string> plugins;
            for (const auto& p : drives.front().run.plugins)
                plugins.insert(p.id + " " + p.version);
            if (auto s = appendRows(source->GetLayerByName("run_plugins"), ds.GetLayerByName("run_plugins"), where,
                                    [&](const OGRFeature& from, OGRFeature&) {
                                        return plugins.insert(fieldText(from, "plugin_id") + " " + fieldText(from, "version")).second;
                                    });
                !s)
                return fail(s.error());
        }

        // The run: every drive's, summed; partial when one is.
        OGRLayer* run = ds.GetLayerByName("run");
        run->ResetReading();
        OGRFeatureUniquePtr r(run->GetNextFeature());
        if (!r)
            return fail(o.drives.front().string() + " has no run record");
        nlohmann::ordered_json run_summary = total;
        run_summary["merged_from"] = nlohmann::ordered_json::array();
        for (const auto& d : drives)
            run_summary["merged_from"].push_back(fs::absolute(d.path).string());
        double started = 0, finished = 0;
        bool partial = false;
        for (const auto& d : drives) {
            if (d.run.started > 0 && (started == 0 || d.run.started < started))
                started = d.run.started;
            finished = std::max(finished, d.run.finished);
            partial = partial || d.run.status == "partial";
        }
        r->SetField("command_line", o.command_line.c_str());
        r->SetField("status", partial ? "partial" : "complete");
        r->SetField("summary", run_summary.dump().c_str());
        for (const char* key : kRunCostFields)
            if (r->GetFieldIndex(key) >= 0)
                r->SetField(key, total[key].get<double>());
        setTimeField(*r, "started", started);
        setTimeField(*r, "finished", finished);
        if (run->SetFeature(r.get()) != OGRERR_NONE)
            return fail("cannot write the run of " + where + ": " + gdalWriteReason());
        if (ds.CommitTransaction() != OGRERR_NONE)
            return fail("cannot write " + where + ": " + gdalWriteReason());
        summary.footprint = total;
        summary.frames = int(ds.GetLayerByName("frames")->GetFeatureCount());
        summary.damages = int(damages->GetFeatureCount());
    }
    if (auto s = output->commit(); !s)
        return fail(s.error());
    return summary;
}

} // namespace voirie
