#include "voirie/core/plugin_host/detector_set.hpp"

#include "voirie/core/plugin_host/plugin_registry.hpp"

#include <algorithm>

namespace voirie {

Status checkParameterTargets(const ParameterOverrides& parameters, const std::vector<std::string>& ids)
{
    for (const auto& [id, _] : parameters)
        if (std::find(ids.begin(), ids.end(), id) == ids.end())
            return fail("--param names plugin '" + id + "', which is not among the plugins being run");
    return Ok{};
}

std::vector<std::string> defaultDetectorIds(const PluginRegistry& registry)
{
    std::vector<std::string> marked, runnable;
    for (const auto& entry : registry.entries()) {
        if (!entry.manifest || entry.state == PluginState::Failed || entry.manifest->kind != "detector")
            continue;
        if (entry.manifest->is_default)
            marked.push_back(entry.manifest->id);
        if (entry.manifest->missingRequired({}).empty())
            runnable.push_back(entry.manifest->id);
    }
    return marked.empty() ? runnable : marked;
}

std::string missingRequiredParameters(const PluginManifest& manifest, const std::map<std::string, std::string>& given)
{
    const auto missing = manifest.missingRequired(given);
    if (missing.empty())
        return {};
    const ParameterSpec* spec = manifest.findParameter(missing.front());
    return manifest.id + " needs --param " + manifest.id + "." + missing.front() + "=..." +
           (spec && !spec->description.empty() ? " (" + spec->description + ")" : "") + " to run";
}

namespace {

// The detectors a set is made of: the named ones, or the default ones.
std::vector<std::string> detectorIds(const DetectorSetOptions& options, const PluginRegistry& registry)
{
    return options.ids ? *options.ids : defaultDetectorIds(registry);
}

// The plugins --param may name: the detectors and the plugins run beside them.
std::vector<std::string> parameterTargets(const DetectorSetOptions& options, const PluginRegistry& registry)
{
    std::vector<std::string> targets = detectorIds(options, registry);
    targets.insert(targets.end(), options.other_plugin_ids.begin(), options.other_plugin_ids.end());
    return targets;
}

} // namespace

Status DetectorSet::checkParameters(const DetectorSetOptions& options)
{
    PluginRegistry registry(PluginRegistry::defaultSearchPath(options.plugin_dirs));
    if (auto s = checkParameterTargets(options.parameters, parameterTargets(options, registry)); !s)
        return s;
    for (const auto& [id, values] : options.parameters)
        for (const auto& entry : registry.entries())
            if (entry.manifest && entry.manifest->id == id)
                if (auto resolved = resolveParameters(*entry.manifest, values); !resolved)
                    return fail(resolved.error());
    return Ok{};
}

Result<DetectorSet> DetectorSet::open(const DetectorSetOptions& options)
{
    PluginRegistry registry(PluginRegistry::defaultSearchPath(options.plugin_dirs));
    const bool named = options.ids.has_value();
    const std::vector<std::string> ids = detectorIds(options, registry);
    if (auto s = checkParameterTargets(options.parameters, parameterTargets(options, registry)); !s)
        return fail(s.error());

    const int workers = std::max(1, options.workers);
    DetectorSet set;
    set.per_worker_.resize(size_t(workers));
    for (const auto& id : ids) {
        auto library = registry.load(id);
        Result<std::map<std::string, ParameterValue>> params = fail("");
        const auto given = options.parameters.find(id);
        const std::map<std::string, std::string> values =
            given == options.parameters.end() ? std::map<std::string, std::string>{} : given->second;
        std::string unset;
        if (library) {
            params = resolveParameters((*library)->manifest(), values);
            unset = missingRequiredParameters((*library)->manifest(), values);
        }
        std::string problem = !library ? library.error() : !params ? params.error() : unset;
        std::vector<std::unique_ptr<DetectorInstance>> instances;
        for (int w = 0; problem.empty() && w < workers; ++w) {
            auto instance = DetectorInstance::create(*library, *params);
            if (!instance)
                problem = instance.error();
            else
                instances.push_back(std::move(*instance));
        }
        if (!problem.empty()) {
            if (named)
                return fail(problem);
            set.skipped_.push_back(problem);
            continue;
        }
        set.libraries_.push_back(*library);
        set.parameters_.push_back(*params);
        for (int w = 0; w < workers; ++w)
            set.per_worker_[size_t(w)].push_back(std::move(instances[size_t(w)]));
    }
    if (set.libraries_.empty()) {
        std::string searched;
        for (const auto& d : registry.searchDirs())
            searched += (searched.empty() ? "" : ", ") + d.string();
        return fail("no usable detector plugin was found (searched: " + searched + ")" +
                    (set.skipped_.empty() ? "" : "; " + set.skipped_.front()));
    }
    return set;
}

std::vector<std::string> DetectorSet::describe() const
{
    std::vector<std::string> out;
    for (const auto& l : libraries_)
        out.push_back(l->manifest().id + " " + l->manifest().version);
    return out;
}

} // namespace voirie
