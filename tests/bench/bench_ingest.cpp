// Benchmark: sampling costs nothing beyond decoding. Prints, for the same 1280x720 30 fps H.264
// video, decode-only throughput and SurveyReader (--every-m 3) throughput, and their ratio.
//   voirie_bench_ingest [seconds_of_video=60]
#include "survey_fixtures.hpp"

#include "voirie/core/ingest/survey_reader.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

namespace {

using namespace voirie::test;
using Clock = std::chrono::steady_clock;

// A textured frame scrolling like a road seen from a moving car, so the encoder works for real.
void writeTexturedVideo(const std::filesystem::path& path, int frames)
{
    cv::VideoWriter writer(path.string(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc('a', 'v', 'c', '1'), 30,
                           cv::Size(1280, 720));
    cv::Mat texture(1440, 1280, CV_8UC3);
    cv::randu(texture, cv::Scalar::all(60), cv::Scalar::all(140));
    cv::GaussianBlur(texture, texture, {3, 3}, 0);
    for (int y = 0; y < texture.rows; y += 90)
        cv::line(texture, {600, y}, {600, y + 45}, cv::Scalar::all(230), 12);
    for (int i = 0; i < frames; ++i) {
        const int offset = (i * 12) % 720;
        writer.write(texture(cv::Rect(0, 720 - offset, 1280, 720)));
    }
}

double seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

} // namespace

int main(int argc, char** argv)
{
    const int video_seconds = argc > 1 ? std::atoi(argv[1]) : 60;
    const int frames = video_seconds * 30;
    TempDir dir;
    std::cout << "Generating " << video_seconds << " s of 1280x720 30 fps H.264..." << std::flush;
    writeTexturedVideo(dir / "survey.mp4", frames);
    // 40 km/h: 11.1 m/s along the test path, fixes at 1 Hz.
    std::vector<Fix> fixes;
    Utm31 utm;
    for (int t = -1; t <= video_seconds + 1; ++t) {
        auto p = pathAt(t, 40 / 3.6);
        Fix f{kT0 + t, 0, 0};
        utm.toGeo(p.e, p.n, f.lon, f.lat);
        fixes.push_back(f);
    }
    writeGpx(dir / "survey.gpx", fixes);
    std::cout << " done\n";

    // Runs are interleaved and the median is reported: on a 2-core machine one run of anything
    // can be slowed by the other core's work.
    std::vector<double> grab_s, decode_s, sample_s, setup_s;
    int64_t sampled = 0;
    for (int run = 0; run < 5; ++run) {
        {
            auto t0 = Clock::now();
            cv::VideoCapture capture((dir / "survey.mp4").string(), cv::CAP_FFMPEG);
            int n = 0;
            while (capture.grab())
                ++n;
            grab_s.push_back(seconds(t0));
            if (n != frames)
                std::cerr << "warning: decoded " << n << " of " << frames << " frames\n";
        }
        {
            auto t0 = Clock::now();
            cv::VideoCapture capture((dir / "survey.mp4").string(), cv::CAP_FFMPEG);
            cv::Mat image;
            while (capture.read(image)) {
            }
            decode_s.push_back(seconds(t0));
        }
        {
            voirie::IngestOptions options;
            options.videos = {dir / "survey.mp4"};
            options.track = dir / "survey.gpx";
            options.video_start = kT0;
            auto t0 = Clock::now();
            auto reader = voirie::SurveyReader::open(options);
            if (!reader) {
                std::cerr << reader.error() << "\n";
                return 1;
            }
            setup_s.push_back(seconds(t0));
            sampled = 0;
            while (auto frame = (*reader)->next())
                ++sampled;
            sample_s.push_back(seconds(t0));
        }
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    const double grab = median(grab_s), decode = median(decode_s), sample = median(sample_s), setup = median(setup_s);
    std::printf("\nvideo: %d frames, 1280x720, 30 fps, H.264 at 40 km/h; median of 5 interleaved runs\n", frames);
    std::printf("decode only (grab, no colour conversion): %7.1f frames/s\n", frames / grab);
    std::printf("decode + BGR conversion of every frame:   %7.1f frames/s\n", frames / decode);
    std::printf("voirie frames --every-m 3:                %7.1f frames/s  (%lld frames sampled, %.0f ms of it setup:\n"
                "                                          track, PROJ, video probe)\n",
                frames / sample, static_cast<long long>(sampled), setup * 1000);
    std::printf("ratio sampling / decode-only:             %7.3f  (target >= 0.95)\n", grab / sample);
    std::printf("ratio excluding setup:                    %7.3f\n", grab / (sample - setup));
    return 0;
}
