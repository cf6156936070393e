// DamageTracker: many frames of one defect -> one damage, against geometry known in advance.
#include "voirie/core/damage/damage_tracker.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

namespace {

using namespace voirie;

Observation observation(int64_t id, int64_t frame, double chainage, const char* cls, double x, double y,
                        double confidence = 0.6, double score = 0.5)
{
    Observation o;
    o.detection_id = id;
    o.frame_index = frame;
    o.time = 1000 + double(frame);
    o.frame_chainage_m = chainage;
    o.class_code = cls;
    o.confidence = confidence;
    auto line = std::make_shared<OGRLineString>();
    line->addPoint(x, y);
    line->addPoint(x, y + 1.5);
    o.footprint = line;
    o.centroid = {x, y + 0.75};
    o.length_m = 1.5;
    o.width_mm = 12;
    o.distance_m = y - chainage;
    o.forward_m = y + 0.75 - chainage;
    o.evidence_score = score;
    return o;
}

TEST(DamageTracker, OneDefectSeenInManyFramesIsOneDamage)
{
    DamageTracker tracker({0.75, 30, 2});
    std::vector<int64_t> chips;
    auto cutter = [&](const Observation& o) {
        chips.push_back(o.detection_id);
        EvidenceView view;
        view.window = cv::Mat(1, 1, CV_8UC1, cv::Scalar(double(o.detection_id)));
        return view;
    };
    // Frames every 3 m; a crack at y = 20 seen from 5 frames with 10 cm of jitter, the fourth
    // view the best; it flips to D10 once. A second crack 4 m aside; a one-frame flicker.
    int64_t id = 1;
    for (int f = 0; f < 5; ++f) {
        const double c = 3.0 * f, jitter = (f % 2 ? 0.1 : -0.1);
        std::vector<Observation> obs{observation(id++, f, c, f == 2 ? "D10" : "D00", jitter, 20 + jitter, 0.6,
                                                 f == 3 ? 0.9 : 0.3 + 0.01 * f),
                                     observation(id++, f, c, "D00", 4, 20)};
        if (f == 1)
            obs.push_back(observation(100, f, c, "D00", -4, 40));
        tracker.addFrame(c, obs, cutter);
        EXPECT_TRUE(tracker.takeFinished(c).empty());
    }
    EXPECT_TRUE(tracker.takeFinished(12 + 30).empty()) << "still within reach";
    auto done = tracker.takeFinished(12 + 30.5);
    ASSERT_EQ(done.size(), 2u);
    const Damage& a = done[0];
    EXPECT_EQ(a.id, 1);
    EXPECT_EQ(a.class_code, "D00");
    EXPECT_EQ(a.n_frames, 5);
    EXPECT_EQ(a.observations.size(), 5u);
    EXPECT_NEAR(a.confidence, 1 - 0.4 * 0.4 * 0.4, 1e-9);
    EXPECT_EQ(a.evidence_frame, 3);
    ASSERT_FALSE(a.evidence.window.empty());
    EXPECT_EQ(a.evidence.window.at<unsigned char>(0, 0), a.evidence_detection) << "the best view's surroundings kept";
    EXPECT_NEAR(a.length_m, 1.5, 1e-9);
    ASSERT_TRUE(a.width_mm);
    EXPECT_EQ(a.severity, Severity::Medium); // 12 mm
    OGRPoint centre;
    a.geometry->Centroid(&centre);
    EXPECT_NEAR(centre.getX(), 0, 0.1);
    EXPECT_NEAR(centre.getY(), 20.75, 0.1);
    EXPECT_EQ(done[1].id, 2);
    EXPECT_EQ(tracker.droppedDetections(), std::vector<int64_t>{100}) << "a single-frame flicker is no damage";
    EXPECT_TRUE(tracker.finish().empty());
}

TEST(DamageTracker, TransverseCrackOrPotholeSeenClearlyInOneFrameIsKept)
{
    // Seen edge-on, a transverse crack vanishes a few metres ahead, and a small pothole is a few
    // pixels: one near, whole, (long,) confident view is enough; any other single view is still a
    // flicker.
    DamageTracker tracker({0.75, 30, 2});
    auto truncated = observation(4, 0, 0, "D10", 6, 5);
    truncated.truncated = true;
    auto shorter = observation(6, 0, 0, "D10", 12, 5);
    shorter.length_m = 0.8;
    tracker.addFrame(0, {observation(1, 0, 0, "D10", 0, 5), observation(2, 0, 0, "D10", 3, 5, 0.4),
                         observation(3, 0, 0, "D10", 0, 15), truncated, observation(5, 0, 0, "D00", 9, 5), shorter,
                         observation(7, 0, 0, "D40", 15, 5, 0.4), observation(8, 0, 0, "D40", 18, 5, 0.3),
                         observation(9, 0, 0, "D20", 21, 5, 0.9)},
                     nullptr);
    auto done = tracker.finish();
    ASSERT_EQ(done.size(), 2u);
    EXPECT_EQ(done[0].observations.front().detection_id, 1);
    EXPECT_EQ(done[0].class_code, "D10");
    EXPECT_EQ(done[0].n_frames, 1);
    EXPECT_EQ(done[1].observations.front().detection_id, 7);
    EXPECT_EQ(tracker.droppedDetections(), (std::vector<int64_t>{2, 3, 4, 5, 6, 8, 9}));
}

TEST(DamageTracker, NearViewsTellTheClass)
{
    // A transverse crack seen as longitudinal from 15 and 12 m, confidently, and as transverse
    // from 9 and 6 m: far away its direction is judged over a few foreshortened pixels.
    DamageTracker tracker({0.75, 30, 2});
    for (int f = 0; f < 4; ++f) {
        const double c = 3.0 * f;
        auto o = observation(f + 1, f, c, f < 2 ? "D00" : "D10", 0, 14, f < 2 ? 0.8 : 0.6);
        tracker.addFrame(c, {o}, nullptr);
    }
    auto done = tracker.finish();
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].observations.size(), 4u);
    EXPECT_EQ(done[0].class_code, "D10");
}

