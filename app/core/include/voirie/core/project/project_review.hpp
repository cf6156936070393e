// A reviewer's decisions written into the project GeoPackage at once: each edit of a damage
// (review state, class, severity, note) updates its row and appends to the `review_log` table
// (time, user, old and new value) in one transaction, so closing or crashing loses nothing and
// the log says who changed what. Undo and redo are edits too, logged with their action.
#pragma once

#include "voirie/core/base/result.hpp"

#include <gdal_priv.h>

#include <filesystem>
#include <memory>
#include <string>

namespace voirie {

struct ReviewEdit {
    int64_t damage_id = 0;
    std::string field; // "review_state", "class", "severity" or "review_note"
    std::string old_value, new_value;
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

    // The login name, recorded in the log.
    static std::string currentUser();
    const std::filesystem::path& path() const { return path_; }

private:
    ProjectReview(std::filesystem::path path, GDALDatasetUniquePtr ds);
    std::filesystem::path path_;
    GDALDatasetUniquePtr ds_;
};

} // namespace voirie
