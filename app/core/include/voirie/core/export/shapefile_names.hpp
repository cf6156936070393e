// Shapefile field names are at most 10 characters: the documented mapping from the project's
// field names (README "Shapefile field names"). Names already short enough stay as they are; a
// DateTime field becomes a Date field under its short name plus the full UTC time as text in
// `<short>_utc` (dBASE has no time of day).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace voirie {

// The table, in documentation order: {project name, Shapefile name}.
const std::vector<std::pair<std::string, std::string>>& shapefileNameTable();

// The Shapefile name of a project field: from the table, else the name cut to 10 characters.
std::string shapefileFieldName(const std::string& field);

// The name of the text field holding a DateTime field's full UTC time.
std::string shapefileTimeFieldName(const std::string& field);

} // namespace voirie
