// Shared by Voirie's classical detector plugins (cracks, potholes): the part of the frame that
// shows road, and the road-plane geometry of every pixel, computed once per camera and size.
#pragma once

#include <voirie/ground_plane.hpp>
#include <voirie/plugin.hpp>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <vector>

namespace voirie::plugins {

// The camera assumed for frames that come without one (a still photo): a windscreen dash-cam.
inline voirie_camera defaultCamera(int width, int height)
{
    const double f = width / 2.0; // 90 degree horizontal field of view
    return voirie_camera{sizeof(voirie_camera), f, f, width / 2.0, height / 2.0, 1.3, 12.0, 0.0};
}

// Per-pixel forward distance and lateral offset on the road, and the rows worth looking at.
class RoadView {
public:
    RoadView(const voirie_camera& camera, int width, int height, double min_range_m, double max_range_m)
        : plane_(camera), width_(width), height_(height)
    {
        forward_.create(height, width, CV_32F);
        right_.create(height, width, CV_32F);
        top_row_ = height;
        for (int y = 0; y < height; ++y) {
            float* f = forward_.ptr<float>(y);
            float* r = right_.ptr<float>(y);
            for (int x = 0; x < width; ++x) {
                auto g = plane_.pixelToGround(x + 0.5, y + 0.5);
                f[x] = g ? float(g->forward) : -1.f;
                r[x] = g ? float(g->right) : 0.f;
                if (g && g->forward >= min_range_m && g->forward <= max_range_m)
                    top_row_ = std::min(top_row_, y);
            }
        }
        min_range_ = min_range_m;
        max_range_ = max_range_m;
    }

    bool matches(const voirie_camera& c, int width, int height, double min_range, double max_range) const
    {
        const auto& o = plane_.camera();
        return width == width_ && height == height_ && c.fx == o.fx && c.fy == o.fy && c.cx == o.cx && c.cy == o.cy &&
               c.height_m == o.height_m && c.pitch_deg == o.pitch_deg && c.roll_deg == o.roll_deg &&
               min_range == min_range_ && max_range == max_range_;
    }

    // Road pixels between the ranges and inside the lateral corridor [-left_m, right_m].
    cv::Mat corridorMask(double left_m, double right_m) const
    {
        cv::Mat mask(height_, width_, CV_8U, cv::Scalar(0));
        for (int y = top_row_; y < height_; ++y) {
            const float* f = forward_.ptr<float>(y);
            const float* r = right_.ptr<float>(y);
            uchar* m = mask.ptr<uchar>(y);
            for (int x = 0; x < width_; ++x)
                m[x] = (f[x] >= min_range_ && f[x] <= max_range_ && r[x] >= -left_m && r[x] <= right_m) ? 255 : 0;
        }
        return mask;
    }

    int topRow() const { return top_row_; }
    float forward(int x, int y) const { return forward_.at<float>(y, x); }
    float right(int x, int y) const { return right_.at<float>(y, x); }
    // Row pointers into the per-pixel maps, for loops over whole rows.
    const float* forwardRow(int y) const { return forward_.ptr<float>(y); }
    const float* rightRow(int y) const { return right_.ptr<float>(y); }
    const sdk::GroundPlane& plane() const { return plane_; }

private:
    sdk::GroundPlane plane_;
    int width_, height_;
    cv::Mat forward_, right_;
    int top_row_ = 0;
    double min_range_ = 0, max_range_ = 0;
};

// Bright paint (lane and edge lines): much lighter than the typical road on its row. The row's
// median is the reference (a local mean would be dragged down by a pothole or a shadow and make
// the plain asphalt around them look like paint).
inline cv::Mat brightMarkings(const cv::Mat& gray, const cv::Mat& road_mask, int top_row)
{
    cv::Mat mask(gray.size(), CV_8U, cv::Scalar(0));
    for (int y = std::max(0, top_row); y < gray.rows; ++y) {
        const uchar* g = gray.ptr<uchar>(y);
        const uchar* r = road_mask.ptr<uchar>(y);
        int histogram[256] = {}, count = 0;
        for (int x = 0; x < gray.cols; ++x)
            if (r[x])
                ++histogram[g[x]], ++count;
        if (count < 16)
            continue;
        int median = 0, seen = histogram[0]; // the value at index count / 2 in sorted order
        while (seen <= count / 2)
            seen += histogram[++median];
        const int threshold = median + std::max(25, int(0.4 * median));
        uchar* m = mask.ptr<uchar>(y);
        for (int x = 0; x < gray.cols; ++x)
            m[x] = (r[x] && g[x] > threshold) ? 255 : 0;
    }
    // Paint's borders read as dark valleys to line detectors: exclude a margin around it too.
    // Only rows from the top of the road down can hold paint, or be reached by its margin.
    const int from = std::max(0, top_row - 9);
    if (from < mask.rows) {
        cv::Mat rows = mask.rowRange(from, mask.rows);
        cv::dilate(rows, rows, cv::getStructuringElement(cv::MORPH_ELLIPSE, {31, 19}));
    }
    return mask;
}

} // namespace voirie::plugins
