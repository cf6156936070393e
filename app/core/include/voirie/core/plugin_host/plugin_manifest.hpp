// plugin.json: what a plugin is, read and validated before its binary is ever opened.
#pragma once

#include "voirie/core/base/result.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace voirie {

enum class ThreadSafety { Unsafe, InstanceSafe, FullySafe };
enum class ParameterType { Bool, Int, Double, String };

using ParameterValue = std::variant<bool, int64_t, double, std::string>;

struct ParameterSpec {
    std::string name;
    ParameterType type = ParameterType::Double;
    ParameterValue default_value;
    std::optional<double> min, max;      // numeric parameters only
    std::vector<std::string> choices;     // string parameters: allowed values, empty = any
    std::string description;
    bool required = false;                // "required": the plugin cannot run until it is set (a model file)
};

struct PluginManifest {
    std::filesystem::path path; // the plugin.json itself
    std::string id;
    std::string name;
    std::string vendor;
    std::string version;
    uint32_t api_major = 0;
    uint32_t api_minor = 0;
    std::string kind = "detector";
    std::string library; // file name of the binary, relative to the manifest's folder
    std::vector<std::string> classes;
    std::vector<ParameterSpec> parameters;
    ThreadSafety thread_safety = ThreadSafety::Unsafe;
    std::string license;
    std::string description;
    // "default": a detector meant for real footage, run when a command names no plugins.
    bool is_default = false;

    std::filesystem::path libraryPath() const { return path.parent_path() / library; }
    const ParameterSpec* findParameter(const std::string& name) const;
    // The required parameters `given` (NAME -> value, as --param gives them) leaves unset.
    std::vector<std::string> missingRequired(const std::map<std::string, std::string>& given) const;
};

Result<PluginManifest> readPluginManifest(const std::filesystem::path& manifest_path);

std::string toString(ThreadSafety safety);
std::string toString(ParameterType type);
std::string formatParameterValue(const ParameterValue& value);

// The manifest as `voirie plugins --json` and the app's plugins window show it.
nlohmann::ordered_json manifestJson(const PluginManifest& manifest);

} // namespace voirie
