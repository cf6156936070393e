// Benchmark: per-frame time of each built-in detector (classical, and the trained road-segnet and road-boxes) on one core, at 1280x720 and
// 1920x1080, beside the decode time per frame of the same footage. At 40 km/h, 30 fps and one
// sample every 3 m, a plugin runs once per 8.1 decoded frames: it must cost less than decoding
// those, or detection becomes the bottleneck.
//   voirie_bench_plugins
#include "test_support.hpp"

#include "voirie/core/plugin_host/detector_instance.hpp"
#include "voirie/core/plugin_host/plugin_parameters.hpp"
#include "voirie/core/plugin_host/plugin_registry.hpp"
#include "voirie/sample/survey_generator.hpp"

#include <opencv2/core/utility.hpp>
#include <opencv2/videoio.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>

using Clock = std::chrono::steady_clock;

static double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

int main()
{
    cv::setNumThreads(1); // one core, as the issue asks (plugins share the process's OpenCV)
    const double frames_per_sample = 3.0 / (40 / 3.6) * 30; // 8.1
    std::printf("one core; a sample every 3 m at 40 km/h, 30 fps = one detection per %.1f decoded frames\n\n",
                frames_per_sample);
    std::printf("%-10s %-10s %12s %14s %16s %8s\n", "plugin", "size", "ms/frame", "decode ms/fr", "budget ms/sample",
                "ratio");
    voirie::PluginRegistry registry({VOIRIE_BUILTIN_PLUGIN_DIR});
    for (cv::Size size : {cv::Size(1280, 720), cv::Size(1920, 1080)}) {
        voirie::sample::GeneratorSettings s;
        s.seed = 1;
        s.length_m = 60;
        s.width = size.width;
        s.height = size.height;
        voirie::sample::SurveyGenerator generator(s);
        std::vector<cv::Mat> frames;
        for (int i = 0; i < generator.frameCount(); i += 4)
            frames.push_back(generator.renderFrame(i));
        voirie::test::TempDir dir;
        { // decode time of the same footage, H.264
            cv::VideoWriter writer((dir / "v.mp4").string(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc('a', 'v', 'c', '1'), 30,
                                   size);
            for (const auto& f : frames)
                writer.write(f);
        }
        std::vector<double> decode;
        for (int run = 0; run < 3; ++run) {
            cv::VideoCapture capture((dir / "v.mp4").string(), cv::CAP_FFMPEG);
            int n = 0;
            const auto t0 = Clock::now();
            while (capture.grab())
                ++n;
            decode.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / std::max(1, n));
        }
        const double decode_ms = median(decode);
        voirie::FrameContext context;
        context.camera = generator.camera();
        for (const char* id : {"cracks", "potholes", "road-segnet", "road-boxes"}) {
            auto lib = registry.load(id);
            if (!lib) {
                std::fprintf(stderr, "cannot load %s: %s\n", id, lib.error().c_str());
                return 1;
            }
            auto detector = voirie::DetectorInstance::create(*lib, *voirie::resolveParameters((*lib)->manifest(), {}));
            if (!detector) {
                std::fprintf(stderr, "cannot create %s: %s\n", id, detector.error().c_str());
                return 1;
            }
            std::vector<double> times;
            for (const auto& f : frames) {
                const auto t0 = Clock::now();
                (void)(*detector)->detect(f, context);
                times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            }
            const double ms = median(times), budget = decode_ms * frames_per_sample;
            std::printf("%-10s %4dx%-5d %12.2f %14.2f %16.2f %8.2f\n", id, size.width, size.height, ms, decode_ms, budget,
                        ms / budget);
        }
    }
    std::printf("\nratio = plugin time / decode time of the frames between two samples (target < 1)\n");
    return 0;
}
