// The detector plugins a command runs: chosen by id (or every usable detector), their parameters
// checked and resolved, one instance per worker created before any frame is read. Used by
// `voirie analyze` (and so the app) and `voirie detect`, beside AnonymizerSet for anonymizers.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/plugin_host/detector_instance.hpp"
#include "voirie/core/plugin_host/plugin_parameters.hpp"
#include "voirie/core/plugin_host/plugin_registry.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

struct DetectorSetOptions {
    std::vector<std::filesystem::path> plugin_dirs;  // searched before the default path
    std::optional<std::vector<std::string>> ids;     // exactly these; else defaultDetectorIds()
    ParameterOverrides parameters;                   // "--param id.key=value", grouped by id
    // Plugins run beside the detectors (the anonymizers): --param may name them too.
    std::vector<std::string> other_plugin_ids;
    int workers = 1;                                 // instances of each detector
};

// The detectors run when a command names none: the usable ones whose manifest says "default"
// (meant for real footage); where none does, every usable detector that needs no parameter.
std::vector<std::string> defaultDetectorIds(const PluginRegistry& registry);

// Why a plugin cannot run with the given --param values (a required parameter unset), one
// sentence; empty when it can.
std::string missingRequiredParameters(const PluginManifest& manifest, const std::map<std::string, std::string>& given);

// "--param names plugin 'x', which is not among the plugins being run" when an override names a
// plugin outside `ids`.
Status checkParameterTargets(const ParameterOverrides& parameters, const std::vector<std::string>& ids);

class DetectorSet {
public:
    // A detector named in `ids` that cannot be loaded, configured or created fails the whole
    // set with its sentence; one merely found on the path is skipped (skipped() says why). Fails
    // when no detector at all can be used, naming the folders searched.
    static Result<DetectorSet> open(const DetectorSetOptions& options);

    // What a command line can get wrong, checked before any library is opened: --param naming a
    // plugin that is not run, or a value its manifest refuses (type, range, choices).
    static Status checkParameters(const DetectorSetOptions& options);

    size_t size() const { return libraries_.size(); }
    size_t workers() const { return per_worker_.size(); }
    // The instances one worker calls, one per detector, in the set's order.
    std::vector<std::unique_ptr<DetectorInstance>>& worker(size_t w) { return per_worker_.at(w); }
    const std::vector<std::shared_ptr<const PluginLibrary>>& libraries() const { return libraries_; }
    const std::vector<std::map<std::string, ParameterValue>>& parameters() const { return parameters_; }
    const std::vector<std::string>& skipped() const { return skipped_; } // one sentence each
    std::vector<std::string> describe() const;                            // "id version"

private:
    std::vector<std::shared_ptr<const PluginLibrary>> libraries_;
    std::vector<std::map<std::string, ParameterValue>> parameters_;
    std::vector<std::vector<std::unique_ptr<DetectorInstance>>> per_worker_; // [worker][detector]
    std::vector<std::string> skipped_;
};

} // namespace voirie
