// The picture a reviewer sees of a damage: a JPEG crop of its best frame around the detection,
// with the detected shape drawn in the class colour; and how sharp that part of the frame is.
#pragma once

#include "voirie/core/detection.hpp"

#include <opencv2/core.hpp>

#include <vector>

namespace voirie {

// Variance of the Laplacian over the detection's box (higher is sharper; motion blur lowers it).
double boxSharpness(const cv::Mat& image, const PixelBox& box);

// The crop: the box with a margin of 60% of its size on each side, at least 192 x 144 pixels.
std::vector<unsigned char> cutEvidenceChip(const cv::Mat& image, const Detection& detection, int jpeg_quality = 85);

} // namespace voirie
