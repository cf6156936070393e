// The reviewer's edits: each one written to the project at once (ProjectReview: the damage's row
// and the review log, one transaction), mirrored into the in-memory project, and kept on an undo
// stack whose undo and redo are written and logged the same way.
#pragma once

#include "project_data.hpp"

#include "voirie/core/project/project_review.hpp"

#include <QObject>
#include <QUndoStack>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace voirie::gui {

class ReviewController : public QObject {
    Q_OBJECT
public:
    explicit ReviewController(QObject* parent = nullptr);
    ~ReviewController() override;

    // Opens the project for writing; an error sentence when it cannot be (read-only file...).
    Status setProject(ProjectData* project);
    // The same project read again (after a merge): the open file and the undo history stay.
    void rebind(ProjectData* project) { project_ = project; }
    QUndoStack* undoStack() { return &stack_; }

    // Sets a field of a damage (index into the project's damages); false (and `failed`) when it
    // cannot be written. Setting the value it already has does nothing.
    bool edit(int damage_index, const std::string& field, const std::string& value);
    // Merges the damages `others` into `kept` (ids), undoably; structureChanged() follows each
    // merge, undo and redo (the damages must be read again).
    bool merge(int64_t kept, const std::vector<int64_t>& others);
    // Splits a damage at a frame (ProjectReview::split), undoably; structureChanged() follows.
    bool split(int64_t damage_id, int64_t from_frame, const Evidence& fresh);
    // Adds a damage the reviewer drew, undoably; its id, or nothing (and `failed`).
    std::optional<int64_t> addDamage(const AddedDamage& added);
    // Makes `chosen` the damage's evidence (frame, detection, chip), undoably.
    bool chooseEvidence(int damage_index, const Evidence& chosen);

Q_SIGNALS:
    void damageChanged(int damage_index);
    void structureChanged();
    void failed(const QString& message);

private:
    // The writes of an edit, its redo ("redo") and its undo ("undo"): the file and the data.
    bool write(int64_t damage_id, const std::string& field, const std::string& from, const std::string& to,
               const char* action);
    bool writeEvidence(int64_t damage_id, const Evidence& from, const Evidence& to, const char* action);
    bool writeMerge(int64_t kept, const std::vector<int64_t>& others, MergeUndo& undo, const char* action);
    bool writeUnmerge(const MergeUndo& undo, const char* action);
    bool writeSplit(int64_t damage_id, int64_t from_frame, const Evidence& fresh, SplitUndo& undo, const char* action);
    bool writeUnsplit(const SplitUndo& undo, const char* action);
    bool writeAdded(const AddedDamage& added, AddedRows& rows, bool again, const char* action);
    bool writeRemoved(const AddedRows& rows, const char* action);
    // A change that adds or removes damages: refused without a writable project, its refusal
    // reported, and on success structureChanged().
    bool restructure(const std::function<Status()>& change);

    ProjectData* project_ = nullptr;
    std::unique_ptr<ProjectReview> review_;
    QUndoStack stack_;
};

} // namespace voirie::gui
