// What the cracks plugin measures of a mark (a group of ridge pixels): its shape on the road
// plane, straightness, width from the darkness it takes, whether it is a valley (darker than both
// sides) and whether its sides differ (a patch's border), and the dark-line probes the rules use.
#pragma once

#include "../common/road_view.hpp"

#include <opencv2/core.hpp>

#include <array>
#include <optional>
#include <vector>

namespace voirie::plugins::cracks {

struct GroupFeatures {
    std::vector<cv::Point> pixels;
    double length_m = 0, spread_m = 0, hull_area_m2 = 0, angle_deg = 0; // angle from the driving direction
    double straightness = 1;  // residual off the best line, as a share of the length (image space)
    double residual_px = 0;   // the same residual in pixels
    double width_px = 0;   // thickness of the detected ridge (pixels over length): blur widens it
    double dark_width_px = 0, width_mm = 0; // the crack's own width, from the darkness it takes away
    double mean_response = 0;
    double on_outline = 0; // share of the pixels on the outline of their bounding rectangle (patch edges)
    double rect_min_side_m = 0;
    double valley_share = 1; // share of its pixels darker than the road on both sides (not a step edge)
    double side_contrast = 0; // how the surfaces on its two sides differ, over its depth (a patch's side)
    double line_share = 0; // share of its pixels along one (wandering) line: a crack, not a network
    bool straight_artifact = false; // a joint, a seam, a shadow's or a marking's edge
    int pieces = 1;
    cv::Point2f axis_origin, axis_direction;
};

// How far beside a mark's axis its sides are sampled, in pixels: clear of the ridge's own
// thickness (which blur widens), at least 3.
float sideDistance(const GroupFeatures& f);

// Share of `points` within 8 cm of the outline of the rectangle `corners` (in order; points and
// corners in cm on the road), or 0 unless they lie along `sides` of its sides or more (each with
// at least 15% of them).
double outlineShare(const std::vector<cv::Point2f>& points, const std::array<cv::Point2f, 4>& corners, int sides);

// Share of a mark's pixels within 6 cm on the road of one line along its principal axis, allowed
// to wander: the axis is cut into four stretches, and in each the densest 12 cm band across it
// counts. `along` and `across` are the pixels' ground coordinates on the axis, in metres.
// Forked cracks along and across the road: 0.7-0.9; alligator networks: 0.25-0.43 (the middle
// half of 190 views on seeds 1, 7, 11), 0.63 at the 95th percentile.
double shareAlongOneLine(const std::vector<float>& along, const std::vector<float>& across);

// Measures a mark on the ground plane: principal axis, extents (robust percentiles), hull area,
// the share along one line, how it hugs a rectangle's outline (a patch), its angle to the
// driving direction and its straightness in the image. False when shorter than `min_length` m.
bool describe(GroupFeatures& f, const cv::Mat& response, const RoadView& view, double min_length);

// A crack's width from the darkness it takes from the road, which blur and compression
// spread but do not change: across the mark at up to 40 places, the deficit below the
// road's level on either side, summed over the profile, over how much darker than the road
// a crack's inside is (kCrackDarkness: in shadow, dirty, often near black). The median, in
// pixels across the image line, then in millimetres on the road at the crack's place. The
// ridge's own thickness would count the blur: a 6 mm crack five metres ahead covers under a
// pixel but its ridge three or four.
void measureWidth(GroupFeatures& f, const cv::Mat& gray, const RoadView& view);

// A crack is darker than the road on both of its sides; the Hessian also answers on the dark
// side of a step (a shadow's edge, a patch's border, the foot of a kerb), which is no darker
// than the road beyond it. Share of up to 60 of the mark's pixels that sit in a valley
// across the mark's axis, or along it where a wandering crack turns.
double valleyShare(const GroupFeatures& f, const cv::Mat& gray);

// A patch's sealed side is a dark line between two surfaces, the patch and the road, which
// differ in shade; a crack has the same road on both sides. Over up to 60 of the mark's
// pixels: the difference between the road two side-distances off the line on either side
// (five pixels along it, averaged), summed, over the line's summed depth below the lighter
// side.
double sideContrast(const GroupFeatures& f, const cv::Mat& gray);

// Whether the line through p is darker than both points `side` pixels away along `normal`
// (3x3 means), by at least 5% (4 levels); nothing when a sample is off the image.
std::optional<bool> darkerThanSides(const cv::Mat& gray, cv::Point2f p, cv::Point2f normal, float side);

// Mean of the 3x3 pixels around p, or -1 off the image.
double meanAround(const cv::Mat& gray, cv::Point2f p);

// Whether the image holds a dark line from `start` along `direction` (unit) between the
// distances `from` and `to` in pixels: darker than both of its sides, `side` pixels away,
// at 60% of the samples (at least 5).
bool darkLineFrom(const cv::Mat& gray, int top_row, cv::Point2f start, cv::Point2f direction, double from,
                  double to, float side);

// Where a dark line from `start` along `direction` ends (gaps of up to 6 px are crossed).
cv::Point2f followDarkLine(const cv::Mat& gray, cv::Point2f start, cv::Point2f direction, double reach, float side);

} // namespace voirie::plugins::cracks
