#include "voirie/core/plugin_host/plugin_library.hpp"

#include <boost/dll/shared_library.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <set>
#include <vector>

namespace voirie {
namespace {

// Every opened library stays loaded for the life of the process (docs/ARCHITECTURE.md, "The plugin boundary": never unload).
void keepLoadedForever(boost::dll::shared_library library)
{
    static std::mutex mutex;
    static auto* libraries = new std::vector<boost::dll::shared_library>();
    std::lock_guard lock(mutex);
    libraries->push_back(std::move(library));
}

std::string joined(std::vector<std::string> items)
{
    std::sort(items.begin(), items.end());
    std::string out;
    for (const auto& i : items)
        out += (out.empty() ? "" : ",") + i;
    return out;
}

ThreadSafety fromAbi(voirie_thread_safety value, bool& valid)
{
    valid = true;
    switch (value) {
    case VOIRIE_THREAD_UNSAFE: return ThreadSafety::Unsafe;
    case VOIRIE_THREAD_INSTANCE_SAFE: return ThreadSafety::InstanceSafe;
    case VOIRIE_THREAD_FULLY_SAFE: return ThreadSafety::FullySafe;
    default: valid = false; return ThreadSafety::Unsafe;
    }
}

// The descriptor must say what the manifest says; otherwise one of them is stale.
std::optional<std::string> disagreement(const voirie_plugin_descriptor& d, const PluginManifest& m)
{
    auto differ = [](const char* what, const std::string& binary, const std::string& manifest) {
        return std::string("its binary and plugin.json disagree on ") + what + ": the binary says \"" +
               binary + "\", plugin.json says \"" + manifest + "\"";
    };
    const std::string id = d.id ? d.id : "";
    if (id != m.id)
        return differ("the id", id, m.id);
    const std::string version = d.version ? d.version : "";
    if (version != m.version)
        return differ("the version", version, m.version);
    if (d.api_major != m.api_major || d.api_minor != m.api_minor)
        return differ("the API version", std::to_string(d.api_major) + "." + std::to_string(d.api_minor),
                      std::to_string(m.api_major) + "." + std::to_string(m.api_minor));
    std::vector<std::string> classes;
    for (uint32_t i = 0; i < d.class_count && d.classes != nullptr; ++i)
        classes.emplace_back(d.classes[i] ? d.classes[i] : "");
    if (joined(classes) != joined(m.classes))
        return differ("the classes", joined(classes), joined(m.classes));
    bool valid = false;
    ThreadSafety safety = fromAbi(d.thread_safety, valid);
    if (!valid)
        return std::string("its binary declares an unknown thread safety value ") +
               std::to_string(d.thread_safety);
    if (safety != m.thread_safety)
        return differ("thread safety", toString(safety), toString(m.thread_safety));
    return std::nullopt;
}

// Boost.DLL reports only an errno-style code; the dynamic loader says what is really wrong
// (not an ELF file, an undefined symbol, a missing dependency).
std::string loaderMessage(const std::filesystem::path& path, const std::string& fallback)
{
    ::dlerror();
    if (void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
        ::dlclose(handle);
        return fallback;
    }
    const char* why = ::dlerror();
    return why ? std::string(why) : fallback;
}

} // namespace

std::string hostApiVersion()
{
    return std::to_string(VOIRIE_API_MAJOR) + "." + std::to_string(VOIRIE_API_MINOR);
}

std::optional<std::string> apiIncompatibility(uint32_t major, uint32_t minor)
{
    const std::string plugin = std::to_string(major) + "." + std::to_string(minor);
    if (major != VOIRIE_API_MAJOR)
        return "it was built for Voirie plugin API " + plugin + " but this Voirie implements API " +
               hostApiVersion() + " (the major versions must match: rebuild the plugin against SDK " +
               std::to_string(VOIRIE_API_MAJOR) + ".x)";
    if (minor > VOIRIE_API_MINOR)
        return "it was built for Voirie plugin API " + plugin +
               ", newer than the API this Voirie implements (" + hostApiVersion() +
               "): update Voirie, or rebuild the plugin against SDK " + hostApiVersion();
    return std::nullopt;
}

Result<std::shared_ptr<const PluginLibrary>> PluginLibrary::open(const PluginManifest& manifest)
{
    const auto path = manifest.libraryPath();
    const std::string named = "plugin '" + manifest.id + "' (" + path.string() + ")";
    if (auto why = apiIncompatibility(manifest.api_major, manifest.api_minor))
        return fail(named + " cannot be used: " + *why);
    std::error_code exists_error;
    if (!std::filesystem::is_regular_file(path, exists_error))
        return fail(named + " cannot be loaded: the library file named by plugin.json does not exist");

    boost::dll::shared_library library;
    boost::system::error_code error;
    library.load(boost::dll::fs::path(path.string()),
                 boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, error);
    if (error || !library.is_loaded())
        return fail(named + " is not a loadable shared library: " + loaderMessage(path, error.message()));
    if (!library.has(VOIRIE_ENTRY_SYMBOL))
        return fail(named + " is a shared library but not a Voirie plugin: it exports no '" +
                    std::string(VOIRIE_ENTRY_SYMBOL) +
                    "' entry function (declare one with VOIRIE_DETECTOR_PLUGIN or VOIRIE_ANONYMIZER_PLUGIN)");

    auto& entry = library.get<const voirie_plugin_descriptor*(uint32_t, uint32_t)>(VOIRIE_ENTRY_SYMBOL);
    const voirie_plugin_descriptor* descriptor = nullptr;
    try {
        descriptor = entry(VOIRIE_API_MAJOR, VOIRIE_API_MINOR);
    } catch (...) {
        return fail(named + " threw an exception from its entry function");
    }
    if (descriptor == nullptr)
        return fail(named + " refused to run in this host (its entry function returned no descriptor "
                            "for plugin API " + hostApiVersion() + ")");
    constexpr size_t kMinimalSize = offsetof(voirie_plugin_descriptor, last_error) +
                                    sizeof(descriptor->last_error);
    if (descriptor->struct_size < kMinimalSize)
        return fail(named + " returned a descriptor of " + std::to_string(descriptor->struct_size) +
                    " bytes, smaller than API 1.0's " + std::to_string(kMinimalSize));
    if (auto why = apiIncompatibility(descriptor->api_major, descriptor->api_minor))
        return fail(named + " cannot be used: " + *why);
    if (descriptor->kind != VOIRIE_KIND_DETECTOR && descriptor->kind != VOIRIE_KIND_ANONYMIZER)
        return fail(named + " declares plugin kind " + std::to_string(descriptor->kind) +
                    ", which this host does not know");
    const std::string kind = descriptor->kind == VOIRIE_KIND_DETECTOR ? "detector" : "anonymizer";
    if (kind != manifest.kind)
        return fail(named + " cannot be used: its binary and plugin.json disagree on the kind: the binary says \"" +
                    kind + "\", plugin.json says \"" + manifest.kind + "\"");
    constexpr size_t kWithAnonymize = offsetof(voirie_plugin_descriptor, anonymize) + sizeof(descriptor->anonymize);
    const bool detects = descriptor->kind == VOIRIE_KIND_DETECTOR && descriptor->detect != nullptr;
    const bool anonymizes = descriptor->kind == VOIRIE_KIND_ANONYMIZER && descriptor->api_minor >= 1 &&
                            descriptor->struct_size >= kWithAnonymize && descriptor->anonymize != nullptr;
    if (!descriptor->create || !descriptor->destroy || !descriptor->last_error || !(detects || anonymizes))
        return fail(named + " returned a descriptor with missing functions");
    if (auto why = disagreement(*descriptor, manifest))
        return fail(named + " cannot be used: " + *why);

    keepLoadedForever(library);
    return std::make_shared<const PluginLibrary>(manifest, descriptor);
}

} // namespace voirie
