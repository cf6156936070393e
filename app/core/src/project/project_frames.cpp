#include "voirie/core/project/project_frames.hpp"

#include "voirie/core/project/project_reader.hpp"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>

namespace fs = std::filesystem;

namespace voirie {
namespace {

bool isPhoto(const fs::path& file)
{
    std::string e = file.extension().string();
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return e == ".jpg" || e == ".jpeg" || e == ".png" || e == ".tif" || e == ".tiff";
}

} // namespace

// Reads the frames of one video in increasing frame order, decoding what lies between.
class ProjectFrameReader::SequentialVideo {
public:
    explicit SequentialVideo(const fs::path& path) : capture_(path.string(), cv::CAP_FFMPEG) {}
    bool opened() const { return capture_.isOpened(); }
    cv::Mat frame(int64_t index)
    {
        if (index < position_) {
            capture_.set(cv::CAP_PROP_POS_FRAMES, double(index));
            position_ = index;
        }
        while (position_ < index) {
            if (!capture_.grab())
                return {};
            ++position_;
        }
        cv::Mat image;
        if (!capture_.read(image))
            return {};
        ++position_;
        return image;
    }

private:
    cv::VideoCapture capture_;
    int64_t position_ = 0;
};

ProjectFrameReader::ProjectFrameReader(const fs::path& project, const ProjectRun& run)
    : project_(project), undistortion_(LensUndistortion::forRecordedCamera(run.camera_json))
{
    for (const auto& input : run.inputs)
        if (!input.path.empty())
            recorded_[fs::path(input.path).filename().string()] = input.path;
}

ProjectFrameReader::ProjectFrameReader(ProjectFrameReader&&) noexcept = default;
ProjectFrameReader::~ProjectFrameReader() = default;

Result<cv::Mat> ProjectFrameReader::read(const std::string& file, int64_t frame_in_file)
{
    std::error_code ec;
    std::optional<fs::path> path;
    if (auto it = recorded_.find(file); it != recorded_.end() && fs::is_regular_file(it->second, ec))
        path = it->second;
    else if (const fs::path beside = project_.parent_path() / file; fs::is_regular_file(beside, ec))
        path = beside;
    if (!path)
        return fail("the survey file " + file + " is neither where the analysis read it nor beside " + project_.string());
    cv::Mat image;
    if (isPhoto(*path)) {
        image = cv::imread(path->string(), cv::IMREAD_COLOR);
    } else {
        auto& video = videos_[path->string()];
        if (!video) {
            video = std::make_unique<SequentialVideo>(*path);
            if (!video->opened())
                return fail("cannot open the video " + path->string());
        }
        image = video->frame(frame_in_file);
    }
    if (image.empty())
        return fail("cannot decode frame " + std::to_string(frame_in_file) + " of " + path->string() +
                    " again: the footage changed or is damaged since the analysis");
    if (undistortion_)
        image = undistortion_->apply(image);
    return image;
}

} // namespace voirie
