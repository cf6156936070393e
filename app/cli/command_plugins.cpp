// `voirie plugins` and `voirie plugins validate`.
#include "cli_support.hpp"

#include "voirie/core/plugin_host/detector_set.hpp"
#include "voirie/core/plugin_host/plugin_validator.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>

namespace voirie::cli {

int runPlugins(const CommandLine& cl)
{
    po::options_description options("options");
    addPluginDirOption(options);
    options.add_options()("json", "print JSON: {\"search_path\":[...],\"plugins\":[...]}");
    po::variables_map vm;
    if (!parseOptions(cl, "plugins [--plugin-dir DIR] [--json]\n       voirie plugins validate PATH", options, {}, vm))
        return kExitOk;
    auto dirs = vm.count("plugin-dir") ? vm["plugin-dir"].as<std::vector<std::string>>() : std::vector<std::string>{};
    PluginRegistry registry = makeRegistry(dirs);
    registry.loadAll(); // so that a broken binary is reported now, not at first use
    const std::vector<std::string> defaults = defaultDetectorIds(registry);
    auto isDefault = [&](const std::string& id) { return std::find(defaults.begin(), defaults.end(), id) != defaults.end(); };
    // Whether a detector runs without --plugins, and why not.
    auto defaultNote = [&](const PluginManifest& m) -> std::string {
        if (m.kind != "detector")
            return "";
        if (isDefault(m.id))
            return "runs by default (without --plugins)";
        if (const std::string unset = missingRequiredParameters(m, {}); !unset.empty())
            return "not run by default: " + unset;
        return "not run by default: name it (--plugins " + m.id + ")";
    };

    if (vm.count("json")) {
        nlohmann::ordered_json out;
        out["search_path"] = nlohmann::ordered_json::array();
        for (const auto& d : registry.searchDirs())
            out["search_path"].push_back(d.string());
        out["plugins"] = nlohmann::ordered_json::array();
        for (const auto& e : registry.entries()) {
            nlohmann::ordered_json j = e.manifest ? manifestJson(*e.manifest) : nlohmann::ordered_json::object();
            if (!e.manifest)
                j["id"] = e.id();
            if (e.manifest && e.manifest->kind == "detector") {
                j["runs_by_default"] = isDefault(e.manifest->id);
                j["default_note"] = defaultNote(*e.manifest);
            }
            j["state"] = toString(e.state);
            j["location"] = e.location.string();
            if (e.state == PluginState::Failed)
                j["error"] = e.failure;
            out["plugins"].push_back(j);
        }
        std::cout << out.dump(2) << "\n";
        return kExitOk;
    }

    if (registry.entries().empty()) {
        std::cout << "No plugins found. Searched:\n";
        for (const auto& d : registry.searchDirs())
            std::cout << "  " << d.string() << "\n";
        return kExitOk;
    }
    for (const auto& e : registry.entries()) {
        if (e.manifest) {
            const auto& m = *e.manifest;
            std::cout << (e.state == PluginState::Failed ? "✗ " : "✓ ") << m.id << " " << m.version << "  " << m.name
                      << " (" << m.vendor << ", " << m.license << ")\n";
            std::string classes;
            for (const auto& c : m.classes)
                classes += (classes.empty() ? "" : " ") + c;
            std::cout << "    " << m.kind << (m.kind == "anonymizer" ? ", region kinds: " : ", classes: ") << classes
                      << "   thread safety: " << toString(m.thread_safety)
                      << "   API " << m.api_major << "." << m.api_minor << "\n";
            if (const std::string note = defaultNote(m); !note.empty() && e.state != PluginState::Failed)
                std::cout << "    " << note << "\n";
            for (const auto& p : m.parameters)
                std::cout << "    --param " << m.id << "." << p.name << "=" << formatParameterValue(p.default_value)
                          << "  (" << toString(p.type) << ") " << p.description << "\n";
        } else {
            std::cout << "✗ " << e.location.string() << "\n";
        }
        std::cout << "    " << e.location.string() << "\n";
        if (e.state == PluginState::Failed)
            std::cout << "    FAILED: " << e.failure << "\n";
    }
    return kExitOk;
}

int runPluginsValidate(const CommandLine& cl)
{
    po::options_description options("options");
    options.add_options()("path", po::value<std::string>()->required(),
                          "the plugin's folder, its plugin.json or its binary")(
        "param", po::value<std::vector<std::string>>()->composing(),
        "parameter NAME=VALUE or ID.NAME=VALUE for the instances under test (repeatable), e.g. a model");
    po::positional_options_description positional;
    positional.add("path", 1);
    po::variables_map vm;
    if (!parseOptions(cl, "plugins validate PATH [--param NAME=VALUE]", options, positional, vm))
        return kExitOk;
    const std::string path = vm["path"].as<std::string>();
    std::map<std::string, std::string> parameters;
    if (vm.count("param"))
        for (const auto& a : vm["param"].as<std::vector<std::string>>()) {
            const auto eq = a.find('=');
            if (eq == std::string::npos || eq == 0)
                throw UsageError("--param \"" + a + "\" must look like NAME=VALUE");
            std::string name = a.substr(0, eq);
            if (const auto dot = name.find('.'); dot != std::string::npos)
                name = name.substr(dot + 1); // ID.NAME: the id is the plugin under test
            parameters[name] = a.substr(eq + 1);
        }
    std::cout << "Validating " << path << "\n";
    auto report = validatePlugin(
        path,
        [](const ValidationCheck& c) {
            std::cout << "  " << toString(c.outcome) << "  " << c.name << ": " << c.detail << "\n" << std::flush;
        },
        parameters);
    std::cout << (report.passed() ? "PASSED: the plugin conforms to Voirie plugin API "
                                  : "FAILED: fix the checks marked FAIL above (plugin API ")
              << hostApiVersion() << (report.passed() ? "" : ")") << "\n";
    return report.passed() ? kExitOk : kExitFailure;
}

} // namespace voirie::cli
