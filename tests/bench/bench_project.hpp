// A large synthetic project for the benchmarks: `n` cracks and potholes scattered over about
// 4 x 5.5 km near Lyon, written through ProjectStore like `voirie analyze` writes them.
#pragma once

#include "voirie/core/project/project_store.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>

namespace voirie::bench {

// `chip_bytes` of evidence image per damage (the sample survey's chips average 6.7 KB).
inline void writeProject(const std::filesystem::path& path, int n, size_t chip_bytes = 0)
{
    TrackCleaningCounts counts;
    TrackCleaningOptions one_segment;
    one_segment.gap_seconds = one_segment.gap_metres = 1e9;
    auto track = Track::build({{0, 4.80, 45.70, std::nullopt}, {3600, 4.85, 45.75, std::nullopt}}, one_segment, "bench",
                              counts);
    if (!track) {
        std::cerr << track.error() << "\n";
        std::exit(1);
    }
    RunProvenance run;
    run.voirie_version = "bench";
    auto store = ProjectStore::create(path, *track, run);
    if (!store) {
        std::cerr << store.error() << "\n";
        std::exit(1);
    }
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(0, 1);
    const char* classes[] = {"D00", "D10", "D20", "D40"};
    (void)(*store)->begin();
    for (int i = 0; i < n; ++i) {
        Damage d;
        d.id = i + 1;
        d.class_code = classes[i % 4];
        d.severity = Severity(1 + i % 3);
        d.confidence = 0.3 + 0.7 * u(rng);
        const MetricPoint c = track->frame().toMetric(4.80 + 0.05 * u(rng), 45.70 + 0.05 * u(rng));
        if (i % 4 < 2) {
            auto line = std::make_unique<OGRLineString>();
            for (int k = 0; k < 8; ++k)
                line->addPoint(c.x + 0.3 * k, c.y + 0.1 * std::sin(k));
            d.geometry = std::move(line);
            d.length_m = 2.1;
            d.width_mm = 6 + 30 * u(rng);
        } else {
            auto ring = new OGRLinearRing();
            for (int k = 0; k < 12; ++k)
                ring->addPoint(c.x + 0.4 * std::cos(k * M_PI / 6), c.y + 0.3 * std::sin(k * M_PI / 6));
            ring->closeRings();
            auto polygon = std::make_unique<OGRPolygon>();
            polygon->addRingDirectly(ring);
            d.geometry = std::move(polygon);
            d.area_m2 = 0.37;
            d.length_m = 0.8;
        }
        d.chainage_m = 0.5 * i;
        d.first_seen = 1.78e9 + i;
        d.last_seen = d.first_seen + 1;
        d.n_frames = 3;
        d.plugins = "cracks";
        if (chip_bytes > 0)
            d.evidence_jpeg.assign(chip_bytes, static_cast<unsigned char>(i & 0x7f));
        if (auto s = (*store)->addDamage(d, track->frame(), ""); !s) {
            std::cerr << s.error() << "\n";
            std::exit(1);
        }
    }
    (void)(*store)->commit();
}


} // namespace voirie::bench
