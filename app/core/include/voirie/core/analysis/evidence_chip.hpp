// The picture a reviewer sees of a damage: a JPEG crop of its best frame around the detection,
// with the detected shape drawn in the class colour; and how sharp that part of the frame is.
#pragma once

#include "voirie/core/vocabulary/detection.hpp"

#include <opencv2/core.hpp>

#include <vector>

namespace voirie {

// Variance of the Laplacian over the detection's box (higher is sharper; motion blur lowers it).
double boxSharpness(const cv::Mat& image, const PixelBox& box);

// The crop: the box with a margin of 60% of its size on each side, at least 192 x 144 pixels.
std::vector<unsigned char> cutEvidenceChip(const cv::Mat& image, const Detection& detection, int jpeg_quality = 85);

// The part of the frame an anonymizer searches for a chip: the crop grown by 96 px on each side,
// so that a face or plate reaching into the chip lies whole inside (at 1280 px wide, a face or
// plate that large is within about 1.5 m of the camera).
// The detection is returned in the window's pixels.
cv::Rect evidenceWindow(const cv::Mat& image, const Detection& detection);
Detection shiftedInto(const Detection& detection, const cv::Rect& window);

} // namespace voirie
