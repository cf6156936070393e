// Benchmark: `voirie analyze` against decoding the same video, in one run. Prints decode-only
// throughput, analyze throughput with the built-in plugins (cracks, potholes), their ratio
// (target >= 0.85: decoding and detection overlap on 2 cores), the most that ratio could be with
// every core busy all the time (decoding alone keeps 1.7 of 2 cores busy), km of road per
// CPU-minute, and resident memory at a quarter and at the end of the run (flat memory: the two
// agree) and peak.
//   voirie_bench_analyze [metres_of_road=600]
// The survey is rendered by the sample generator once and kept in build/bench-data/.
#include "test_support.hpp"

#include "voirie/core/analysis/analysis_run.hpp"
#include <voirie/sample/survey_generator.hpp>

#include <opencv2/videoio.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

double residentMiB()
{
    std::ifstream statm("/proc/self/statm");
    long pages_total = 0, pages_resident = 0;
    statm >> pages_total >> pages_resident;
    return double(pages_resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

} // namespace

int main(int argc, char** argv)
{
    const double metres = argc > 1 ? std::atof(argv[1]) : 600;
    const fs::path survey = fs::path(VOIRIE_BUILD_DIR) / "bench-data" / ("analyze-" + std::to_string(int(metres)) + "m");
    if (!fs::exists(survey / "survey.json")) {
        std::cout << "Rendering a " << metres << " m sample survey (once)..." << std::flush;
        voirie::sample::GeneratorSettings settings;
        settings.seed = 11;
        settings.length_m = metres;
        voirie::sample::SurveyGenerator generator(settings);
        if (auto w = generator.write(survey); !w) {
            std::cerr << "\n" << w.error() << "\n";
            return 1;
        }
        std::cout << " done\n";
    }
    const fs::path video = survey / "survey.mp4";

    // Decode only: every frame grabbed and converted, as the reader must at the least. Timed
    // before and after the analysis (this shared machine's speed wanders by a third from one
    // minute to the next); the faster of the two is the baseline.
    struct DecodeRun {
        int64_t frames = 0;
        double seconds = 0, cpu_seconds = 0;
    };
    auto decodeOnly = [&] {
        DecodeRun run;
        const auto start = Clock::now();
        const double cpu_start = cpuSeconds();
        cv::VideoCapture capture(video.string(), cv::CAP_FFMPEG);
        cv::Mat image;
        while (capture.read(image))
            ++run.frames;
        run.seconds = seconds(start);
        run.cpu_seconds = cpuSeconds() - cpu_start;
        return run;
    };
    const DecodeRun decode_before = decodeOnly();
    auto t0 = Clock::now();

    voirie::test::TempDir work;
    voirie::AnalysisOptions options;
    options.ingest.videos = {video};
    options.ingest.track = survey / "survey.gpx";
    options.ingest.camera_file = survey / "camera.json";
    options.ingest.cleaning.smoothing_s = voirie::kRecommendedSmoothingSeconds;
    options.out = work / "bench.gpkg";
    options.plugins = std::vector<std::string>{"cracks", "potholes"};
    options.plugin_dirs = {VOIRIE_BUILTIN_PLUGIN_DIR};
    options.anonymize = false; // measured separately below: it costs per damage, not per frame
    double rss_quarter = 0;
    voirie::AnalysisHooks hooks;
    hooks.progress = [&](const voirie::AnalysisProgress& p) {
        if (rss_quarter == 0 && p.km_total > 0 && p.km_done >= 0.25 * p.km_total)
            rss_quarter = residentMiB();
    };
    const double cpu0 = cpuSeconds();
    t0 = Clock::now();
    auto summary = voirie::runAnalysis(options, hooks);
    const double analyze_s = seconds(t0), cpu_s = cpuSeconds() - cpu0;
    if (!summary) {
        std::cerr << summary.error() << "\n";
        return 1;
    }
    const double rss_end = residentMiB();
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    const DecodeRun decode_after = decodeOnly();
    const DecodeRun& decode = decode_before.seconds <= decode_after.seconds ? decode_before : decode_after;
    const int64_t frames = decode.frames;
    const double decode_s = decode.seconds, decode_cpu_s = decode.cpu_seconds;

    std::printf("\nsurvey: %.0f m, %lld frames of 1280x720 at 30 fps, 40 km/h; %u cores\n", metres,
                static_cast<long long>(frames), std::thread::hardware_concurrency());
    // FFmpeg decodes on every core by itself (OpenCV 4.6 sets no thread count), so decode-only
    // keeps most of the machine busy: the ratio cannot pass what the CPU time of analyze leaves.
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    std::printf("decode only (read every frame):        %7.1f frames/s  (%.2f CPU-ms a frame: %.1f cores busy; "
                "%.1f and %.1f frames/s before and after analyze)\n",
                double(frames) / decode_s, 1000.0 * decode_cpu_s / double(frames), decode_cpu_s / decode_s,
                double(decode_before.frames) / decode_before.seconds, double(decode_after.frames) / decode_after.seconds);
    std::printf("analyze (cracks + potholes, every 3 m): %6.1f frames/s  (%lld sampled, %lld detections, %lld damages)\n",
                double(summary->ingest.frames_decoded) / analyze_s, static_cast<long long>(summary->ingest.frames_sampled),
                static_cast<long long>(summary->detections), static_cast<long long>(summary->damages));
    std::printf("ratio analyze / decode-only:            %6.3f  (target >= 0.85)\n",
                (double(summary->ingest.frames_decoded) / analyze_s) / (double(frames) / decode_s));
    std::printf("km of road per CPU-minute:              %6.2f  (%.1f CPU-s for %.3f km; %.2f CPU-ms a frame)\n",
                summary->km / (cpu_s / 60.0), cpu_s, summary->km,
                1000.0 * cpu_s / double(summary->ingest.frames_decoded));
    // With every core busy all the time, analyze would take its CPU time over the cores.
    std::printf("ratio with all %u cores busy (bound):   %6.3f\n", cores,
                (double(cores) / (cpu_s / double(summary->ingest.frames_decoded))) / (double(frames) / decode_s));
    std::printf("resident memory: %.0f MiB at a quarter, %.0f MiB at the end, peak %.0f MiB\n", rss_quarter, rss_end,
                double(u.ru_maxrss) / 1024.0);

    // The same run with privacy on (the default): cascade-anonymizer over each damage's chip.
    options.anonymize = true;
    options.overwrite = true;
    const double cpu1 = cpuSeconds();
    t0 = Clock::now();
    auto private_run = voirie::runAnalysis(options, {});
    const double private_s = seconds(t0), private_cpu = cpuSeconds() - cpu1;
    if (!private_run) {
        std::cerr << private_run.error() << "\n";
        return 1;
    }
    std::printf("with anonymization (default):           %6.1f frames/s, ratio %.3f, %.2f km per CPU-minute "
                "(%lld chips, %.2f CPU-s each)\n",
                double(private_run->ingest.frames_decoded) / private_s,
                (double(private_run->ingest.frames_decoded) / private_s) / (double(frames) / decode_s),
                private_run->km / (private_cpu / 60.0), static_cast<long long>(private_run->damages),
                private_run->damages ? (private_cpu - cpu_s) / double(private_run->damages) : 0.0);
    return 0;
}
