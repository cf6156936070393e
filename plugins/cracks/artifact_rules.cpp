#include "artifact_rules.hpp"

#include <algorithm>
#include <cmath>

namespace voirie::plugins::cracks {

// Whether `test(end, outwards, reach, side)` holds at one of the mark's two ends: the end on
// its axis, the direction out of the mark, how far on to look and how far away its sides lie
// (in pixels).
template <class EndTest>
bool ArtifactRules::atAnEnd(const GroupFeatures& f, const EndTest& test) const
{
    const float side = sideDistance(f);
    // The ends of the mark's line: pixels off it by more than a side-distance (a piece of a
    // patch's far edge beyond its corner) would carry an end past the corner, where nothing
    // turns.
    double lo = 1e9, hi = -1e9;
    for (const auto& p : f.pixels) {
        const cv::Point2f d = cv::Point2f(p) - f.axis_origin;
        if (std::abs(d.x * -f.axis_direction.y + d.y * f.axis_direction.x) > side)
            continue;
        const double a = d.dot(f.axis_direction);
        lo = std::min(lo, a), hi = std::max(hi, a);
    }
    if (lo > hi)
        return false;
    const double reach = std::clamp(0.5 * (hi - lo), 15.0, 120.0);
    for (const double sign : {-1.0, 1.0})
        if (test(f.axis_origin + f.axis_direction * float(sign < 0 ? lo : hi), f.axis_direction * float(sign),
                 reach, side))
            return true;
    return false;
}

// A straight mark is a joint, a seam, or the edge of a shadow or a marking, unless it runs
// across the road and ends there. Along the road, straight marks are seams, kerb shadows and
// line edges far more often than cracks, unless they wander, end and keep off the lane line
// (a straight crack, wide or thin, that a driver sees is no seam). Across it, perspective
// squeezes a transverse crack's wander into a pixel or two, so straightness alone would
// reject every one of them.
bool ArtifactRules::straightArtifact(const GroupFeatures& f, const cv::Mat& gray, const cv::Mat& road) const
{
    // Along the road, a nearly straight mark whose end turns one way into a line across the
    // road is a patch's side edge (its sealed border has corners). Seen as one piece with
    // the near edge, the corner bends the side's line: a clean road's patch at 2.6 times the
    // tolerance, a true crack with a corner-like end at 2.9 (seeds 7, 13).
    constexpr double kCornerWobble = 2.75;
    if (f.angle_deg < 45) {
        if (f.straightness >= kCornerWobble * straight_tolerance_ || wideCrackThatEnds(f, gray))
            return false;
        if (endsAtACorner(f, gray, road))
            return true;
        if (f.straightness >= straight_tolerance_)
            return false;
        // Straight along the road: a seam, or a patch's side whose corner was not seen, is
        // ruled (within 0.6 px of its line, or a quarter of the tolerance: a long side near
        // the car, whose pixel of wander compression makes);
        // a crack that wanders more than that and ends on plain road at both ends is a crack,
        // unless it lies along the lane line, where paving passes meet.
        constexpr double kRuledResidualPx = 0.6, kRuledStraightness = 0.25;
        return f.residual_px < kRuledResidualPx || f.straightness < kRuledStraightness * straight_tolerance_ ||
               alongTheLaneLine(f.pixels, view_, lane_line_) ||
               atAnEnd(f, [&](cv::Point2f end, cv::Point2f out, double reach, float side) {
                   return darkLineFrom(gray, view_.topRow(), end, out, 4, reach, side);
               });
    }
    // Short pieces of a joint (cut by markings) wobble more in the image than a long one.
    // A straight line across a whole lane and more is a joint or a pole's shadow even where
    // an end leaves the picture.
    return f.straightness < 2.5 * straight_tolerance_ &&
           (f.length_m > straight_transverse_max_ || continuesBeyondEnds(f, gray, road));
}

// A straight dark mark whose line goes on, still darker than both its sides, past one of
// the ends where the ridge detector lost it is a sawn joint, a seam or a pole's shadow:
// those run from edge to edge and beyond the road. A straight mark across the road whose end
// turns into a dark line along the road is the corner of a patch's sealed border. A crack
// ends: past its ends the road is plain.
bool ArtifactRules::continuesBeyondEnds(const GroupFeatures& f, const cv::Mat& gray, const cv::Mat& road) const
{
    return atAnEnd(f, [&](cv::Point2f end, cv::Point2f out, double reach, float side) {
        return darkLineFrom(gray, view_.topRow(), end, out, 4, reach, side) || turnsAtEnd(f, gray, road, end, out, reach, side);
    });
}

// A straight mark along the road that is dark and wide (mean ridge 9 times the grain's
// level, a crack seeds at 6.5; over 3 pixels of darkness across) and whose line stops at
// both ends is an open longitudinal crack of high severity: seams and joints are thin and
// run on out of sight. Of the straight marks along the road of seeds 1, 7, 11 and the clean
// roads 13, 33: 9 views of 6 such cracks pass, and none of 1,200 others that is a valley
// (two step edges, dark on one side only, are dropped as such later).
bool ArtifactRules::wideCrackThatEnds(const GroupFeatures& f, const cv::Mat& gray) const
{
    constexpr double kWideResponse = 9, kWideDarkPixels = 3.0;
    if (f.mean_response < kWideResponse || f.dark_width_px < kWideDarkPixels)
        return false;
    return !atAnEnd(f, [&](cv::Point2f end, cv::Point2f out, double reach, float side) {
        return darkLineFrom(gray, view_.topRow(), end, out, 4, reach, side);
    });
}

bool ArtifactRules::endsAtACorner(const GroupFeatures& f, const cv::Mat& gray, const cv::Mat& road) const
{
    return atAnEnd(f, [&](cv::Point2f end, cv::Point2f out, double reach, float side) {
        return turnsAtEnd(f, gray, road, end, out, reach, side);
    });
}

// Whether the dark line of a mark, followed on from `end` along `out`, turns one way into a
// dark line at right angles on the road (along the road for a mark across it, across it for
// a mark along it): a corner. A seam, a gutter or a crack the mark ends on runs both ways.
bool ArtifactRules::turnsAtEnd(const GroupFeatures& f, const cv::Mat& gray, const cv::Mat& road, cv::Point2f end,
                cv::Point2f out, double reach, float side) const
{
    const bool across_road = f.angle_deg >= 45;
    // The ridge stops short of a corner (there the side samples fall on the other border),
    // and the following may cross it and run a few pixels on (its gaps of up to 6 px): look
    // at right angles from a few points between one side before that end and 1.5 sides on.
    end = followDarkLine(gray, end, out, reach, side);
    for (const float k : {-1.f, -0.5f, 0.f, 0.5f, 1.f, 1.5f}) {
        const cv::Point2f from = end + out * (k * side);
        const cv::Point at(int(std::lround(from.x)), int(std::lround(from.y)));
        if (!cv::Rect(0, 0, road.cols, road.rows).contains(at) || !road.at<uchar>(at))
            continue; // patches lie on the road; a line's or a kerb's borders do not count
        const auto g = view_.plane().pixelToGround(from.x, from.y);
        const auto next = !g ? std::nullopt
                             : view_.plane().groundToPixel(across_road ? voirie::sdk::GroundPoint{g->forward + 0.3, g->right}
                                                                        : voirie::sdk::GroundPoint{g->forward, g->right + 0.3});
        if (!next)
            continue;
        cv::Point2f turn(float(next->first) - from.x, float(next->second) - from.y);
        const float n = std::hypot(turn.x, turn.y);
        if (n < 1e-3f)
            continue;
        turn /= n;
        const double clear = f.width_px + 3; // start past the mark's own thickness
        if (darkLineFrom(gray, view_.topRow(), from, turn, clear, clear + reach / 2, side) !=
            darkLineFrom(gray, view_.topRow(), from, -turn, clear, clear + reach / 2, side))
            return true;
    }
    return false;
}

} // namespace voirie::plugins::cracks
