// A small project written through ProjectStore itself, without video or plugins: a straight
// 300 m drive north, a frame every 3 m, and three damages of known class, place and size. The
// unit tests of the store, the project reader, rating and export start from it.
#pragma once

#include "test_support.hpp"

#include "voirie/core/project/project_store.hpp"

#include <ogr_geometry.h>

#include <gtest/gtest.h>

#include <filesystem>

namespace voirie::test {

inline constexpr double kSmallT0 = 1777890000.0; // 2026-05-04 10:20 UTC
inline constexpr double kSmallLon = 2.35, kSmallLat = 48.85;

struct SmallDamage {
    int64_t id;
    const char* cls;
    Severity severity;
    double chainage_m; // along the drive, from its start
    double size;       // length in m (cracks) or side in m (areas)
};

// Pothole at 50 m, longitudinal crack at 120 m, alligator area at 200 m.
inline const std::vector<SmallDamage>& smallProjectDamages()
{
    static const std::vector<SmallDamage> damages = {
        {1, "D40", Severity::Medium, 50, 0.6}, {2, "D00", Severity::Low, 120, 2.0}, {3, "D20", Severity::High, 200, 1.5}};
    return damages;
}

inline Track smallProjectTrack()
{
    std::vector<GpsFix> fixes;
    for (int i = 0; i <= 30; ++i) // 10 m/s north: 1 degree of latitude is about 111.2 km
        fixes.push_back({kSmallT0 + i, kSmallLon, kSmallLat + i * 10.0 / 111195.0, std::nullopt});
    TrackCleaningCounts counts;
    auto track = Track::build(fixes, {}, "small", counts);
    EXPECT_TRUE(track) << track.error();
    return std::move(*track);
}

// Writes the small project at `path` (which must not exist); the damages have an evidence chip
// of `chip_bytes` bytes each.
inline void writeSmallProject(const std::filesystem::path& path, size_t chip_bytes = 64)
{
    const Track track = smallProjectTrack();
    RunProvenance run;
    run.voirie_version = "test";
    run.command_line = "voirie analyze (small test project)";
    run.started = kSmallT0 + 40;
    run.inputs.push_back({"video", "/data/small.mp4", 1234, std::string(64, 'a')});
    run.plugins.push_back({"cracks", "1.0.0", "/lib/cracks.so", std::string(64, 'b'), nlohmann::ordered_json::object(),
                           "detector"});
    auto store = ProjectStore::create(path, track, run);
    ASSERT_TRUE(store) << store.error();
    ASSERT_TRUE((*store)->begin());
    for (int i = 0; i * 3 <= 300; ++i) {
        GeoFrame f;
        f.index = i;
        f.file = "/data/small.mp4";
        f.frame_in_file = i * 9;
        f.time = kSmallT0 + i * 0.3;
        f.lon = kSmallLon;
        f.lat = kSmallLat + i * 3.0 / 111195.0;
        f.chainage_m = i * 3.0;
        ASSERT_TRUE((*store)->addFrame(f));
    }
    const auto& metric = track.frame();
    for (const auto& s : smallProjectDamages()) {
        const MetricPoint at = metric.toMetric(kSmallLon, kSmallLat + s.chainage_m / 111195.0);
        Damage d;
        d.id = s.id;
        d.class_code = s.cls;
        d.severity = s.severity;
        d.confidence = 0.8;
        d.chainage_m = s.chainage_m;
        d.first_seen = kSmallT0 + s.chainage_m / 10.0 - 1;
        d.last_seen = d.first_seen + 1;
        d.n_frames = 3;
        d.plugins = "cracks";
        d.evidence_frame = int64_t(s.chainage_m / 3);
        d.evidence_detection = -1;
        if (std::string(s.cls) == "D00") {
            auto line = std::make_unique<OGRLineString>();
            line->addPoint(at.x + 0.5, at.y);
            line->addPoint(at.x + 0.5, at.y + s.size);
            d.length_m = s.size;
            d.width_mm = 8;
            d.geometry = std::move(line);
        } else {
            auto ring = std::make_unique<OGRLinearRing>();
            for (auto [dx, dy] : {std::pair{0.0, 0.0}, {s.size, 0.0}, {s.size, s.size}, {0.0, s.size}, {0.0, 0.0}})
                ring->addPoint(at.x + dx, at.y + dy);
            auto polygon = std::make_unique<OGRPolygon>();
            polygon->addRingDirectly(ring.release());
            d.area_m2 = s.size * s.size;
            d.geometry = std::move(polygon);
        }
        d.evidence_jpeg.assign(chip_bytes, static_cast<unsigned char>(s.id));
        ASSERT_TRUE((*store)->addDamage(d, metric, ""));
    }
    ASSERT_TRUE((*store)->setProgress(100, 101, "complete"));
    ASSERT_TRUE((*store)->writeStyles());
    ASSERT_TRUE((*store)->commit());
}

} // namespace voirie::test
