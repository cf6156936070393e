// An instance of one of Voirie's built-in detector plugins (from the build's plugin folder),
// created through the same registry, parameter resolution and ABI as the application uses.
#pragma once

#include "voirie/core/plugin_host/detector_instance.hpp"
#include "voirie/core/plugin_host/plugin_parameters.hpp"
#include "voirie/core/plugin_host/plugin_registry.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace voirie::test {

inline const std::filesystem::path kBuiltinPlugins = VOIRIE_BUILTIN_PLUGIN_DIR;

// Null with the reason in *error when the plugin cannot load, a parameter is refused or the
// plugin refuses to create an instance.
inline std::unique_ptr<DetectorInstance> makeBuiltinDetector(const std::string& id,
                                                             const std::map<std::string, std::string>& params,
                                                             std::string* error = nullptr)
{
    PluginRegistry registry({kBuiltinPlugins});
    auto lib = registry.load(id);
    if (!lib) {
        if (error)
            *error = lib.error();
        return nullptr;
    }
    auto values = resolveParameters((*lib)->manifest(), params);
    if (!values) {
        if (error)
            *error = values.error();
        return nullptr;
    }
    auto instance = DetectorInstance::create(*lib, *values);
    if (!instance) {
        if (error)
            *error = instance.error();
        return nullptr;
    }
    return std::move(*instance);
}

} // namespace voirie::test
