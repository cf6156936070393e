#include "voirie/core/ingest/lens_undistortion.hpp"

#include "voirie/core/geo/camera_file.hpp"

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

namespace voirie {

namespace {

cv::Matx33d intrinsics(const CameraModel& c) { return {c.fx, 0, c.cx, 0, c.fy, c.cy, 0, 0, 1}; }
cv::Vec4d fisheyeCoefficients(const CameraModel& c) { return {c.lens.k[0], c.lens.k[1], c.lens.k[2], c.lens.k[3]}; }
cv::Mat radialTangentialCoefficients(const CameraModel& c)
{
    return (cv::Mat_<double>(1, 5) << c.lens.k[0], c.lens.k[1], c.lens.k[2], c.lens.k[3], c.lens.k[4]);
}

} // namespace

CameraModel undistortedPinhole(const CameraModel& camera)
{
    if (camera.lens.model == LensDistortion::Model::none)
        return camera;
    const cv::Size size(camera.width, camera.height);
    cv::Mat pinhole_k;
    if (camera.lens.model == LensDistortion::Model::fisheye) // balance 0: cropped to what the lens saw everywhere
        cv::fisheye::estimateNewCameraMatrixForUndistortRectify(intrinsics(camera), fisheyeCoefficients(camera), size,
                                                                cv::Matx33d::eye(), pinhole_k, 0.0);
    else // alpha 0: only valid pixels
        pinhole_k = cv::getOptimalNewCameraMatrix(intrinsics(camera), radialTangentialCoefficients(camera), size, 0.0);
    CameraModel pinhole = camera;
    pinhole.lens = {};
    pinhole.fx = pinhole_k.at<double>(0, 0);
    pinhole.fy = pinhole_k.at<double>(1, 1);
    pinhole.cx = pinhole_k.at<double>(0, 2);
    pinhole.cy = pinhole_k.at<double>(1, 2);
    return pinhole;
}

std::optional<LensUndistortion> LensUndistortion::forCamera(const CameraModel& camera)
{
    if (camera.lens.model == LensDistortion::Model::none)
        return std::nullopt;
    LensUndistortion u;
    u.lens_ = camera;
    u.pinhole_ = undistortedPinhole(camera);
    const cv::Matx33d pinhole_k = intrinsics(u.pinhole_);
    const cv::Size size(camera.width, camera.height);
    if (camera.lens.model == LensDistortion::Model::fisheye)
        cv::fisheye::initUndistortRectifyMap(intrinsics(camera), fisheyeCoefficients(camera), cv::Matx33d::eye(), pinhole_k,
                                             size, CV_32FC1, u.map_x_, u.map_y_);
    else
        cv::initUndistortRectifyMap(intrinsics(camera), radialTangentialCoefficients(camera), cv::Mat(), pinhole_k, size,
                                    CV_32FC1, u.map_x_, u.map_y_);
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
