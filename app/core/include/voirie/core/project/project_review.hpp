// A reviewer's decisions written into the project GeoPackage at once: each edit of a damage
// (review state, class, severity, note) updates its row and appends to the `review_log` table
// (time, user, old and new value) in one transaction, so closing or crashing loses nothing and
// the log says who changed what. Undo and redo are edits too, logged with their action. The
// evidence of a damage (its frame, detection and chip) is chosen the same way.
#pragma once

#include "voirie/core/base/result.hpp"

#include <gdal_priv.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

struct ReviewEdit {
    int64_t damage_id = 0;
    std::string field; // "review_state", "class", "severity" or "review_note"
    std::string old_value, new_value;
};

// A damage's evidence: the frame and detection its chip shows, and the chip (JPEG, anonymized).
struct Evidence {
    int64_t frame = 0, detection = 0;
    std::vector<unsigned char> chip;
    std::string chip_path; // the chip's file beside the project, when the analysis wrote one
};

// What undoing a merge needs: the damages' rows as they were (the kept one first) and which
// damage each moved detection belonged to.
struct MergeUndo {
    int64_t kept = 0;
    std::vector<std::shared_ptr<OGRFeature>> rows;
    std::vector<std::pair<int64_t, int64_t>> detections; // detection fid, its damage before
    std::vector<std::pair<int64_t, int64_t>> drive_evidence; // a network project's damage_evidence fid, its damage before
};

// What undoing a split needs: the damage's row as it was, the new damage and the detections moved.
struct SplitUndo {
    std::shared_ptr<OGRFeature> row;
    int64_t new_damage = 0;
    std::vector<int64_t> moved; // detection fids
};

// A damage the detectors missed, drawn by the reviewer on a frame: its pixel shape there, its
// footprint on the road (lon/lat, projected through the frame's camera and position) and measures.
struct AddedDamage {
    std::string class_code, severity; // severity "L", "M", "H" or ""
    int64_t frame = 0;
    double time = 0, frame_chainage_m = 0, chainage_m = 0;
    std::shared_ptr<OGRGeometry> footprint; // lon/lat
    double length_m = 0, area_m2 = 0, forward_m = 0;
    double box_x = 0, box_y = 0, box_width = 0, box_height = 0;
    std::string pixel_wkt;           // the drawn shape in the frame's pixels
    std::vector<unsigned char> chip; // cut around it from the anonymized frame
};

struct AddedRows {
    int64_t damage_id = 0, detection = 0;
};

// The values a field may take; an edit to anything else is refused.
bool isReviewField(const std::string& field);
Status checkReviewValue(const std::string& field, const std::string& value);

class ProjectReview {
public:
    static Result<std::unique_ptr<ProjectReview>> open(const std::filesystem::path& project);

    // Writes `edit.new_value` (action "edit", "undo" or "redo" in the log). Refused, with the file
    // untouched, when the damage does not exist or its stored value is not `edit.old_value`
    // (someone else changed it since it was read).
    Status apply(const ReviewEdit& edit, const std::string& action = "edit");

    // The damage's evidence as stored.
    Result<Evidence> evidence(int64_t damage_id);
    // Makes `to` the damage's evidence (logged as field "evidence_frame", old and new frame
    // index). Refused, the file untouched, when the stored evidence is not `from`'s frame and
    // detection. A chosen chip has no file: `to.chip_path` is stored as it is given.
    Status setEvidence(int64_t damage_id, const Evidence& from, const Evidence& to, const std::string& action = "edit");

    // One defect recorded as several: `others` merged into `kept` in one transaction. The kept
    // row gets the union of the footprints (measured again: length of lines, area of areas),
    // the earliest first and latest last sighting, the frames of all (counted again), every
    // plugin, the highest severity, confidence and width; it keeps its class, evidence and review
    // state. The others' detections become the kept one's and their rows go. Logged per merged
    // damage as field "merged_into" (old "", new the kept id). Refused, the file untouched, when a
    // damage is missing or the footprints are of different kinds (a crack's line and an area).
    Result<MergeUndo> merge(int64_t kept, const std::vector<int64_t>& others, const std::string& action = "edit");
    // The rows and detections back as they were before `undo`'s merge (logged "merged_into" kept -> "").
    Status unmerge(const MergeUndo& undo, const std::string& action = "undo");

    // Two defects recorded as one: the damage's detections in frames from `from_frame` on become a
    // new damage (the next free id; class, severity and review state as the damage's), each part
    // with the union of its detections' footprints measured again, its own sightings, frames,
    // plugins, confidence and width. The part without the old evidence frame takes `fresh`
    // (frame, detection and chip of one of its own detections). Logged on the damage as field
    // "split_into" (old "", new the new id). Refused when either part would have no detection.
    Result<SplitUndo> split(int64_t damage_id, int64_t from_frame, const Evidence& fresh, const std::string& action = "edit");
    // The damage as it was and the new one gone (logged "split_into" new id -> "").
    Status unsplit(const SplitUndo& undo, const std::string& action = "undo");

    // A damage the reviewer drew (review_state "added", plugin "reviewer", seen in its one
    // frame, its own detection the evidence), with the next free id, or `ids` again on redo.
    // Logged as field "review_state" "" -> "added".
    Result<AddedRows> addDamage(const AddedDamage& added, const std::optional<AddedRows>& ids = std::nullopt,
                                const std::string& action = "edit");
    // Removes what addDamage wrote (logged "review_state" "added" -> "").
    Status removeAdded(const AddedRows& rows, const std::string& action = "undo");

    // The login name, recorded in the log.
    static std::string currentUser();
    const std::filesystem::path& path() const { return path_; }

private:
    ProjectReview(std::filesystem::path path, GDALDatasetUniquePtr ds);
    OGRFeatureUniquePtr damage(int64_t damage_id);
    // The first value of a query's first row (nothing when the query fails or it is NULL).
    std::optional<int64_t> firstNumber(const std::string& sql);
    int64_t nextDamageId(); // one above the largest damage id
    // The feature updated and the log entry added in one transaction.
    Status write(OGRFeature& damage, int64_t damage_id, const std::string& field, const std::string& old_value,
                 const std::string& new_value, const std::string& action);
    OGRFeatureUniquePtr logEntry(int64_t damage_id, const std::string& field, const std::string& old_value,
                                 const std::string& new_value, const std::string& action);
    // Runs `change` in a transaction, rolled back when it fails.
    Status inTransaction(const std::string& what, const std::function<bool()>& change);
    std::filesystem::path path_;
    GDALDatasetUniquePtr ds_;
};

} // namespace voirie
