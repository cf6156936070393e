// The recording start time stored in an MP4/MOV container (moov/mvhd creation_time). OpenCV does
// not expose container metadata, and the box layout is small and fixed (ISO/IEC 14496-12).
#pragma once

#include <filesystem>
#include <optional>

namespace voirie {

// UTC Unix seconds, or nothing when the file is not MP4/MOV or the time is unset (zero).
std::optional<double> readMp4CreationTime(const std::filesystem::path& path);

} // namespace voirie
