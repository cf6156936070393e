// The folder a plugin's shared library was loaded from: a model shipped with the plugin lies
// beside the binary (in model/), wherever the plugin is installed.
#pragma once

#include <dlfcn.h>

#include <filesystem>

namespace voirie::plugins {

inline std::filesystem::path pluginFolder()
{
    // The address of this inline function lies in the calling plugin's own library: every plugin
    // is a separate module with hidden symbols, so the linker does not share it across plugins.
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&pluginFolder), &info) == 0 || info.dli_fname == nullptr)
        return std::filesystem::current_path();
    return std::filesystem::path(info.dli_fname).parent_path();
}

} // namespace voirie::plugins
