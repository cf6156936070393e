#include "voirie/core/plugin_host/plugin_registry.hpp"

#include <boost/dll/runtime_symbol_info.hpp>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>

namespace voirie {
namespace fs = std::filesystem;
namespace {

bool isSharedLibraryName(const fs::path& p)
{
    const auto ext = p.extension().string();
    return ext == ".so" || ext == ".dylib" || ext == ".dll" || p.filename().string().find(".so.") != std::string::npos;
}

std::vector<fs::path> sortedChildren(const fs::path& dir)
{
    std::vector<fs::path> children;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        children.push_back(it->path());
    std::sort(children.begin(), children.end());
    return children;
}

} // namespace

PluginRegistry::PluginRegistry(const std::vector<fs::path>& search_dirs)
{
    std::set<fs::path> seen;
    for (const auto& dir : search_dirs) {
        std::error_code ec;
        fs::path canonical = fs::weakly_canonical(dir, ec);
        if (ec)
            canonical = dir;
        if (!seen.insert(canonical).second)
            continue;
        search_dirs_.push_back(canonical);
        scanFolder(canonical);
    }
}

std::vector<fs::path> PluginRegistry::defaultSearchPath(const std::vector<fs::path>& extra_dirs)
{
    std::vector<fs::path> dirs = extra_dirs;
    if (const char* env = std::getenv("VOIRIE_PLUGIN_PATH")) {
        std::stringstream list(env);
        std::string item;
        while (std::getline(list, item, ':'))
            if (!item.empty())
                dirs.emplace_back(item);
    }
    boost::system::error_code ec;
    const auto exe = boost::dll::program_location(ec);
    if (!ec)
        dirs.push_back(fs::path(exe.parent_path().string()) / ".." / "lib" / "voirie" / "plugins");
    return dirs;
}

void PluginRegistry::scanFolder(const fs::path& dir)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return;
    if (fs::exists(dir / "plugin.json", ec)) { // the folder is itself one plugin
        addCandidate(dir);
        return;
    }
    for (const auto& child : sortedChildren(dir)) {
        if (fs::is_directory(child, ec)) {
            if (fs::exists(child / "plugin.json", ec)) {
                addCandidate(child);
                continue;
            }
            for (const auto& inner : sortedChildren(child))
                if (isSharedLibraryName(inner)) {
                    PluginEntry entry;
                    entry.location = child;
                    entry.state = PluginState::Failed;
                    entry.failure = "folder " + child.string() + " holds a shared library (" +
                                    inner.filename().string() +
                                    ") but no plugin.json: a plugin is loaded only with its manifest";
                    entries_.push_back(std::move(entry));
                    break;
                }
        } else if (isSharedLibraryName(child)) {
            PluginEntry entry;
            entry.location = child;
            entry.state = PluginState::Failed;
            entry.failure = child.string() + " has no plugin.json beside it: put each plugin in its "
                                             "own folder with its plugin.json";
            entries_.push_back(std::move(entry));
        }
    }
}

void PluginRegistry::addCandidate(const fs::path& plugin_dir)
{
    PluginEntry entry;
    entry.location = plugin_dir;
    auto manifest = readPluginManifest(plugin_dir / "plugin.json");
    if (!manifest) {
        entry.state = PluginState::Failed;
        entry.failure = manifest.error();
        entries_.push_back(std::move(entry));
        return;
    }
    entry.manifest = *manifest;
    if (auto* first = find(manifest->id); first != nullptr && first->manifest) {
        entry.state = PluginState::Failed;
        entry.failure = "plugin '" + manifest->id + "' in " + plugin_dir.string() +
                        " is ignored: duplicate id, already provided by " + first->location.string();
    } else if (auto why = apiIncompatibility(manifest->api_major, manifest->api_minor)) {
        entry.state = PluginState::Failed;
        entry.failure = "plugin '" + manifest->id + "' (" + plugin_dir.string() + ") cannot be used: " + *why;
    }
    entries_.push_back(std::move(entry));
}

PluginEntry* PluginRegistry::find(const std::string& id)
{
    for (auto& e : entries_)
        if (e.manifest && e.manifest->id == id)
            return &e; // the first one wins; later duplicates are failed entries
    return nullptr;
}

Result<std::shared_ptr<const PluginLibrary>> PluginRegistry::load(const std::string& id)
{
    PluginEntry* entry = find(id);
    if (entry == nullptr) {
        std::string known;
        for (const auto& e : entries_)
            if (e.manifest && e.state != PluginState::Failed)
                known += (known.empty() ? "" : ", ") + e.manifest->id;
        return fail("no plugin with id '" + id + "' was found" +
                    (known.empty() ? std::string(" (no usable plugins found)") : " (found: " + known + ")"));
    }
    if (entry->state == PluginState::Failed)
        return fail(entry->failure);
    if (entry->state == PluginState::Loaded)
        return entry->library;
    auto library = PluginLibrary::open(*entry->manifest);
    if (!library) {
        entry->state = PluginState::Failed;
        entry->failure = library.error();
        return fail(library.error());
    }
    entry->state = PluginState::Loaded;
    entry->library = *library;
    return entry->library;
}

void PluginRegistry::loadAll()
{
    for (auto& e : entries_)
        if (e.manifest && e.state == PluginState::Found)
            (void)load(e.manifest->id);
}

std::vector<std::string> PluginRegistry::usableIds(const std::string& kind) const
{
    std::vector<std::string> ids;
    for (const auto& e : entries_)
        if (e.manifest && e.state != PluginState::Failed && e.manifest->kind == kind)
            ids.push_back(e.manifest->id);
    return ids;
}

std::string toString(PluginState state)
{
    switch (state) {
    case PluginState::Found: return "found";
    case PluginState::Loaded: return "loaded";
    case PluginState::Failed: return "failed";
    }
    return "?";
}

} // namespace voirie
