// Benchmark: `voirie export` of 100,000 damages to GeoPackage and to GeoJSON, timed beside
// `ogr2ogr` converting the same layer of the same project in the same run (target: no slower
// than 1.5x ogr2ogr). Both run as processes, median of 3.
//   voirie_bench_export [damages=100000]
#include "test_support.hpp"

#include "bench_project.hpp"

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

} // namespace

int main(int argc, char** argv)
{
    const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
    test::TempDir dir;
    const fs::path project = dir / "project.gpkg";
    std::cout << "Writing a project with " << n << " damages..." << std::flush;
    bench::writeProject(project, n);
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
