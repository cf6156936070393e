// `voirie plugins validate`: the conformance check a vendor runs before shipping a plugin.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace voirie {

enum class CheckOutcome { Pass, Warn, Fail };

struct ValidationCheck {
    CheckOutcome outcome = CheckOutcome::Pass;
    std::string name;
    std::string detail;
};

struct ValidationReport {
    std::vector<ValidationCheck> checks;
    bool passed() const;
};

// Validates the plugin at `path` (its folder, its plugin.json or its binary). The checks run in
// a child process, so a plugin that crashes is reported as such instead of ending the caller.
// `on_check` is called as each check completes, for live output.
// `parameters` override the manifest's defaults (e.g. the model a plugin needs).
ValidationReport validatePlugin(const std::filesystem::path& path,
                                const std::function<void(const ValidationCheck&)>& on_check = {},
                                const std::map<std::string, std::string>& parameters = {});

std::string toString(CheckOutcome outcome);

} // namespace voirie
