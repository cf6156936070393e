// Benchmark: what a user's `voirie analyze` costs against decoding the same video, in one run.
// Each configuration runs as its own process (the `voirie` command itself, as users run it), so
// its CPU time and peak memory are its own (wait4's rusage). For each: frames/s, the wall-clock
// ratio to decoding (analyze frames/s over decode-only frames/s), the CPU ratio (CPU-s of the
// analysis over CPU-s of decoding alone), CPU-s per km, peak RSS, and where the CPU went, from
// the run's own counters (its JSON summary's cpu_s_per_km_by_stage).
//   voirie_bench_analyze [metres_of_road=400] [--sizes 1280x720,1920x1080,2704x1520]
// Configurations at the first size: the default detector set with anonymization (what users
// run), without it, without --camera (the camera worked out from the footage), the classical set
// (cracks, potholes) with and without, and a survey with 200 defects per km (anonymization costs
// per evidence chip). At the other sizes: decode-only and the default run. Surveys are rendered by `voirie sample` once and kept in build/bench-data/.
#include "test_support.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/videoio.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct Measured {
    bool ok = false;
    double wall_s = 0, cpu_s = 0, peak_rss_mib = 0;
    std::string out; // the child's stdout
};

// Runs argv as a child process, its stdout captured, stderr discarded (or shown on failure).
Measured runChild(const std::vector<std::string>& argv, const fs::path& scratch)
{
    const fs::path out_file = scratch / "child.out", err_file = scratch / "child.err";
    Measured m;
    const auto start = Clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
        const int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(out, 1);
        dup2(err, 2);
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    m.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
    m.cpu_s = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
              1e-6 * double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
    m.peak_rss_mib = double(usage.ru_maxrss) / 1024.0;
    std::ifstream in(out_file);
    std::stringstream text;
    text << in.rdbuf();
    m.out = text.str();
    m.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!m.ok) {
        std::ifstream err(err_file);
        std::cerr << "failed: " << argv[0] << " ... (exit " << WEXITSTATUS(status) << ")\n" << err.rdbuf() << "\n";
    }
    return m;
}

// The child of --decode-only: every frame grabbed and converted, as a reader must at the least.
int decodeOnly(const char* video)
{
    cv::VideoCapture capture(video, cv::CAP_FFMPEG);
    cv::Mat image;
    long frames = 0;
    while (capture.read(image))
        ++frames;
    std::printf("%ld\n", frames);
    return frames > 0 ? 0 : 1;
}

// The survey, rendered once by `voirie sample` in its own process (so that this process stays
// small: a child's peak memory counts what it inherited at fork).
fs::path survey(double metres, int width, int height, double damage_per_km, const fs::path& scratch)
{
    char name[96], size[32], length[32], per_km[32];
    std::snprintf(name, sizeof(name), "analyze-%dm-%dx%d-%gperkm", int(metres), width, height, damage_per_km);
    std::snprintf(size, sizeof(size), "%dx%d", width, height);
    std::snprintf(length, sizeof(length), "%g", metres);
    std::snprintf(per_km, sizeof(per_km), "%g", damage_per_km);
    const fs::path dir = fs::path(VOIRIE_BUILD_DIR) / "bench-data" / name;
    if (!fs::exists(dir / "survey.json")) {
        std::cout << "Rendering " << name << " (once)..." << std::flush;
        auto m = runChild({VOIRIE_CLI, "sample", "--out", dir.string(), "--seed", "11", "--length-m", length, "--size",
                           size, "--damage-per-km", per_km, "--overwrite", "--quiet"},
                          scratch);
        if (!m.ok)
            std::exit(1);
        std::cout << " done (" << int(m.wall_s) << " s)\n";
    }
    return dir;
}

struct Decode {
    double frames = 0, wall_s = 0, cpu_s = 0, peak_rss_mib = 0;
    double fps() const { return frames / wall_s; }
};

// Decoding alone, twice (this shared machine's speed wanders): the faster is the baseline.
Decode decodeBaseline(const fs::path& video, const fs::path& scratch)
{
    Decode best;
    for (int i = 0; i < 2; ++i) {
        auto m = runChild({fs::read_symlink("/proc/self/exe").string(), "--decode-only", video.string()}, scratch);
        if (!m.ok)
            std::exit(1);
        if (best.wall_s == 0 || m.wall_s < best.wall_s)
            best = {std::stod(m.out), m.wall_s, m.cpu_s, m.peak_rss_mib};
    }
    return best;
}

void printDecode(const Decode& d, double km)
{
    std::printf("  %-34s %6.1f frames/s   CPU %5.1f s = %5.1f CPU-s/km  (%.1f cores busy)  peak %4.0f MiB\n",
                "decode only", d.fps(), d.cpu_s, d.cpu_s / km, d.cpu_s / d.wall_s, d.peak_rss_mib);
}

