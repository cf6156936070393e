// `voirie analyze` as a short orchestration of its stages, each in its own file:
// output_policy (where the project goes, resume, overwrite) -> the plugins (DetectorSet,
// AnonymizerSet) -> run_provenance -> detection_pipeline (decode -> detect) -> frame_recorder
// (ground, tracker, store) with evidence_writer (anonymized chips) -> analysis_summary.
#include "voirie/core/analysis/analysis_run.hpp"

#include "voirie/core/calibration/camera_estimate.hpp"
#include "voirie/core/calibration/clock_alignment.hpp"

#include "detection_pipeline.hpp"
#include "evidence_writer.hpp"
#include "frame_recorder.hpp"
#include "output_policy.hpp"
#include "run_provenance.hpp"

#include "voirie/core/base/cpu_time.hpp"
#include "voirie/core/surface/project_surface.hpp"

#include <opencv2/core/utility.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

namespace voirie {
namespace fs = std::filesystem;
namespace {

constexpr int kCommitEveryFrames = 16;
constexpr double kCommitEverySeconds = 2.0;

// The run has its own threads (decoder, one detection worker and one evidence thread per core):
// OpenCV's own thread pool inside each plugin call would only add overhead, and would hide where
// the CPU goes (a stage's cost is measured on the thread that runs it). Restored afterwards.
class OpenCvSingleThreaded {
public:
    OpenCvSingleThreaded() : previous_(cv::getNumThreads()) { cv::setNumThreads(1); }
    ~OpenCvSingleThreaded() { cv::setNumThreads(previous_); }
    OpenCvSingleThreaded(const OpenCvSingleThreaded&) = delete;
    OpenCvSingleThreaded& operator=(const OpenCvSingleThreaded&) = delete;

private:
    int previous_;
};

double nowUnix()
{
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// What the footage covers of the track, in km (the GPS usually runs before and after the video).
double footageKilometres(SurveyReader& reader)
{
    const Track& track = reader.track();
    double km = track.lengthMetres() / 1000.0;
    if (reader.summary().videos.empty())
        return km;
    double first = 1e300, last = -1e300;
    for (const auto& v : reader.summary().videos) {
        first = std::min(first, v.start_time);
        last = std::max(last, v.start_time + (v.fps > 0 ? double(v.frames_declared) / v.fps : 0.0));
    }
    auto chainageAt = [&](double t) {
        auto s = track.at(std::clamp(t, track.startTime(), track.endTime()));
        return s ? std::optional<double>(s->chainage_m) : std::nullopt;
    };
    if (auto a = chainageAt(first), b = chainageAt(last); a && b && *b > *a)
        km = (*b - *a) / 1000.0;
    return km;
}

// The anonymizers every evidence image goes through, unless --no-anonymize (then none): one set
// per evidence thread, as a plugin instance serves one thread at a time.
Result<std::vector<AnonymizerSet>> openAnonymizers(const AnalysisOptions& options, int threads)
{
    std::vector<AnonymizerSet> sets;
    for (int i = 0; options.anonymize && i < threads; ++i) {
        auto set = AnonymizerSet::open(options.plugin_dirs, options.anonymizers, options.parameters);
        if (!set)
            return fail(set.error() + "; evidence images would show faces and licence plates unblurred (install "
                                      "opencv-data for the built-in cascade-anonymizer, or pass --no-anonymize to "
                                      "write them unblurred, not for sharing)");
        sets.push_back(std::move(*set));
    }
    return sets;
}

// The ledger's stages; what no stage claims (FFmpeg's decoding threads above all, as OpenCV runs
// FFmpeg with its own thread pool) is counted with "decode", so that the stages add up to the
// process's CPU time.
std::map<std::string, double> cpuByStage(const CpuLedger& cpu, double process_cpu_s)
{
    auto stages = cpu.totals();
    double claimed = 0;
    for (const auto& [stage, seconds] : stages)
        claimed += seconds;
    stages["decode"] += std::max(0.0, process_cpu_s - claimed);
    return stages;
}

// Commits every few frames or seconds, so a kill loses little and the partial file stays valid.
class CommitPolicy {
public:
    bool due(const std::chrono::steady_clock::time_point& now) const
    {
        return frames_ >= kCommitEveryFrames || std::chrono::duration<double>(now - last_).count() >= kCommitEverySeconds;
    }
    void frameDone() { ++frames_; }
    void committed(const std::chrono::steady_clock::time_point& now) { frames_ = 0, last_ = now; }

private:
    int64_t frames_ = 0;
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// Records how far the run got, with `status` ("running", "interrupted"), and commits.
Status commitProgress(ProjectStore& store, const FrameRecorder& recorder, const std::string& status)
{
    if (auto s = store.setProgress(recorder.lastFrameIndex(), recorder.framesCommitted(), status); !s)
        return s;
    return store.commit();
}

// The survey is done: its progress, the run's summary and the QGIS styles, committed.
Status completeProject(ProjectStore& store, const FrameRecorder& recorder, const AnalysisSummary& summary)
{
    const char* status = summary.partial() ? "partial" : "complete";
    if (auto s = store.setProgress(recorder.lastFrameIndex(), recorder.framesCommitted(), status); !s)
        return s;
    if (auto s = store.finishRun(nowUnix(), summary.toJson(), status); !s)
        return s;
    if (auto s = store.writeStyles(); !s)
        return s;
    return store.commit();
}

} // namespace

Result<AnalysisSummary> runAnalysis(const AnalysisOptions& given, const AnalysisHooks& hooks)
{
    AnalysisOptions options = given; // with what is worked out from the footage (clock, camera) filled in
    const auto wall_start = std::chrono::steady_clock::now();
    const double cpu_start = processCpuSeconds();
    OpenCvSingleThreaded opencv_threads;
    CpuLedger cpu;
    auto warn = [&](const std::string& s) {
        if (hooks.warning)
            hooks.warning(s);
    };
    auto cancelled = [&] { return hooks.cancel && hooks.cancel->load(); };
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count(); };

    auto plan = planOutput(options, warn);
    if (!plan)
        return fail(plan.error());
    const int workers = options.threads > 0 ? options.threads : int(std::max(1u, std::thread::hardware_concurrency()));
    DetectorSetOptions detector_options{options.plugin_dirs, options.plugins, options.parameters, {}, workers};
    detector_options.other_plugin_ids = AnonymizerSet::chosenIds(options.plugin_dirs, options.anonymizers);
    auto detectors = DetectorSet::open(detector_options);
    if (!detectors)
        return fail(detectors.error());
    for (const auto& s : detectors->skipped())
        warn("skipping a plugin: " + s);
    // One set per evidence thread, and one for the surface's road bands (on the recorder's thread).
    const bool anonymize_bands = options.ortho && options.ortho_anonymize;
    auto anonymizers = openAnonymizers(options, workers + (anonymize_bands ? 1 : 0));
    if (!anonymizers)
        return fail(anonymizers.error());
    AnonymizerSet* surface_anonymizer = nullptr;
    if (anonymize_bands && !anonymizers->empty())
        surface_anonymizer = &anonymizers->back();
    std::vector<AnonymizerSet*> evidence_anonymizers;
    for (int i = 0; i < workers && i < int(anonymizers->size()); ++i)
        evidence_anonymizers.push_back(&(*anonymizers)[size_t(i)]);
    AnonymizerSet* anonymizer = evidence_anonymizers.empty() ? nullptr : evidence_anonymizers.front();
    double calibration_cpu = 0;
    if (options.ingest.time_offset_auto) { // a second read of the footage's first minutes, its own stage
        const double calibration_start = processCpuSeconds();
        auto ingest = resolveTimeOffset(options.ingest);
        if (!ingest)
            return fail(ingest.error());
        options.ingest = std::move(*ingest);
        calibration_cpu = processCpuSeconds() - calibration_start;
    }
    if (!options.ingest.camera_file && !options.ingest.videos.empty()) { // the camera from the footage's first minute
        const double calibration_start = processCpuSeconds();
        std::string why_not;
        options.ingest = resolveCamera(std::move(options.ingest), &why_not);
        if (!why_not.empty())
            warn("the camera could not be worked out from the footage (" + why_not + "); a typical dash-cam's is assumed");
        calibration_cpu += processCpuSeconds() - calibration_start;
    }
    if (calibration_cpu > 0)
        cpu.add("calibration", calibration_cpu);
    auto opened = SurveyReader::open(options.ingest);
    if (!opened)
        return fail(opened.error());
    SurveyReader& reader = **opened;
    const Track& track = reader.track();
    auto provenance = buildProvenance(options, *detectors, anonymizer, reader);
    if (!provenance)
        return fail(provenance.error());
    // Refused before the project is created: a surface that cannot be written leaves nothing.
    std::unique_ptr<SurfaceMosaic> surface;
    if (options.ortho) {
        if (plan->resuming)
            return fail("--ortho cannot continue an interrupted run (its first frames are not decoded again): resume "
                        "without --ortho, then make the surface with voirie ortho " + plan->out.string());
        SurfaceOptions surface_options = options.surface;
        surface_options.overwrite = options.overwrite;
        auto started = SurfaceMosaic::start(*options.ortho, reader.camera(), surface_options, surface_anonymizer);
        if (!started)
            return fail(started.error());
        surface = std::move(*started);
    }

    AnalysisSummary summary;
    summary.footprint_factors = options.footprint;
    summary.resumed = plan->resuming;
    summary.plugins = detectors->describe();
    summary.skipped_plugins = detectors->skipped();
    if (anonymizer)
        summary.anonymized_by = anonymizer->describe();

    auto project = openRunProject(*plan, track, *provenance);
    if (!project)
        return fail(project.error());
    ProjectStore& store = *project->store;
    cpu.add("setup", processCpuSeconds() - cpu_start - calibration_cpu);
    EvidenceWriter evidence(evidence_anonymizers, options.chips_dir, plan->out.parent_path(), cpu);
    FrameRecorder recorder(store, track, reader.camera(), options, project->resume, evidence, summary, warn, cpu);
    DetectionPipeline pipeline(reader, *detectors, project->resume.last_frame_index, cancelled, cpu);
    const double km_total = footageKilometres(reader);

    // Frames come back in order; each is recorded, and the project committed every few frames.
    Status recorded = store.begin();
    CommitPolicy commits;
    // Commits and the project's completion are the store's cost too.
    auto storing = [&](auto&& call) {
        StageClock clock(cpu, "store");
        return call();
    };
    while (recorded) {
        auto job = pipeline.next();
        if (!job)
            break;
        recorded = recorder.record(*job);
        if (recorded && surface && !job->replay) {
            StageClock clock(cpu, "surface");
            const GeoFrame& f = job->frame;
            recorded = surface->add(f.image, {f.index, f.lon, f.lat, f.heading_deg, f.chainage_m});
        }
        if (!recorded)
            break;
        commits.frameDone();
        const auto now = std::chrono::steady_clock::now();
        if (!job->replay && commits.due(now)) {
            recorded = storing([&] { return commitProgress(store, recorder, "running"); });
            if (recorded && hooks.committed)
                hooks.committed(recorder.framesCommitted());
            if (recorded)
                recorded = storing([&] { return store.begin(); });
            if (!recorded)
                break;
            commits.committed(now);
        }
        if (hooks.progress)
            hooks.progress({recorder.framesCommitted(), recorder.kilometres(), km_total, elapsed()});
    }
    pipeline.stop();
    if (!recorded)
        return fail(recorded.error() + "; the work committed so far is in " + plan->partial.string() +
                    " (continue it with --resume once the problem is fixed)");
    if (pipeline.decodeError())
        return fail(*pipeline.decodeError());

    summary.interrupted = cancelled();
    summary.ingest = reader.summary();
    summary.km = recorder.kilometres();
    summary.km_covered = recorder.kilometresCovered();
    if (summary.interrupted) {
        if (auto s = storing([&] { return commitProgress(store, recorder, "interrupted"); }); !s)
            return fail(s.error());
        summary.project = plan->partial;
    } else {
        if (!recorder.anyFrame())
            return fail("no frame could be positioned on the track; nothing was analysed");
        if (auto s = recorder.finish(); !s)
            return fail(s.error());
        summary.ingest = reader.summary(); // final decode counts
        if (surface) {
            StageClock clock(cpu, "surface");
            auto written = surface->finish();
            if (!written)
                return fail(written.error() + "; the analysis itself is in " + plan->partial.string() +
                            " (continue it with --resume, without --ortho)");
            summary.surface = surfaceRecord(*written);
        }
        // The run's own summary, stored in the project, says what the run cost up to here.
        const double cpu_so_far = processCpuSeconds() - cpu_start;
        summary.measureCost(elapsed(), cpu_so_far, cpuByStage(cpu, cpu_so_far));
        if (auto s = storing([&] { return completeProject(store, recorder, summary); }); !s)
            return fail(s.error());
        if (auto s = storing([&] { return moveIntoPlace(std::move(project->store), *plan); }); !s)
            return fail(s.error());
        summary.project = plan->out;
    }
    const double cpu_s = processCpuSeconds() - cpu_start;
    summary.measureCost(elapsed(), cpu_s, cpuByStage(cpu, cpu_s));
    return summary;
}

} // namespace voirie
