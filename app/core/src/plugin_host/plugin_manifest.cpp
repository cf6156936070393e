#include "voirie/core/plugin_host/plugin_manifest.hpp"

#include "voirie/core/vocabulary/damage_classes.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace voirie {
namespace {

using nlohmann::json;

// Reads a required string field, or explains what is wrong with it.
Result<std::string> requiredString(const json& doc, const char* key)
{
    auto it = doc.find(key);
    if (it == doc.end())
        return fail(std::string("has no \"") + key + "\"");
    if (!it->is_string() || it->get<std::string>().empty())
        return fail(std::string("\"") + key + "\" must be a non-empty string");
    return it->get<std::string>();
}

std::string optionalString(const json& doc, const char* key)
{
    auto it = doc.find(key);
    return (it != doc.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

Result<ParameterValue> jsonToValue(const json& v, ParameterType type, const std::string& where)
{
    switch (type) {
    case ParameterType::Bool:
        if (v.is_boolean())
            return ParameterValue(v.get<bool>());
        break;
    case ParameterType::Int:
        if (v.is_number_integer())
            return ParameterValue(v.get<int64_t>());
        break;
    case ParameterType::Double:
        if (v.is_number())
            return ParameterValue(v.get<double>());
        break;
    case ParameterType::String:
        if (v.is_string())
            return ParameterValue(v.get<std::string>());
        break;
    }
    return fail(where + " does not match the parameter's type " + toString(type));
}

Result<ParameterSpec> readParameter(const json& p, size_t index)
{
    const std::string where = "parameter #" + std::to_string(index + 1);
    if (!p.is_object())
        return fail(where + " is not an object");
    auto name = requiredString(p, "name");
    if (!name)
        return fail(where + " " + name.error());
    ParameterSpec spec;
    spec.name = *name;
    const std::string named = "parameter '" + spec.name + "'";
    auto type = requiredString(p, "type");
    if (!type)
        return fail(named + " " + type.error());
    if (*type == "bool")
        spec.type = ParameterType::Bool;
    else if (*type == "int")
        spec.type = ParameterType::Int;
    else if (*type == "double")
        spec.type = ParameterType::Double;
    else if (*type == "string")
        spec.type = ParameterType::String;
    else
        return fail(named + " has unknown type \"" + *type + "\" (expected bool, int, double or string)");
    if (!p.contains("default"))
        return fail(named + " has no \"default\"");
    auto def = jsonToValue(p["default"], spec.type, named + "'s default");
    if (!def)
        return fail(def.error());
    spec.default_value = *def;
    for (const char* bound : {"min", "max"}) {
        if (!p.contains(bound))
            continue;
        if (!p[bound].is_number())
            return fail(named + "'s \"" + bound + "\" must be a number");
        if (spec.type != ParameterType::Int && spec.type != ParameterType::Double)
            return fail(named + " has a \"" + bound + "\" but is not numeric");
        (std::string(bound) == "min" ? spec.min : spec.max) = p[bound].get<double>();
    }
    if (spec.min && spec.max && *spec.min > *spec.max)
        return fail(named + " has min greater than max");
    if (p.contains("choices")) {
        if (spec.type != ParameterType::String || !p["choices"].is_array())
            return fail(named + "'s \"choices\" must be an array and only for string parameters");
        for (const auto& c : p["choices"]) {
            if (!c.is_string())
                return fail(named + "'s \"choices\" must all be strings");
            spec.choices.push_back(c.get<std::string>());
        }
    }
    spec.description = optionalString(p, "description");
    if (p.contains("required")) {
        if (!p["required"].is_boolean())
            return fail(named + "'s \"required\" must be true or false");
        spec.required = p["required"].get<bool>();
    }
    return spec;
}

Result<PluginManifest> parseManifest(const json& doc, const std::filesystem::path& path)
{
    if (!doc.is_object())
        return fail("is not a JSON object");
    PluginManifest m;
    m.path = path;
    for (auto [field, key] : {std::pair{&m.id, "id"}, {&m.name, "name"}, {&m.vendor, "vendor"},
                              {&m.version, "version"}, {&m.license, "license"}}) {
        auto value = requiredString(doc, key);
        if (!value)
            return fail(value.error());
        *field = *value;
    }
    if (!std::regex_match(m.id, std::regex("[a-z0-9][a-z0-9._-]*")))
        return fail("\"id\" \"" + m.id + "\" must be lower-case letters, digits, '.', '_' or '-'");

    auto api = requiredString(doc, "api_version");
    if (!api)
        return fail(api.error());
    std::smatch match;
    if (!std::regex_match(*api, match, std::regex(R"((\d+)\.(\d+))")))
        return fail("\"api_version\" \"" + *api + "\" must look like MAJOR.MINOR, e.g. \"1.0\"");
    m.api_major = static_cast<uint32_t>(std::stoul(match[1]));
    m.api_minor = static_cast<uint32_t>(std::stoul(match[2]));

    m.kind = optionalString(doc, "kind");
    if (m.kind.empty())
        m.kind = "detector";
    if (m.kind != "detector" && m.kind != "anonymizer")
        return fail("\"kind\" \"" + m.kind + "\" is not a plugin kind this host knows (detector, anonymizer)");
    const bool anonymizer = m.kind == "anonymizer";

    m.library = optionalString(doc, "library");
    if (m.library.empty())
        m.library = m.id + ".so";
    if (std::filesystem::path(m.library).has_parent_path())
        return fail("\"library\" must be a file name beside plugin.json, not a path");

    // A detector's classes are damage codes; an anonymizer's are the kinds of region it finds.
    auto classes = doc.find("classes");
    if (classes == doc.end() || !classes->is_array() || classes->empty())
        return fail(anonymizer ? "\"classes\" must be a non-empty array of region kinds (face, plate, person, vehicle)"
                               : "\"classes\" must be a non-empty array of class codes");
    std::set<std::string> seen;
    for (const auto& c : *classes) {
        if (anonymizer && (!c.is_string() || !isRegionKind(c.get<std::string>())))
            return fail("\"classes\" holds " + c.dump() + ", not a region kind (face, plate, person, vehicle)");
        if (!anonymizer && (!c.is_string() || !isKnownDamageClass(c.get<std::string>())))
            return fail("\"classes\" holds " + c.dump() +
                        ", not a Voirie class code (D00 D10 D20 D40 D43 D44 D50 repair)");
        if (!seen.insert(c.get<std::string>()).second)
            return fail("\"classes\" lists " + c.dump() + " twice");
        m.classes.push_back(c.get<std::string>());
    }

    auto safety = requiredString(doc, "thread_safety");
    if (!safety)
        return fail(safety.error());
    if (*safety == "unsafe")
        m.thread_safety = ThreadSafety::Unsafe;
    else if (*safety == "instance-safe")
        m.thread_safety = ThreadSafety::InstanceSafe;
    else if (*safety == "fully-safe")
        m.thread_safety = ThreadSafety::FullySafe;
    else
        return fail("\"thread_safety\" \"" + *safety +
                    "\" must be \"unsafe\", \"instance-safe\" or \"fully-safe\"");

    if (doc.contains("parameters")) {
        if (!doc["parameters"].is_array())
            return fail("\"parameters\" must be an array");
        std::set<std::string> names;
        for (size_t i = 0; i < doc["parameters"].size(); ++i) {
            auto spec = readParameter(doc["parameters"][i], i);
            if (!spec)
                return fail(spec.error());
            if (!names.insert(spec->name).second)
                return fail("parameter '" + spec->name + "' is declared twice");
            m.parameters.push_back(std::move(*spec));
        }
    }
    m.description = optionalString(doc, "description");
    if (doc.contains("default")) {
        if (!doc["default"].is_boolean())
            return fail("\"default\" must be true or false");
        m.is_default = doc["default"].get<bool>();
    }
    return m;
}

} // namespace

std::vector<std::string> PluginManifest::missingRequired(const std::map<std::string, std::string>& given) const
{
    std::vector<std::string> missing;
    for (const auto& p : parameters)
        if (p.required && (given.find(p.name) == given.end() || given.at(p.name).empty()))
            missing.push_back(p.name);
    return missing;
}

const ParameterSpec* PluginManifest::findParameter(const std::string& wanted) const
{
    for (const auto& p : parameters)
        if (p.name == wanted)
            return &p;
    return nullptr;
}

Result<PluginManifest> readPluginManifest(const std::filesystem::path& manifest_path)
{
    std::ifstream in(manifest_path);
    if (!in)
        return fail("plugin manifest " + manifest_path.string() + " cannot be read");
    json doc;
    try {
        doc = json::parse(in);
    } catch (const json::parse_error& e) {
        return fail("plugin manifest " + manifest_path.string() + " is not valid JSON: " + e.what());
    }
    auto manifest = parseManifest(doc, manifest_path);
    if (!manifest)
        return fail("plugin manifest " + manifest_path.string() + " " + manifest.error());
    return manifest;
}

std::string toString(ThreadSafety safety)
{
    switch (safety) {
    case ThreadSafety::Unsafe: return "unsafe";
    case ThreadSafety::InstanceSafe: return "instance-safe";
    case ThreadSafety::FullySafe: return "fully-safe";
    }
    return "unsafe";
}

std::string toString(ParameterType type)
{
    switch (type) {
    case ParameterType::Bool: return "bool";
    case ParameterType::Int: return "int";
    case ParameterType::Double: return "double";
    case ParameterType::String: return "string";
    }
    return "?";
}

std::string formatParameterValue(const ParameterValue& value)
{
    return std::visit(
        [](const auto& v) -> std::string {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, bool>)
                return v ? "true" : "false";
            else if constexpr (std::is_same_v<V, std::string>)
                return v;
            else if constexpr (std::is_same_v<V, double>) {
                std::ostringstream out;
                out << v;
                return out.str();
            } else
                return std::to_string(v);
        },
        value);
}

nlohmann::ordered_json manifestJson(const PluginManifest& m)
{
    nlohmann::ordered_json j;
    j["id"] = m.id;
    j["name"] = m.name;
    j["vendor"] = m.vendor;
    j["version"] = m.version;
    j["api_version"] = std::to_string(m.api_major) + "." + std::to_string(m.api_minor);
    j["kind"] = m.kind;
    j["classes"] = m.classes;
    j["thread_safety"] = toString(m.thread_safety);
    j["license"] = m.license;
    j["library"] = m.libraryPath().string();
    j["default"] = m.is_default;
    auto& params = j["parameters"] = nlohmann::ordered_json::array();
    for (const auto& p : m.parameters) {
        nlohmann::ordered_json pj;
        pj["name"] = p.name;
        pj["type"] = toString(p.type);
        std::visit([&](const auto& v) { pj["default"] = v; }, p.default_value);
        if (p.min)
            pj["min"] = *p.min;
        if (p.max)
            pj["max"] = *p.max;
        if (!p.choices.empty())
            pj["choices"] = p.choices;
        pj["description"] = p.description;
        if (p.required)
            pj["required"] = true;
        params.push_back(pj);
    }
    return j;
}


} // namespace voirie
