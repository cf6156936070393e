#include "frame_source.hpp"

#include <opencv2/imgcodecs.hpp>

namespace voirie::gui {

cv::Mat FrameSource::decode(const FrameRecord& frame, std::string& problem)
{
    const auto file = project_->sourceFile(frame.file);
    if (!file) {
        problem = "the survey file " + frame.file + " is not where the analysis read it, nor beside the project";
        return {};
    }
    const std::string extension = file->extension().string();
    if (extension == ".jpg" || extension == ".jpeg" || extension == ".JPG" || extension == ".JPEG" ||
        extension == ".png" || extension == ".PNG" || extension == ".tif" || extension == ".tiff") {
        cv::Mat image = cv::imread(file->string(), cv::IMREAD_COLOR);
        if (image.empty())
            problem = "cannot read photo " + file->string();
        return image;
    }
    auto& capture = videos_[file->string()];
    if (!capture) {
        capture = std::make_unique<cv::VideoCapture>(file->string(), cv::CAP_FFMPEG);
        if (!capture->isOpened()) {
            capture.reset();
            problem = "cannot open video " + file->string();
            return {};
        }
    }
    // Sequential frames need no seek; seeking is exact to the frame for the files Voirie reads.
    if (int64_t(capture->get(cv::CAP_PROP_POS_FRAMES)) != frame.frame_in_file)
        capture->set(cv::CAP_PROP_POS_FRAMES, double(frame.frame_in_file));
    cv::Mat image;
    if (!capture->read(image) || image.empty())
        problem = "cannot decode frame " + std::to_string(frame.frame_in_file) + " of " + file->string();
    return image;
}

AnonymizerSet* FrameSource::anonymizers(std::string& problem)
{
    if (!anonymizers_tried_) {
        anonymizers_tried_ = true;
        auto set = AnonymizerSet::open({}, std::nullopt, {});
        if (set)
            anonymizers_.emplace(std::move(*set));
        else
            anonymizer_problem_ = set.error();
    }
    if (!anonymizers_)
        problem = anonymizer_problem_;
    return anonymizers_ ? &*anonymizers_ : nullptr;
}

std::string FrameSource::anonymizerDescription()
{
    std::string problem;
    AnonymizerSet* set = anonymizers(problem);
    if (set == nullptr)
        return "no anonymizer: " + problem;
    std::string text;
    for (const auto& a : set->describe())
        text += (text.empty() ? "" : ", ") + a;
    return text;
}

FrameSource::FrameSource(const ProjectData* project) : project_(project)
{
    if (project)
        undistortion_ = LensUndistortion::forRecordedCamera(project->camera_json);
}

FrameImage FrameSource::read(const FrameRecord& frame, bool anonymize)
{
    FrameImage out;
    out.image = decode(frame, out.problem);
    if (undistortion_ && !out.image.empty())
        out.image = undistortion_->apply(out.image);
    if (out.image.empty() || !anonymize)
        return out;
    std::string problem;
    AnonymizerSet* set = anonymizers(problem);
    if (set == nullptr) {
        // Fail closed: nothing personal is shown when no anonymizer can run.
        blurEverything(out.image);
        out.anonymized = true;
        out.problem = "the frame is blurred whole because no anonymizer could run (" + problem + ")";
        return out;
    }
    FrameContext context;
    context.frame_index = frame.index;
    context.time_unix_s = frame.time;
    context.heading_deg = frame.heading_deg;
    context.chainage_m = frame.chainage_m;
    auto regions = set->apply(out.image, context);
    out.anonymized = true;
    if (regions)
        out.regions_blurred = int(regions->size());
    else
        out.problem = "the frame is blurred whole because an anonymizer failed: " + regions.error();
    return out;
}

} // namespace voirie::gui
