// The pixels of a project's sampled frames, read again from the survey's own files (video frames
// by their index in the file, photos by name, a lens's distortion removed as the analysis did),
// and made fit to show: anonymized by default with
// the same plugins and blur as every image Voirie writes.
#pragma once

#include "project_data.hpp"

#include "voirie/core/ingest/lens_undistortion.hpp"
#include "voirie/core/plugin_host/anonymizer_set.hpp"

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace voirie::gui {

struct FrameImage {
    cv::Mat image;         // BGR; empty when the source could not be read
    std::string problem;   // why not, or what was done instead (one sentence)
    bool anonymized = false;
    int regions_blurred = 0;
};

class FrameSource {
public:
    explicit FrameSource(const ProjectData* project);
    FrameImage read(const FrameRecord& frame, bool anonymize);
    // Which anonymizers blur the frames ("id version, ..."), or why none can.
    std::string anonymizerDescription();

private:
    cv::Mat decode(const FrameRecord& frame, std::string& problem);
    AnonymizerSet* anonymizers(std::string& problem);

    const ProjectData* project_;
    std::optional<LensUndistortion> undistortion_; // the run removed a lens's distortion: so does the view
    std::map<std::string, std::unique_ptr<cv::VideoCapture>> videos_;
    std::optional<AnonymizerSet> anonymizers_;
    std::string anonymizer_problem_;
    bool anonymizers_tried_ = false;
};

} // namespace voirie::gui
