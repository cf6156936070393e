// The road mask of a ground patch: what lies on the road plane looks the same from neighbouring
// frames, while anything standing above it (a vehicle, a person, a post) is drawn at different
// places from different viewpoints (parallax), or has moved between them. Pixels of a patch that
// no neighbouring frame confirms are left out of the mosaic, so that vehicles, their plates and
// people do not reach an image that leaves Voirie (and do not smear along the lane).
#pragma once

#include "ground_patch.hpp"

#include <opencv2/core.hpp>

#include <vector>

namespace voirie::surface {

// A patch as compared: grey levels at twice the patch's pixel size, what the camera saw, and where
// the patch lies in the mosaic's CRS.
struct ComparedView {
    cv::Mat grey;  // CV_32F, smoothed
    cv::Mat valid; // CV_8U
    cv::Matx33d small_to_crs;
};

class GroundConsistency {
public:
    explicit GroundConsistency(const GroundPatchGrid& grid);

    ComparedView view(const cv::Mat& patch, const cv::Matx33d& patch_to_crs) const;

    // Per patch pixel (CV_32F, the patch's size): 1 where a neighbouring view saw the same ground
    // alike; 0 where the neighbours that saw it saw something else (with a margin around it), and
    // where no neighbour saw it (the drive's ends: nothing confirms them).
    cv::Mat confirmed(const ComparedView& patch, const std::vector<const ComparedView*>& neighbours) const;

private:
    const GroundPatchGrid& grid_;
    cv::Mat small_valid_; // what the camera sees, at the compared size (the same for every patch)
};

} // namespace voirie::surface