TEST(DamageTracker, ClassesMergeOnlyWithCompatibleClasses)
{
    DamageTracker tracker({0.75, 30, 1});
    tracker.addFrame(0, {observation(1, 0, 0, "D00", 0, 10), observation(2, 0, 0, "D40", 0.2, 10)}, nullptr);
    tracker.addFrame(3, {observation(3, 1, 3, "D10", 0.1, 10.2), observation(4, 1, 3, "D20", 2.0, 10)}, nullptr);
    auto done = tracker.finish();
    ASSERT_EQ(done.size(), 3u); // D00+D10, D40, D20
    EXPECT_EQ(done[0].observations.size(), 2u);
    EXPECT_EQ(done[1].class_code, "D40");
    EXPECT_EQ(done[2].class_code, "D20");
}

TEST(DamageTracker, CracksWithinAnAlligatorAreaArePartOfIt)
{
    DamageTrackerOptions options{0.1, 30, 1}; // nothing merges by distance: each crack stays its own
    // The network: a 1.5 m footprint along x = 0 from y = 10 (grown by 0.3 m: up to y = 11.8).
    auto line = [](double x0, double y0, double x1, double y1) {
        auto l = std::make_shared<OGRLineString>();
        l->addPoint(x0, y0);
        l->addPoint(x1, y1);
        return l;
    };
    auto inside = observation(2, 0, 0, "D00", 0.2, 10.1);       // within the area
    auto beside = observation(3, 0, 0, "D10", 1.5, 10);         // 1.5 m away
    auto leaving = observation(4, 0, 0, "D00", -0.2, 11.0);     // 0.8 m of 3 m inside
    leaving.footprint = line(-0.2, 11.0, -0.2, 14.0);
    leaving.length_m = 3;
    {
        DamageTracker tracker(options);
        tracker.addFrame(0, {observation(1, 0, 0, "D20", 0, 10), inside, beside, leaving}, nullptr);
        auto done = tracker.finish();
        ASSERT_EQ(done.size(), 3u);
        EXPECT_EQ(done[0].class_code, "D20");
        EXPECT_EQ(done[1].observations.front().detection_id, 3);
        EXPECT_EQ(done[2].observations.front().detection_id, 4);
        EXPECT_EQ(tracker.droppedDetections(), std::vector<int64_t>{2});
    }
    {
        // The crack closes before the network it lies in (last seen earlier): still taken in.
        DamageTracker tracker(options);
        tracker.addFrame(0, {observation(1, 0, 0, "D20", 0, 10), inside}, nullptr);
        tracker.addFrame(3, {observation(5, 1, 3, "D20", 0, 10.05)}, nullptr);
        EXPECT_TRUE(tracker.takeFinished(32).empty()) << "the crack is dropped, the network still open";
        EXPECT_EQ(tracker.droppedDetections(), std::vector<int64_t>{2});
        EXPECT_EQ(tracker.finish().size(), 1u);
    }
    {
        // A network seen in one frame only is not kept, and takes nothing in.
        options.min_frames = 2;
        DamageTracker tracker(options);
        auto long_crack = inside;
        long_crack.frame_index = 1;
        tracker.addFrame(0, {observation(1, 0, 0, "D20", 0, 10), inside}, nullptr);
        tracker.addFrame(1, {long_crack}, nullptr);
        auto done = tracker.finish();
        ASSERT_EQ(done.size(), 1u);
        EXPECT_EQ(done[0].class_code, "D00");
    }
}

