// The damages an export keeps (--class, --min-confidence, --min-severity, --review) as an OGR
// attribute filter, and in words for the summary.
#pragma once

#include "voirie/core/export/project_export.hpp"

#include <string>

namespace voirie {

// A string as an SQL literal ('it''s').
std::string sqlQuoted(const std::string& s);

// The OGR attribute filter of the damages layer; empty when everything is kept.
std::string damageFilter(const ExportOptions& o);

// The filters in words ("classes D40, review not rejected"), "no filter" when none.
std::string describeFilters(const ExportOptions& o);

} // namespace voirie
