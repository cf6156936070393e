// User-supplied plugin parameters ("id.key=value"), checked against each plugin's manifest.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/plugin_host/plugin_manifest.hpp"

#include <map>
#include <string>
#include <vector>

namespace voirie {

// Overrides as given on a command line, grouped by plugin id: {"cracks": {"min_len": "40"}}.
using ParameterOverrides = std::map<std::string, std::map<std::string, std::string>>;

// Parses "id.key=value" strings; an error names the malformed one.
Result<ParameterOverrides> parseParameterOverrides(const std::vector<std::string>& assignments);

// Every parameter the manifest declares, defaults replaced by the overrides, each converted to
// its declared type and checked against its range or choices.
Result<std::map<std::string, ParameterValue>>
resolveParameters(const PluginManifest& manifest, const std::map<std::string, std::string>& overrides);

} // namespace voirie
