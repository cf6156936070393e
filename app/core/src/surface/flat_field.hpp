// The camera's own brightness across the road region: vignetting darkens the image's corners (a
// third on a wide dash-cam), so the near sides of every ground patch are darker than its middle,
// and the mosaic shows a step wherever one frame's piece meets the next. Averaged over a survey's
// frames the road's texture evens out and what is left is that field; each patch is divided by
// it (smoothed, normalised to its mean) before it is blended.
#pragma once

#include <opencv2/core.hpp>

#include <cstdint>

namespace voirie::surface {

// Sums a survey's patches in grey (CV_32F, the patch's size) and gives the gain that flattens them.
class FlatField {
public:
    void add(const cv::Mat& patch);
    // Per patch pixel (CV_32F): what to multiply a patch by; 1 everywhere with too few frames
    // (fewer than 20: the texture would not even out) and where `valid` is 0.
    cv::Mat gain(const cv::Mat& valid) const;
    int64_t frames() const { return frames_; }

private:
    cv::Mat sum_;
    int64_t frames_ = 0;
};

// Multiplies a BGR patch by a gain (CV_32F, the patch's size; one channel, or three to spare
// merging it for every patch).
cv::Mat applyGain(const cv::Mat& patch, const cv::Mat& gain);

} // namespace voirie::surface
