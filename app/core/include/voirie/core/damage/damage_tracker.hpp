// The same defect is seen in many consecutive frames: DamageTracker merges the ground footprints
// of one defect's detections into one Damage (docs/ARCHITECTURE.md: DamageTracker).
//
// Rules (documented in README "How analyze measures"):
// - Classes merge with themselves; longitudinal and transverse cracks (D00/D10) merge with each
//   other, since a crack near 45 degrees flips between them from frame to frame.
// - An observation joins the open damage whose recent footprints lie closest, within merge_m.
// - A damage is finished once the vehicle is close_after_m past the last frame that saw it (it is
//   behind the camera's range and cannot be seen again); it is kept only when at least
//   min_frames frames saw it, which drops single-frame flickers. Transverse cracks and small
//   potholes are the exception: a transverse crack, seen almost edge-on, is thinner than a pixel
//   beyond a few metres, and a pothole a hand wide is a few pixels, so at one frame every 3 m a
//   single frame is often all that shows them. One whole (not cut by the frame's edge), near
//   (single_view_max_forward_m) view is enough when it is a long (transverse_single_min_m) and
//   confident (transverse_single_min_confidence) transverse crack, or a confident pothole
//   (pothole_single_min_confidence).
// - A crack lying mostly (network_share) within network_margin_m of an alligator area (a kept
//   D20 damage still open or finished within close_after_m) is part of that area, not a damage of
//   its own: a network's outer cracks and its edge read as single cracks, and pavement surveys
//   (ASTM D6433) rate the area, not each crack in it. Its detections are dropped. Likewise an
//   alligator area lying mostly (by surface) within a pothole's is the pothole's broken rim.
// - Class: the class with the largest summed vote, each view voting its confidence, scaled down
//   beyond class_vote_near_m ahead by class_vote_near_m / its distance: far away a transverse
//   crack is a pixel thick and a crack's direction is judged over a few foreshortened pixels, so
//   a far view of a crack often reads as the other class (or is a seam the track took in).
// - Confidence: 1 - prod(1 - c) over its three most confident observations. Geometry: the best
//   observation's footprint, moved to the evidence-weighted mean of the centroids of the
//   observations that saw it whole. Length: the 75th percentile of observed lengths; area: the
//   median over the nearer half of observations, for an alligator network at least the union of
//   what its views saw (each sees a part); width: the median observed width.
#pragma once

#include "voirie/core/geo/local_metric_frame.hpp"
#include "voirie/core/vocabulary/detection.hpp"

#include <ogr_geometry.h>
#include <opencv2/core.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

struct Observation {
    int64_t detection_id = 0;  // its row in the project's detections layer
    int64_t frame_index = 0;
    double time = 0;
    double frame_chainage_m = 0;
    std::string class_code;
    std::string plugin_id;
    double confidence = 0;
    std::shared_ptr<const OGRGeometry> footprint; // local metric frame
    MetricPoint centroid;
    double length_m = 0, area_m2 = 0;
    std::optional<double> width_mm;
    double distance_m = 0, forward_m = 0;
    bool truncated = false;      // its box touches the frame's edge: only part of the defect seen
    double evidence_score = 0;   // how good a picture of the defect this frame is
};

// The part of the best frame around a damage's detection, kept until the damage is finished:
// only then is it anonymized and cut into the evidence chip (once per damage, not per view).
struct EvidenceView {
    cv::Mat window;       // BGR pixels around the detection
    Detection detection;  // in window pixels
};

struct Damage {
    int64_t id = 0;
    std::string class_code;
    Severity severity = Severity::Unknown;
    double confidence = 0;
    std::unique_ptr<OGRGeometry> geometry; // local metric frame
    double length_m = 0, area_m2 = 0;
    std::optional<double> width_mm;
    double chainage_m = 0;
    double first_seen = 0, last_seen = 0;
    int n_frames = 0;
    std::string plugins; // ids of the plugins that saw it, comma-separated
    std::vector<Observation> observations;
    int64_t evidence_frame = 0;
    int64_t evidence_detection = 0;
    EvidenceView evidence;                    // the best view's surroundings, not yet anonymized
    std::vector<unsigned char> evidence_jpeg; // the chip as stored (set by whoever stores the damage)
};

struct DamageTrackerOptions {
    double merge_m = 0.75;
    double close_after_m = 30.0;
    int min_frames = 2;
    double single_view_max_forward_m = 8.0;
    double transverse_single_min_m = 1.1;
    double transverse_single_min_confidence = 0.5;
    double pothole_single_min_confidence = 0.35;
    double network_margin_m = 0.3;
    double network_share = 0.5;
    double class_vote_near_m = 8.0;
};

class DamageTracker {
public:
    // Keeps the surroundings of an observation that has just become its damage's best picture.
    using ChipCutter = std::function<EvidenceView(const Observation&)>;

    explicit DamageTracker(DamageTrackerOptions options) : options_(options) {}

    // One frame's observations, frames in survey order.
    void addFrame(double chainage_m, std::vector<Observation> observations, const ChipCutter& cut_chip);
    // Damages that can no longer be seen from `chainage_m`, in the order they were first seen.
    std::vector<Damage> takeFinished(double chainage_m);
    // Every damage still open (the end of the survey).
    std::vector<Damage> finish();
    // Supporting detections of finished damages that were dropped (seen in too few frames).
    const std::vector<int64_t>& droppedDetections() const { return dropped_; }

private:
    struct Open {
        int64_t sequence;
        std::vector<Observation> observations;
        double last_chainage_m = 0;
        size_t best = 0;
        EvidenceView chip;
    };
    static bool compatible(const std::string& a, const std::string& b);
    std::vector<Damage> close(std::vector<Open> done);
    // A transverse crack or a pothole seen clearly enough in one frame to keep (see the rules above).
    bool clearSingleView(const Open& open) const;
    bool kept(const Open& open) const;
    // Whether a crack lies mostly within an alligator area, or an alligator area within a
    // pothole (see the rules above).
    bool withinLargerDamage(const Open& inner) const;
    Damage summarise(Open&& open);

    DamageTrackerOptions options_;
    std::vector<Open> open_;
    struct Area {
        std::string class_code;
        double last_chainage_m;
        std::unique_ptr<OGRGeometry> area; // its footprints' union, grown by network_margin_m
    };
    std::vector<Area> areas_; // finished alligator areas and potholes still near enough to matter
    int64_t next_sequence_ = 0;
    int64_t next_id_ = 1;
    std::vector<int64_t> dropped_;
};

} // namespace voirie
