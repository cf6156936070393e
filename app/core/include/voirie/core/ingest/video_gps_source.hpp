// Where a video survey's GPS comes from when no --track is given: the videos' own telemetry (all
// chapters of one recording together), else a sidecar file beside the first video with its base
// name. One sentence naming what was looked for when there is neither.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/ingest/embedded_telemetry.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

struct VideoGps {
    std::string format;             // the embedded format (e.g. "GoPro GPMF")
    std::vector<GpsFix> fixes;      // all chapters, in time order
    std::vector<double> file_starts; // each video's first frame on the fixes' clock
    bool utc = true;
    TelemetryCounts counts;
    std::vector<std::string> notes; // per-chapter notes, prefixed with the file name
    std::string describe() const;   // "GoPro GPMF in GH010042.MP4, GH020042.MP4"
    std::vector<std::filesystem::path> videos;
};

// The sidecar extensions looked for, in order (case does not matter).
const std::vector<std::string>& sidecarExtensions();
// A file beside `video` with its base name and one of those extensions.
std::optional<std::filesystem::path> findSidecar(const std::filesystem::path& video);

// nullopt when no video holds telemetry; an error when one does but it is unusable, or when some
// chapters hold it and others do not.
Result<std::optional<VideoGps>> readVideoGps(const std::vector<std::filesystem::path>& videos,
                                             const TelemetryOptions& options = {});

// The refusal when neither telemetry nor a sidecar was found.
std::string noGpsFoundSentence(const std::filesystem::path& video);

} // namespace voirie
