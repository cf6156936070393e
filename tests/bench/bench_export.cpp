// Benchmark: `voirie export` of 100,000 damages to GeoPackage and to GeoJSON, timed beside
// `ogr2ogr` converting the same layer of the same project in the same run (target: no slower
// than 1.5x ogr2ogr). Both run as processes, median of 3.
//   voirie_bench_export [damages=100000]
#include "test_support.hpp"

#include "voirie/core/project_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
using namespace voirie;

double timed(const std::string& command)
{
    const auto t0 = Clock::now();
    auto r = test::runCommand(command);
    if (r.exit_code != 0) {
        std::cerr << command << " failed: " << r.err << "\n";
        std::exit(1);
    }
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// A project whose damages layer holds `n` cracks and potholes along 50 km of road near Lyon.
void writeProject(const fs::path& path, int n)
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
        if (auto s = (*store)->addDamage(d, track->frame(), ""); !s) {
            std::cerr << s.error() << "\n";
            std::exit(1);
        }
    }
    (void)(*store)->commit();
}

} // namespace

int main(int argc, char** argv)
{
    const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
    test::TempDir dir;
    const fs::path project = dir / "project.gpkg";
    std::cout << "Writing a project with " << n << " damages..." << std::flush;
    writeProject(project, n);
    std::cout << " done\n";
    const std::string voirie = test::shellQuoted(VOIRIE_CLI);
    struct Pair {
        const char* label;
        std::string ours, theirs;
    } pairs[] = {
        {"GeoPackage", voirie + " export " + test::shellQuoted(project) + " --format gpkg --chips none --quiet --overwrite --out " +
                           test::shellQuoted(dir / "v.gpkg"),
         "rm -f " + test::shellQuoted(dir / "o.gpkg") + "; ogr2ogr -f GPKG " + test::shellQuoted(dir / "o.gpkg") + " " +
             test::shellQuoted(project) + " damages"},
        {"GeoJSON", voirie + " export " + test::shellQuoted(project) + " --format geojson --chips none --quiet --overwrite --out " +
                        test::shellQuoted(dir / "v.geojson"),
         "rm -f " + test::shellQuoted(dir / "o.geojson") + "; ogr2ogr -f GeoJSON -lco RFC7946=YES " +
             test::shellQuoted(dir / "o.geojson") + " " + test::shellQuoted(project) + " damages"},
    };
    std::printf("\n%d damages, median of 3 interleaved runs each\n", n);
    for (const auto& p : pairs) {
        std::vector<double> ours, theirs;
        for (int run = 0; run < 3; ++run) {
            ours.push_back(timed(p.ours));
            theirs.push_back(timed(p.theirs));
        }
        std::sort(ours.begin(), ours.end());
        std::sort(theirs.begin(), theirs.end());
        std::printf("%-10s  voirie export %6.2f s   ogr2ogr %6.2f s   ratio %.2f  (target <= 1.5)\n", p.label, ours[1],
                    theirs[1], ours[1] / theirs[1]);
    }
    return 0;
}