// One `voirie analyze` as a user runs it; prints its line and returns its JSON summary. Without
// `camera_file` the analysis works the camera out from the footage (its `calibration` stage).
nlohmann::json analyze(const std::string& label, const fs::path& dir, const Decode& decode,
                       const std::vector<std::string>& extra, const fs::path& scratch, bool camera_file = true)
{
    std::vector<std::string> argv = {VOIRIE_CLI,
                                     "analyze",
                                     "--video",
                                     (dir / "survey.mp4").string(),
                                     "--track",
                                     (dir / "survey.gpx").string(),
                                     "--camera",
                                     (dir / "camera.json").string(),
                                     "--out",
                                     (scratch / "bench.gpkg").string(),
                                     "--overwrite",
                                     "--quiet",
                                     "--json"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    if (!camera_file)
        argv.erase(std::find(argv.begin(), argv.end(), "--camera"), std::find(argv.begin(), argv.end(), "--out"));
    auto m = runChild(argv, scratch);
    if (!m.ok)
        std::exit(1);
    auto summary = nlohmann::json::parse(m.out);
    const double km = summary["km"].get<double>();
    const double frames = summary["frames_decoded"].get<double>();
    std::printf("  %-34s %6.1f frames/s   CPU %5.1f s = %5.1f CPU-s/km  (%.1f cores busy)  peak %4.0f MiB\n"
                "  %-34s wall ratio %.2f, CPU %.2fx decoding; %lld damages\n",
                label.c_str(), frames / m.wall_s, m.cpu_s, m.cpu_s / km, m.cpu_s / m.wall_s, m.peak_rss_mib, "",
                (frames / m.wall_s) / decode.fps(), m.cpu_s / decode.cpu_s,
                static_cast<long long>(summary["damages"].get<int64_t>()));
    std::string stages;
    for (const auto& [stage, per_km] : summary["cpu_s_per_km_by_stage"].items()) {
        char part[96];
        std::snprintf(part, sizeof(part), "%s%s %.1f", stages.empty() ? "" : ", ", stage.c_str(), per_km.get<double>());
        stages += part;
    }
    std::printf("  %-34s CPU-s/km by stage: %s\n", "", stages.c_str());
    return summary;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc == 3 && std::strcmp(argv[1], "--decode-only") == 0)
        return decodeOnly(argv[2]);
    double metres = 400;
    std::vector<std::pair<int, int>> sizes = {{1280, 720}, {1920, 1080}, {2704, 1520}};
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
            sizes.clear();
            std::stringstream list(argv[++i]);
            std::string item;
            int w = 0, h = 0;
            while (std::getline(list, item, ','))
                if (std::sscanf(item.c_str(), "%dx%d", &w, &h) == 2)
                    sizes.emplace_back(w, h);
        } else {
            metres = std::atof(argv[i]);
        }
    }
    voirie::test::TempDir scratch;
    std::printf("voirie analyze against decoding the same video; %.0f m at 40 km/h, 30 fps, a frame every 3 m; "
                "%u cores\n",
                metres, std::thread::hardware_concurrency());
    bool first = true;
    for (auto [width, height] : sizes) {
        const fs::path dir = survey(metres, width, height, 40, scratch.path());
        const Decode decode = decodeBaseline(dir / "survey.mp4", scratch.path());
        std::printf("\n%dx%d, 40 defects per km:\n", width, height);
        auto defaults = analyze("default set + anonymization", dir, decode, {}, scratch.path());
        printDecode(decode, defaults["km"].get<double>());
        if (!first)
            continue;
        first = false;
        analyze("default set, --no-anonymize", dir, decode, {"--no-anonymize"}, scratch.path());
        analyze("default set, camera worked out", dir, decode, {}, scratch.path(), false);
        analyze("cracks,potholes + anonymization", dir, decode, {"--plugins", "cracks,potholes"}, scratch.path());
        analyze("cracks,potholes, --no-anonymize", dir, decode, {"--plugins", "cracks,potholes", "--no-anonymize"},
                scratch.path());

        const fs::path many = survey(metres, width, height, 200, scratch.path());
        const Decode many_decode = decodeBaseline(many / "survey.mp4", scratch.path());
        std::printf("\n%dx%d, 200 defects per km:\n", width, height);
        auto with = analyze("default set + anonymization", many, many_decode, {}, scratch.path());
        auto without = analyze("default set, --no-anonymize", many, many_decode, {"--no-anonymize"}, scratch.path());
        printDecode(many_decode, with["km"].get<double>());
        const double chips = with["damages"].get<double>();
        if (chips > 0)
            std::printf("  anonymization: %.3f CPU-s per evidence chip (%.0f chips; the run's own counter: %.3f)\n",
                        (with["cpu_s"].get<double>() - without["cpu_s"].get<double>()) / chips, chips,
                        with["cpu_s_by_stage"]["anonymize"].get<double>() / chips);
    }
    return 0;
}
