#include "voirie/core/ingest/lens_undistortion.hpp"

#include "voirie/core/geo/camera_file.hpp"

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

namespace voirie {

std::optional<LensUndistortion> LensUndistortion::forCamera(const CameraModel& camera)
{
    if (camera.lens.model == LensDistortion::Model::none)
        return std::nullopt;
    LensUndistortion u;
    u.lens_ = camera;
    const cv::Matx33d k(camera.fx, 0, camera.cx, 0, camera.fy, camera.cy, 0, 0, 1);
    const cv::Size size(camera.width, camera.height);
    cv::Mat pinhole_k;
    if (camera.lens.model == LensDistortion::Model::fisheye) {
        const cv::Vec4d d(camera.lens.k[0], camera.lens.k[1], camera.lens.k[2], camera.lens.k[3]);
        // balance 0: the view is cropped to what the lens saw everywhere (no black corners).
        cv::fisheye::estimateNewCameraMatrixForUndistortRectify(k, d, size, cv::Matx33d::eye(), pinhole_k, 0.0);
        cv::fisheye::initUndistortRectifyMap(k, d, cv::Matx33d::eye(), pinhole_k, size, CV_32FC1, u.map_x_, u.map_y_);
    } else {
        const cv::Mat d = (cv::Mat_<double>(1, 5) << camera.lens.k[0], camera.lens.k[1], camera.lens.k[2],
                           camera.lens.k[3], camera.lens.k[4]);
        pinhole_k = cv::getOptimalNewCameraMatrix(k, d, size, 0.0); // alpha 0: only valid pixels
        cv::initUndistortRectifyMap(k, d, cv::Mat(), pinhole_k, size, CV_32FC1, u.map_x_, u.map_y_);
    }
    u.pinhole_ = camera;
    u.pinhole_.lens = {};
    u.pinhole_.fx = pinhole_k.at<double>(0, 0);
    u.pinhole_.fy = pinhole_k.at<double>(1, 1);
    u.pinhole_.cx = pinhole_k.at<double>(0, 2);
    u.pinhole_.cy = pinhole_k.at<double>(1, 2);
    return u;
}

std::optional<LensUndistortion> LensUndistortion::forRecordedCamera(const std::string& camera_json)
{
    const auto j = nlohmann::json::parse(camera_json, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("lens"))
        return std::nullopt;
    auto lens = parseCamera(j["lens"].dump(), "the lens recorded with the run");
    if (!lens)
        return std::nullopt;
    return forCamera(*lens);
}

cv::Mat LensUndistortion::apply(const cv::Mat& image) const
{
    if (image.empty())
        return image;
    cv::Mat sized = image;
    if (image.cols != lens_.width || image.rows != lens_.height)
        cv::resize(image, sized, cv::Size(lens_.width, lens_.height), 0, 0, cv::INTER_AREA);
    cv::Mat out;
    cv::remap(sized, out, map_x_, map_y_, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    return out;
}

nlohmann::ordered_json lensJson(const CameraModel& c)
{
    nlohmann::ordered_json j{{"width", c.width}, {"height", c.height}, {"fx", c.fx},   {"fy", c.fy},
                             {"cx", c.cx},       {"cy", c.cy},         {"height_m", c.height_m},
                             {"pitch_deg", c.pitch_deg}, {"roll_deg", c.roll_deg}};
    if (c.lens.model == LensDistortion::Model::fisheye) {
        j["fisheye"] = {c.lens.k[0], c.lens.k[1], c.lens.k[2], c.lens.k[3]};
    } else if (c.lens.model == LensDistortion::Model::radial_tangential) {
        const char* keys[] = {"k1", "k2", "p1", "p2", "k3"};
        for (size_t i = 0; i < 5; ++i)
            j[keys[i]] = c.lens.k[i];
    }
    return j;
}

} // namespace voirie
