// Test tool: `voirie analyze` of a survey as the e2e suites run it (classical plugins, the fake
// blur-box anonymizer), through the engine's runAnalysis, with a committed-hook that kills the
// process with SIGKILL as soon as a commit holds N frames - a kill -9 at a known frame, for the
// resume tests. Usage: voirie_test_analyze_and_kill SURVEY_DIR FAKE_PLUGIN_DIR OUT.gpkg N
#include "voirie/core/analysis/analysis_run.hpp"

#include <csignal>
#include <cstdlib>
#include <iostream>

int main(int argc, char** argv)
{
    if (argc != 5) {
        std::cerr << "usage: voirie_test_analyze_and_kill SURVEY_DIR FAKE_PLUGIN_DIR OUT.gpkg FRAMES\n";
        return 2;
    }
    const std::filesystem::path survey = argv[1];
    const long long kill_after = std::atoll(argv[4]);
    voirie::AnalysisOptions options;
    options.ingest.videos = {survey / "survey.mp4"};
    options.ingest.track = survey / "survey.gpx";
    options.ingest.camera_file = survey / "camera.json";
    options.ingest.cleaning.smoothing_s = voirie::kRecommendedSmoothingSeconds; // as `voirie analyze`
    options.plugins = std::vector<std::string>{"cracks", "potholes"};
    options.plugin_dirs = {argv[2]};
    options.anonymizers = std::vector<std::string>{"blur-box"};
    options.out = argv[3];
    voirie::AnalysisHooks hooks;
    hooks.committed = [&](int64_t frames_committed) {
        if (frames_committed >= kill_after)
            std::raise(SIGKILL);
    };
    auto summary = voirie::runAnalysis(options, hooks);
    if (!summary) {
        std::cerr << summary.error() << "\n";
        return 1;
    }
    return 0; // finished before a commit held enough frames
}
