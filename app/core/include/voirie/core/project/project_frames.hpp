// The pixels of a project's sampled frames, read again from the survey's own files: videos by the
// frame's index in the file (in increasing order decoded straight through, as a reader must),
// photos by name; where the analysis read them, else beside the project (a moved survey folder);
// a lens's distortion removed as the analysis did. For whoever needs the frames after the
// analysis: `voirie ortho`, `voirie dataset`.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/ingest/lens_undistortion.hpp"

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace voirie {

struct ProjectRun;

class ProjectFrameReader {
public:
    // The survey's files as `run` recorded them; the lens of its recorded camera.
    ProjectFrameReader(const std::filesystem::path& project, const ProjectRun& run);
    ProjectFrameReader(ProjectFrameReader&&) noexcept;
    ~ProjectFrameReader();

    // The frame (BGR, undistorted), or a sentence saying which file could not be found or read.
    Result<cv::Mat> read(const std::string& file, int64_t frame_in_file);

private:
    class SequentialVideo;
    std::filesystem::path project_;
    std::map<std::string, std::filesystem::path> recorded_;
    std::optional<LensUndistortion> undistortion_;
    std::map<std::string, std::unique_ptr<SequentialVideo>> videos_;
};

} // namespace voirie
