// The survey-input options shared by `voirie frames` and `voirie analyze`.
#pragma once

#include "cli_support.hpp"

#include "voirie/core/ingest/survey_reader.hpp"

#include <nlohmann/json.hpp>

namespace voirie::cli {

void addSurveyOptions(po::options_description& options);
IngestOptions ingestOptionsFrom(const po::variables_map& vm);

nlohmann::ordered_json summaryJson(const IngestSummary& summary);
// The summary as a few readable lines.
std::string summaryText(const IngestSummary& summary);

} // namespace voirie::cli