TEST(DamageTracker, AnAlligatorAreaCoversWhatAllItsViewsSaw)
{
    // A 2 m wide network from y = 10 to 12.4 (4.8 m², high severity) that each of three views
    // sees a 1.4 m long part of (2.8 m², medium): the range and the frame's edge cut it.
    auto part = [](double y0, double y1) {
        auto p = std::make_shared<OGRPolygon>();
        OGRLinearRing ring;
        ring.addPoint(-1, y0);
        ring.addPoint(1, y0);
        ring.addPoint(1, y1);
        ring.addPoint(-1, y1);
        ring.closeRings();
        p->addRing(&ring);
        return p;
    };
    DamageTracker tracker({0.75, 30, 2});
    const double starts[] = {10.0, 10.6, 11.0};
    for (int f = 0; f < 3; ++f) {
        auto o = observation(f + 1, f, 3.0 * f, "D20", 0, starts[f]);
        o.footprint = part(starts[f], starts[f] + 1.4);
        o.area_m2 = 2.8;
        o.length_m = 2 * std::hypot(1.0, 0.7);
        tracker.addFrame(3.0 * f, {o}, nullptr);
    }
    auto done = tracker.finish();
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].class_code, "D20");
    EXPECT_NEAR(done[0].area_m2, 4.8, 1e-6);
    EXPECT_EQ(done[0].severity, Severity::High);
}

TEST(DamageTracker, AnAlligatorAreaAroundAPotholeIsItsRim)
{
    // The crack detector reads a pothole's broken rim as a small network: an alligator area lying
    // mostly within a kept pothole's area (grown by 0.3 m) is part of the pothole.
    auto square = [](double cx, double cy, double half) {
        auto p = std::make_shared<OGRPolygon>();
        OGRLinearRing ring;
        ring.addPoint(cx - half, cy - half);
        ring.addPoint(cx + half, cy - half);
        ring.addPoint(cx + half, cy + half);
        ring.addPoint(cx - half, cy + half);
        ring.closeRings();
        p->addRing(&ring);
        return p;
    };
    auto pothole = observation(1, 0, 0, "D40", 0, 10);
    pothole.footprint = square(0, 10, 0.4);
    auto rim = observation(2, 0, 0, "D20", 0, 10);
    rim.footprint = square(0.1, 10, 0.5); // 1 m square, 0.9 m of it within 0.7 m of the centre
    auto beside = observation(3, 0, 0, "D20", 2.5, 10);
    beside.footprint = square(2.5, 10, 0.6);
    DamageTracker tracker({0.1, 30, 1});
    tracker.addFrame(0, {pothole, rim, beside}, nullptr);
    auto done = tracker.finish();
    ASSERT_EQ(done.size(), 2u);
    EXPECT_EQ(done[0].class_code, "D40");
    EXPECT_EQ(done[1].observations.front().detection_id, 3);
    EXPECT_EQ(tracker.droppedDetections(), std::vector<int64_t>{2});
}

} // namespace
