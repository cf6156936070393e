// Finds plugins (folders holding plugin.json) on a search path and loads them on first use.
// Every plugin found stays listed: loaded, or failed with the reason in one sentence.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/plugin_host/plugin_library.hpp"
#include "voirie/core/plugin_host/plugin_manifest.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

enum class PluginState { Found, Loaded, Failed };

struct PluginEntry {
    std::filesystem::path location; // the plugin's folder
    std::optional<PluginManifest> manifest;
    PluginState state = PluginState::Found;
    std::string failure;
    std::shared_ptr<const PluginLibrary> library;

    std::string id() const { return manifest ? manifest->id : location.filename().string(); }
};

class PluginRegistry {
public:
    // Folders are searched in order; an id found twice keeps its first folder, and the later
    // one is listed as failed ("duplicate id").
    explicit PluginRegistry(const std::vector<std::filesystem::path>& search_dirs);

    // The plugin folders next to the running binary (../lib/voirie/plugins), after the ones in
    // VOIRIE_PLUGIN_PATH (colon-separated), after `extra_dirs` (e.g. --plugin-dir).
    static std::vector<std::filesystem::path>
    defaultSearchPath(const std::vector<std::filesystem::path>& extra_dirs = {});

    const std::vector<PluginEntry>& entries() const { return entries_; }
    const std::vector<std::filesystem::path>& searchDirs() const { return search_dirs_; }

    // Loads the plugin with this id if not loaded yet; a failure is remembered in its entry.
    Result<std::shared_ptr<const PluginLibrary>> load(const std::string& id);
    void loadAll();

    // The ids of the plugins that are not failed, in discovery order.
    // Ids of the plugins of this kind ("detector" or "anonymizer") that have not failed.
    std::vector<std::string> usableIds(const std::string& kind = "detector") const;

private:
    void scanFolder(const std::filesystem::path& dir);
    void addCandidate(const std::filesystem::path& plugin_dir);
    PluginEntry* find(const std::string& id);

    std::vector<std::filesystem::path> search_dirs_;
    std::vector<PluginEntry> entries_;
};

std::string toString(PluginState state);

} // namespace voirie
