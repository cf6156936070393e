// Stage 2 of `voirie analyze`: what the project records of how it was made - every input file
// and plugin library with its SHA-256, resolved parameters, the camera and the options. Its
// fingerprint decides whether an interrupted run may be resumed.
#pragma once

#include "voirie/core/analysis/analysis_run.hpp"
#include "voirie/core/plugin_host/anonymizer_set.hpp"
#include "voirie/core/plugin_host/detector_set.hpp"
#include "voirie/core/project/project_store.hpp"

namespace voirie {

Result<RunProvenance> buildProvenance(const AnalysisOptions& options, const DetectorSet& detectors,
                                      const AnonymizerSet* anonymizers, SurveyReader& reader);

} // namespace voirie
