// SHA-256 of a file, for the provenance of a run (inputs and plugin binaries).
#pragma once

#include "voirie/core/base/result.hpp"

#include <filesystem>
#include <string>

namespace voirie {

// Lower-case hex digest of the whole file, read in chunks (survey videos are gigabytes).
Result<std::string> sha256OfFile(const std::filesystem::path& path);

} // namespace voirie
