// The cracks plugin's road: the corridor between the edge lines where cracks are looked for,
// and the lane line (paving passes meet along it, so straight marks there are seams).
#pragma once

#include "../common/road_view.hpp"

#include <opencv2/core.hpp>

#include <optional>
#include <vector>

namespace voirie::plugins::cracks {

// Distance bins between the plugin's ranges, for the per-distance edge-line search.
constexpr int kBins = 48;
constexpr uchar kNoBin = 255;

// The distance bin (of kBins between the ranges) of each pixel where markings are looked for
// (`marking_search`), kNoBin elsewhere.
cv::Mat distanceBins(const RoadView& view, const cv::Mat& marking_search, double min_range, double max_range);

// The road between the edge lines: at each distance the corridor (`corridor`, the parameters'
// left_m and right_m) stops short of the nearest bright line beyond the lane (the edge line),
// where one is seen in `markings`; else the parameters hold.
cv::Mat roadCorridor(const RoadView& view, const cv::Mat& corridor, const cv::Mat& bins_of, const cv::Mat& markings,
                     int top, double left_m, double right_m);

// The lane line left of the camera (the centre line in right-hand traffic) on the road
// plane, right = a + b * forward, fitted to the bright marking pixels in range 0.6-3.2 m left
// of the camera (farther is the edge line, as in roadCorridor); none when fewer than 40 are
// seen (a gap between dashes fills the view).
struct LaneLine {
    double a = 0, b = 0;
    double rightAt(double forward) const { return a + b * forward; }
};
std::optional<LaneLine> laneLine(const RoadView& view, const cv::Mat& bins_of, const cv::Mat& markings, int top);

// Whether a mark (its pixels) runs within 40 cm of the lane line, on the road plane.
bool alongTheLaneLine(const std::vector<cv::Point>& pixels, const RoadView& view,
                      const std::optional<LaneLine>& lane_line);

} // namespace voirie::plugins::cracks
