#include "review_controller.hpp"

#include <QUndoCommand>

#include <functional>
#include <memory>

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

// An edit written to the project before it is pushed: its first redo is the edit itself and does
// nothing; later redos write it `again`, undos write it `back`.
class WrittenCommand : public QUndoCommand {
public:
    WrittenCommand(const QString& text, std::function<void()> again, std::function<void()> back)
        : again_(std::move(again)), back_(std::move(back))
    {
        setText(text);
    }
    void redo() override
    {
        if (done_once_)
            again_();
        done_once_ = true;
    }
    void undo() override { back_(); }

private:
    std::function<void()> again_, back_;
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
    const QString text = QString("%1 of damage %2 to '%3'")
                             .arg(QString::fromStdString(field == "review_state" ? "review" : field))
                             .arg(d.damage_id)
                             .arg(QString::fromStdString(value));
    stack_.push(new WrittenCommand(
        text, [this, id = d.damage_id, field, old_value, value] { write(id, field, old_value, value, "redo"); },
        [this, id = d.damage_id, field, old_value, value] { write(id, field, value, old_value, "undo"); }));
    return true;
}

bool ReviewController::merge(int64_t kept, const std::vector<int64_t>& others)
{
    MergeUndo undo;
    if (!writeMerge(kept, others, undo, "edit"))
        return false;
    QStringList ids;
    for (int64_t id : others)
        ids << QString::number(id);
    auto state = std::make_shared<MergeUndo>(std::move(undo)); // a redo merges again, anew
    stack_.push(new WrittenCommand(QString("merge of damage %1 into damage %2").arg(ids.join(", ")).arg(kept),
                                   [this, kept, others, state] { writeMerge(kept, others, *state, "redo"); },
                                   [this, state] { writeUnmerge(*state, "undo"); }));
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
    auto state = std::make_shared<SplitUndo>(std::move(undo));
    stack_.push(new WrittenCommand(QString("split of damage %1 at frame %2").arg(damage_id).arg(from_frame),
                                   [this, damage_id, from_frame, fresh, state] {
                                       writeSplit(damage_id, from_frame, fresh, *state, "redo");
                                   },
                                   [this, state] { writeUnsplit(*state, "undo"); }));
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
    auto state = std::make_shared<AddedRows>(rows);
    stack_.push(new WrittenCommand(QString("added damage %1").arg(rows.damage_id),
                                   [this, added, state] { writeAdded(added, *state, true, "redo"); },
                                   [this, state] { writeRemoved(*state, "undo"); }));
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
    stack_.push(new WrittenCommand(QString("evidence of damage %1 to frame %2").arg(id).arg(chosen.frame),
                                   [this, id, from = *stored, chosen] { writeEvidence(id, from, chosen, "redo"); },
                                   [this, id, from = *stored, chosen] { writeEvidence(id, chosen, from, "undo"); }));
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
