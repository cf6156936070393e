#include "review_controller.hpp"

#include <QUndoCommand>

namespace voirie::gui {

namespace {

const QString kCannotSave = "Reviews cannot be saved in this project: it is read-only, or still being analysed.";

std::string& fieldOf(DamageRecord& d, const std::string& field)
{
    if (field == "review_state")
        return d.review_state;
    if (field == "class")
        return d.class_code;
    if (field == "severity")
        return d.severity;
    return d.review_note;
}

class ReviewCommand : public QUndoCommand {
public:
    ReviewCommand(ReviewController& controller, int64_t damage_id, std::string field, std::string from, std::string to)
        : controller_(controller), damage_id_(damage_id), field_(std::move(field)), from_(std::move(from)),
          to_(std::move(to))
    {
        setText(QString("%1 of damage %2 to '%3'")
                    .arg(QString::fromStdString(field_ == "review_state" ? "review" : field_))
                    .arg(damage_id_)
                    .arg(QString::fromStdString(to_)));
    }
    // The first redo is the edit itself, already written when the command is pushed.
    void redo() override
    {
        if (done_once_)
            controller_.write(damage_id_, field_, from_, to_, "redo");
        done_once_ = true;
    }
    void undo() override { controller_.write(damage_id_, field_, to_, from_, "undo"); }

private:
    ReviewController& controller_;
    int64_t damage_id_;
    std::string field_, from_, to_;
    bool done_once_ = false;
};

class EvidenceCommand : public QUndoCommand {
public:
    EvidenceCommand(ReviewController& controller, int64_t damage_id, Evidence from, Evidence to)
        : controller_(controller), damage_id_(damage_id), from_(std::move(from)), to_(std::move(to))
    {
        setText(QString("evidence of damage %1 to frame %2").arg(damage_id_).arg(to_.frame));
    }
    void redo() override
    {
        if (done_once_)
            controller_.writeEvidence(damage_id_, from_, to_, "redo");
        done_once_ = true;
    }
    void undo() override { controller_.writeEvidence(damage_id_, to_, from_, "undo"); }

private:
    ReviewController& controller_;
    int64_t damage_id_;
    Evidence from_, to_;
    bool done_once_ = false;
};

class MergeCommand : public QUndoCommand {
public:
    MergeCommand(ReviewController& controller, int64_t kept, std::vector<int64_t> others, MergeUndo undo)
        : controller_(controller), kept_(kept), others_(std::move(others)), undo_(std::move(undo))
    {
        QStringList ids;
        for (int64_t id : others_)
            ids << QString::number(id);
        setText(QString("merge of damage %1 into damage %2").arg(ids.join(", ")).arg(kept_));
    }
    void redo() override
    {
        if (done_once_)
            controller_.writeMerge(kept_, others_, undo_, "redo");
        done_once_ = true;
    }
    void undo() override { controller_.writeUnmerge(undo_, "undo"); }

private:
    ReviewController& controller_;
    int64_t kept_;
    std::vector<int64_t> others_;
    MergeUndo undo_;
    bool done_once_ = false;
};

class SplitCommand : public QUndoCommand {
public:
    SplitCommand(ReviewController& controller, int64_t damage_id, int64_t from_frame, Evidence fresh, SplitUndo undo)
        : controller_(controller), damage_id_(damage_id), from_frame_(from_frame), fresh_(std::move(fresh)),
          undo_(std::move(undo))
    {
        setText(QString("split of damage %1 at frame %2").arg(damage_id_).arg(from_frame_));
    }
    void redo() override
    {
        if (done_once_)
            controller_.writeSplit(damage_id_, from_frame_, fresh_, undo_, "redo");
        done_once_ = true;
    }
    void undo() override { controller_.writeUnsplit(undo_, "undo"); }

private:
    ReviewController& controller_;
    int64_t damage_id_, from_frame_;
    Evidence fresh_;
    SplitUndo undo_;
    bool done_once_ = false;
};

class AddCommand : public QUndoCommand {
public:
    AddCommand(ReviewController& controller, AddedDamage added, AddedRows rows)
        : controller_(controller), added_(std::move(added)), rows_(rows)
    {
        setText(QString("added damage %1").arg(rows_.damage_id));
    }
    void redo() override
    {
        if (done_once_)
            controller_.writeAdded(added_, rows_, true, "redo");
        done_once_ = true;
    }
    void undo() override { controller_.writeRemoved(rows_, "undo"); }

private:
    ReviewController& controller_;
    AddedDamage added_;
    AddedRows rows_;
    bool done_once_ = false;
};

} // namespace

ReviewController::ReviewController(QObject* parent) : QObject(parent) {}
ReviewController::~ReviewController() = default;

Status ReviewController::setProject(ProjectData* project)
{
    stack_.clear();
    review_.reset();
    project_ = project;
    if (project_ == nullptr)
        return Ok{};
    auto review = ProjectReview::open(project_->path);
    if (!review)
        return fail(review.error());
    review_ = std::move(*review);
    return Ok{};
}

bool ReviewController::edit(int damage_index, const std::string& field, const std::string& value)
{
    if (project_ == nullptr || damage_index < 0 || damage_index >= int(project_->damages.size()))
        return false;
    DamageRecord& d = project_->damages[size_t(damage_index)];
    const std::string old_value = fieldOf(d, field);
    if (old_value == value)
        return true;
    if (!write(d.damage_id, field, old_value, value, "edit"))
        return false;
    stack_.push(new ReviewCommand(*this, d.damage_id, field, old_value, value));
    return true;
}

bool ReviewController::merge(int64_t kept, const std::vector<int64_t>& others)
{
    MergeUndo undo;
    if (!writeMerge(kept, others, undo, "edit"))
        return false;
    stack_.push(new MergeCommand(*this, kept, others, std::move(undo)));
    return true;
}

bool ReviewController::writeMerge(int64_t kept, const std::vector<int64_t>& others, MergeUndo& undo, const char* action)
{
    return restructure([&]() -> Status {
        auto merged = review_->merge(kept, others, action);
        if (!merged)
            return fail(merged.error());
        undo = std::move(*merged);
        return Ok{};
    });
}

bool ReviewController::writeUnmerge(const MergeUndo& undo, const char* action)
{
    return restructure([&] { return review_->unmerge(undo, action); });
}

bool ReviewController::split(int64_t damage_id, int64_t from_frame, const Evidence& fresh)
{
    SplitUndo undo;
    if (!writeSplit(damage_id, from_frame, fresh, undo, "edit"))
        return false;
    stack_.push(new SplitCommand(*this, damage_id, from_frame, fresh, std::move(undo)));
    return true;
}

bool ReviewController::writeSplit(int64_t damage_id, int64_t from_frame, const Evidence& fresh, SplitUndo& undo,
                                  const char* action)
{
    return restructure([&]() -> Status {
        auto done = review_->split(damage_id, from_frame, fresh, action);
        if (!done)
            return fail(done.error());
        undo = std::move(*done);
        return Ok{};
    });
}

bool ReviewController::writeUnsplit(const SplitUndo& undo, const char* action)
{
    return restructure([&] { return review_->unsplit(undo, action); });
}

std::optional<int64_t> ReviewController::addDamage(const AddedDamage& added)
{
    AddedRows rows;
    if (!writeAdded(added, rows, false, "edit"))
        return std::nullopt;
    stack_.push(new AddCommand(*this, added, rows));
    return rows.damage_id;
}

bool ReviewController::writeAdded(const AddedDamage& added, AddedRows& rows, bool again, const char* action)
{
    return restructure([&]() -> Status {
        // Redone, it comes back with the same ids, so the commands after it still find it.
        auto written = review_->addDamage(added, again ? std::optional<AddedRows>(rows) : std::nullopt, action);
        if (!written)
            return fail(written.error());
        rows = *written;
        return Ok{};
    });
}

bool ReviewController::writeRemoved(const AddedRows& rows, const char* action)
{
    return restructure([&] { return review_->removeAdded(rows, action); });
}

bool ReviewController::restructure(const std::function<Status()>& change)
{
    if (!review_) {
        Q_EMIT failed(kCannotSave);
        return false;
    }
    if (auto ok = change(); !ok) {
        Q_EMIT failed(QString::fromStdString(ok.error()));
        return false;
    }
    Q_EMIT structureChanged();
    return true;
}

bool ReviewController::chooseEvidence(int damage_index, const Evidence& chosen)
{
    if (project_ == nullptr || damage_index < 0 || damage_index >= int(project_->damages.size()))
        return false;
    if (!review_) {
        Q_EMIT failed(kCannotSave);
        return false;
    }
    const int64_t id = project_->damages[size_t(damage_index)].damage_id;
    auto stored = review_->evidence(id);
    if (!stored) {
        Q_EMIT failed(QString::fromStdString(stored.error()));
        return false;
    }
    if (stored->frame == chosen.frame && stored->detection == chosen.detection)
        return true;
    if (!writeEvidence(id, *stored, chosen, "edit"))
        return false;
    stack_.push(new EvidenceCommand(*this, id, std::move(*stored), chosen));
    return true;
}

bool ReviewController::writeEvidence(int64_t damage_id, const Evidence& from, const Evidence& to, const char* action)
{
    const int index = project_ ? project_->findDamage(damage_id) : -1;
    if (index < 0 || !review_)
        return false;
    if (auto ok = review_->setEvidence(damage_id, from, to, action); !ok) {
        Q_EMIT failed(QString::fromStdString(ok.error()));
        return false;
    }
    DamageRecord& d = project_->damages[size_t(index)];
    d.evidence_frame = to.frame;
    d.evidence_detection = to.detection;
    Q_EMIT damageChanged(index);
    return true;
}

bool ReviewController::write(int64_t damage_id, const std::string& field, const std::string& from,
                             const std::string& to, const char* action)
{
    if (!review_) {
        Q_EMIT failed(kCannotSave);
        return false;
    }
    const int index = project_->findDamage(damage_id);
    if (index < 0)
        return false;
    if (auto ok = review_->apply({damage_id, field, from, to}, action); !ok) {
        Q_EMIT failed(QString::fromStdString(ok.error()));
        return false;
    }
    fieldOf(project_->damages[size_t(index)], field) = to;
    Q_EMIT damageChanged(index);
    return true;
}

} // namespace voirie::gui
