#include "voirie/core/plugin_host/plugin_parameters.hpp"

#include <charconv>
#include <cmath>

namespace voirie {
namespace {

Result<ParameterValue> convert(const ParameterSpec& spec, const std::string& text,
                               const std::string& where)
{
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    switch (spec.type) {
    case ParameterType::Bool:
        if (text == "true" || text == "1" || text == "yes" || text == "on")
            return ParameterValue(true);
        if (text == "false" || text == "0" || text == "no" || text == "off")
            return ParameterValue(false);
        return fail(where + " must be true or false, not \"" + text + "\"");
    case ParameterType::Int: {
        int64_t v = 0;
        auto [ptr, ec] = std::from_chars(begin, end, v);
        if (ec != std::errc() || ptr != end)
            return fail(where + " must be an integer, not \"" + text + "\"");
        return ParameterValue(v);
    }
    case ParameterType::Double: {
        double v = 0;
        auto [ptr, ec] = std::from_chars(begin, end, v);
        if (ec != std::errc() || ptr != end || !std::isfinite(v))
            return fail(where + " must be a number, not \"" + text + "\"");
        return ParameterValue(v);
    }
    case ParameterType::String: return ParameterValue(text);
    }
    return fail(where + " has an unknown type");
}

std::string formatRange(const ParameterSpec& spec)
{
    return "[" + (spec.min ? formatParameterValue(*spec.min) : std::string("-inf")) + ", " +
           (spec.max ? formatParameterValue(*spec.max) : std::string("inf")) + "]";
}

Status checkRange(const ParameterSpec& spec, const ParameterValue& value, const std::string& where)
{
    double numeric = 0;
    if (auto* i = std::get_if<int64_t>(&value))
        numeric = static_cast<double>(*i);
    else if (auto* d = std::get_if<double>(&value))
        numeric = *d;
    else if (auto* s = std::get_if<std::string>(&value)) {
        if (spec.choices.empty())
            return Ok{};
        for (const auto& c : spec.choices)
            if (c == *s)
                return Ok{};
        std::string allowed;
        for (const auto& c : spec.choices)
            allowed += (allowed.empty() ? "" : ", ") + c;
        return fail(where + " must be one of " + allowed + ", not \"" + *s + "\"");
    } else
        return Ok{};
    if ((spec.min && numeric < *spec.min) || (spec.max && numeric > *spec.max))
        return fail(where + " = " + formatParameterValue(value) + " is outside its range " +
                    formatRange(spec));
    return Ok{};
}

} // namespace

Result<ParameterOverrides> parseParameterOverrides(const std::vector<std::string>& assignments)
{
    ParameterOverrides out;
    for (const auto& a : assignments) {
        auto eq = a.find('=');
        auto dot = a.find('.');
        if (eq == std::string::npos || dot == std::string::npos || dot == 0 || dot + 1 >= eq)
            return fail("--param \"" + a + "\" must look like PLUGIN_ID.NAME=VALUE");
        out[a.substr(0, dot)][a.substr(dot + 1, eq - dot - 1)] = a.substr(eq + 1);
    }
    return out;
}

Result<std::map<std::string, ParameterValue>>
resolveParameters(const PluginManifest& manifest, const std::map<std::string, std::string>& overrides)
{
    std::map<std::string, ParameterValue> values;
    for (const auto& spec : manifest.parameters)
        values[spec.name] = spec.default_value;
    for (const auto& [name, text] : overrides) {
        const ParameterSpec* spec = manifest.findParameter(name);
        if (spec == nullptr) {
            std::string known;
            for (const auto& p : manifest.parameters)
                known += (known.empty() ? "" : ", ") + p.name;
            return fail("plugin '" + manifest.id + "' has no parameter '" + name + "'" +
                        (known.empty() ? " (it takes none)" : " (it has: " + known + ")"));
        }
        const std::string where = "parameter " + manifest.id + "." + name;
        auto value = convert(*spec, text, where);
        if (!value)
            return fail(value.error());
        values[name] = *value;
    }
    for (const auto& spec : manifest.parameters) {
        auto ok = checkRange(spec, values[spec.name], "parameter " + manifest.id + "." + spec.name);
        if (!ok)
            return fail(ok.error());
    }
    return values;
}

} // namespace voirie
