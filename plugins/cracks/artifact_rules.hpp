// The cracks plugin's rules for straight marks that are no cracks: sawn joints, seams, the edges
// of shadows and markings, and the sealed borders of patches (which have corners).
#pragma once

#include "mark_features.hpp"
#include "road_corridor.hpp"

namespace voirie::plugins::cracks {

class ArtifactRules {
public:
    ArtifactRules(const RoadView& view, double straight_tolerance, double straight_transverse_max,
                  const std::optional<LaneLine>& lane_line)
        : view_(view), straight_tolerance_(straight_tolerance), straight_transverse_max_(straight_transverse_max),
          lane_line_(lane_line)
    {
    }

    // A straight mark is a joint, a seam, or the edge of a shadow or a marking, unless it runs
    // across the road and ends there (see the .cpp for each rule and the figures behind it).
    bool straightArtifact(const GroupFeatures& f, const cv::Mat& gray, const cv::Mat& road) const;

private:
    template <class EndTest>
    bool atAnEnd(const GroupFeatures& f, const EndTest& test) const;
    bool continuesBeyondEnds(const GroupFeatures& f, const cv::Mat& gray, const cv::Mat& road) const;
    bool wideCrackThatEnds(const GroupFeatures& f, const cv::Mat& gray) const;
    bool endsAtACorner(const GroupFeatures& f, const cv::Mat& gray, const cv::Mat& road) const;
    bool turnsAtEnd(const GroupFeatures& f, const cv::Mat& gray, const cv::Mat& road, cv::Point2f end,
                    cv::Point2f out, double reach, float side) const;

    const RoadView& view_;
    double straight_tolerance_, straight_transverse_max_;
    const std::optional<LaneLine>& lane_line_; // of the frame being looked at
};

} // namespace voirie::plugins::cracks
