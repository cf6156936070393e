// The cracks plugin's ridge filter: how strongly each pixel lies on a thin dark line, at the
// scale a 3 cm crack has at its distance, and the hysteresis that grows seeds into marks.
#pragma once

#include "../common/road_view.hpp"

#include <opencv2/core.hpp>

namespace voirie::plugins::cracks {

// Dark-ridge strength from the Hessian of the smoothed image: large curvature across a line,
// little along it. Isotropic grain and blobs score low, thin dark lines high. The scale
// follows the distance so a crack's profile fits it near the car and far away.
// The response is divided by the band's own background level (its 90th percentile on the
// road: cracks cover far less than a tenth of it), so thresholds hold across lighting,
// exposure and texture.
cv::Mat ridgeResponse(const cv::Mat& gray, int top, const cv::Mat& road, const sdk::GroundPlane& plane,
                      double min_range, double max_range);

// Scale-normalised ridge strength of each pixel of `strip` at scales `sigma_x` across the
// image and `sigma_y` down it (pixels).
// (Computed at half resolution for the near bands it was 20% faster, and lost transverse
// cracks: the thresholds are tuned to this full-resolution response.)
cv::Mat ridgeStrength(const cv::Mat& strip, double sigma_x, double sigma_y);

// Hysteresis with a short reach: seeds grow through weaker ridge pixels by at most a few
// pixels, so a crack's fainter parts join it but the grain's faint worms do not percolate.
cv::Mat growFromSeeds(const cv::Mat& seeds, const cv::Mat& grow);

} // namespace voirie::plugins::cracks
