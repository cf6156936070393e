// Stage 1 of `voirie analyze`: where the project goes and what is already there. The run writes
// PROJECT.partial.gpkg beside PROJECT.gpkg and renames it when complete, so PROJECT.gpkg only
// ever holds a finished project; an existing file is kept unless --overwrite, an interrupted run
// is continued only with --resume and only with the same inputs, plugins and options.
#pragma once

#include "voirie/core/analysis/analysis_run.hpp"
#include "voirie/core/project/project_store.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace voirie {

struct OutputPlan {
    std::filesystem::path out;     // PROJECT.gpkg
    std::filesystem::path partial; // PROJECT.partial.gpkg, written while the run works
    bool resuming = false;         // --resume and an interrupted run was found
};

// Checks the output options against the files present; creates the chips folder if asked for.
Result<OutputPlan> planOutput(const AnalysisOptions& options, const std::function<void(const std::string&)>& warn);

struct OpenedProject {
    std::unique_ptr<ProjectStore> store;
    ResumeState resume; // empty unless resuming
};

// Opens the partial project of an interrupted run (its fingerprint must match `provenance`), or
// creates a fresh one.
Result<OpenedProject> openRunProject(const OutputPlan& plan, const Track& track, const RunProvenance& provenance);

// Closes the finished project and renames it into place.
Status moveIntoPlace(std::unique_ptr<ProjectStore> store, const OutputPlan& plan);

} // namespace voirie
