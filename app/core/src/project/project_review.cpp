#include "voirie/core/project/project_review.hpp"

#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/project/project_open.hpp"
#include "voirie/core/vocabulary/damage_classes.hpp"

#include <chrono>
#include <cstdlib>
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

Status ProjectReview::write(OGRFeature& damage, int64_t damage_id, const std::string& field, const std::string& old_value,
                            const std::string& new_value, const std::string& action)
{
    const std::string what = "damage " + std::to_string(damage_id);
    OGRLayer* damages = ds_->GetLayerByName("damages");
    OGRLayer* log = ds_->GetLayerByName("review_log");
    OGRFeatureUniquePtr entry(OGRFeature::CreateFeature(log->GetLayerDefn()));
    setTimeField(*entry, "time",
                 std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
    entry->SetField("user", currentUser().c_str());
    entry->SetField("action", action.c_str());
    entry->SetField("damage_id", GIntBig(damage_id));
    entry->SetField("field", field.c_str());
    entry->SetField("old_value", old_value.c_str());
    entry->SetField("new_value", new_value.c_str());

    CPLErrorReset();
    if (ds_->StartTransaction() != OGRERR_NONE)
        return fail("cannot start a transaction in " + path_.string() + ": " + CPLGetLastErrorMsg());
    if (damages->SetFeature(&damage) != OGRERR_NONE || log->CreateFeature(entry.get()) != OGRERR_NONE) {
        const std::string reason = gdalWriteReason();
        ds_->RollbackTransaction();
        return fail("cannot save the review of " + what + " in " + path_.string() + ": " + reason);
    }
    if (ds_->CommitTransaction() != OGRERR_NONE)
        return fail(gdalWriteFailure("save the review of " + what + " in", path_));
    return Ok{};
}

} // namespace voirie
