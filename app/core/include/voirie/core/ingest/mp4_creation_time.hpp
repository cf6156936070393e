// The recording start time stored in an MP4/MOV container (moov/mvhd creation_time). OpenCV does
// not expose container metadata, and the box layout is small and fixed (ISO/IEC 14496-12).
#pragma once

#include "voirie/core/ingest/mp4_boxes.hpp"

#include <filesystem>
#include <optional>

namespace voirie {

// The creation time in a movie box's mvhd, for readers that already walk the file.
std::optional<double> readMovieCreationTime(Mp4File& file, const Mp4Box& moov);

// UTC Unix seconds, or nothing when the file is not MP4/MOV or the time is unset (zero).
std::optional<double> readMp4CreationTime(const std::filesystem::path& path);

// True when the file starts as an MP4/MOV container does (an ftyp, moov, mdat, free, skip or wide box):
// tells a recording cut before its index was written from a file that was never a video.
bool startsLikeMp4(const std::filesystem::path& path);

// Records a UTC time (whole seconds) as the container's creation time; false when the file has
// no version-0 mvhd box (as OpenCV's FFmpeg writer produces) or cannot be written.
bool writeMp4CreationTime(const std::filesystem::path& path, double unix_seconds);

} // namespace voirie
