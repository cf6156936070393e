// Renders what a forward-facing camera sees from the vehicle: the road plane from the texture
// tiles, a sky and skyline above the horizon, then the camera's own imperfections.
#pragma once

#include "ground_texture.hpp"
#include "road_layout.hpp"

#include "voirie/core/geo/camera_geometry.hpp"

#include <opencv2/core.hpp>

namespace voirie::sample {

struct VehiclePose {
    double time_s = 0;    // since the first video frame
    double s = 0, t = 0;  // road coordinates of the camera's foot point
    double heading_deg = 0;
    double pitch_deg = 0; // the camera's actual pitch (nominal plus suspension bumps)
    WorldPoint world;
};

class FrameRenderer {
public:
    FrameRenderer(const RoadLayout& layout, GroundTexture& texture, const CameraModel& camera, uint64_t seed);
    cv::Mat render(const VehiclePose& pose, int frame_index);

private:
    struct Window { // consecutive tiles of one detail level
        int first_tile = 0, last_tile = -1;
        cv::Mat image;
    };
    void ensureWindow(int level, int first_tile, int last_tile);

    const RoadLayout& layout_;
    GroundTexture& texture_;
    CameraModel camera_;
    uint64_t seed_;
    Window windows_[3];
    cv::Mat vignette_;
    std::vector<cv::Mat> noise_bank_;
};

} // namespace voirie::sample
