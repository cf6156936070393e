// One opened plugin binary: Boost.DLL keeps it loaded, the descriptor is checked against the
// manifest. Libraries are never unloaded (a plugin's code may still be referenced by
// thread-locals, atexit handlers or objects it handed out).
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/plugin_host/plugin_manifest.hpp"

#include <voirie/plugin_abi.h>

#include <memory>
#include <mutex>

namespace voirie {

class PluginLibrary {
public:
    // Opens manifest.libraryPath(), finds the entry, and checks the descriptor: API version,
    // kind, and agreement with the manifest (id, version, classes, thread safety).
    static Result<std::shared_ptr<const PluginLibrary>> open(const PluginManifest& manifest);

    const PluginManifest& manifest() const { return manifest_; }
    const voirie_plugin_descriptor& descriptor() const { return *descriptor_; }
    // Serialises every call into a plugin that declares itself thread-unsafe.
    std::mutex& pluginWideMutex() const { return plugin_wide_mutex_; }

    PluginLibrary(PluginManifest manifest, const voirie_plugin_descriptor* descriptor)
        : manifest_(std::move(manifest)), descriptor_(descriptor) {}

private:
    PluginManifest manifest_;
    const voirie_plugin_descriptor* descriptor_;
    mutable std::mutex plugin_wide_mutex_;
};

// "1.0": the host's plugin API version.
std::string hostApiVersion();

// Why a plugin built for API major.minor cannot run in this host, or nothing if it can.
std::optional<std::string> apiIncompatibility(uint32_t major, uint32_t minor);

} // namespace voirie
