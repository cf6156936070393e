// Stage 5 of `voirie analyze`: the evidence of each finished damage. Its best view is cut once,
// anonymized first (privacy by default; when an anonymizer fails the chip is blurred whole:
// fail closed), encoded as JPEG and, with --chips, also written as a file.
#pragma once

#include "voirie/core/analysis/analysis_run.hpp"
#include "voirie/core/plugin_host/anonymizer_set.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace voirie {

class EvidenceWriter {
public:
    // `anonymizers` null: --no-anonymize. `project_dir` is where chip paths are relative to.
    EvidenceWriter(AnonymizerSet* anonymizers, std::optional<std::filesystem::path> chips_dir,
                   std::filesystem::path project_dir, AnalysisSummary& summary,
                   std::function<void(const std::string&)> warn);

    // Sets the damage's evidence_jpeg (releasing its window) and returns the chip file's path
    // relative to the project ("" without --chips), or why the chip file could not be written.
    Result<std::string> write(Damage& damage);

private:
    void encodeChip(Damage& damage);

    AnonymizerSet* anonymizers_;
    std::optional<std::filesystem::path> chips_dir_;
    std::filesystem::path project_dir_;
    AnalysisSummary& summary_;
    std::function<void(const std::string&)> warn_;
};

} // namespace voirie
