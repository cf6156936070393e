// `voirie analyze` as a short orchestration of its stages, each in its own file:
// output_policy (where the project goes, resume, overwrite) -> the plugins (DetectorSet,
// AnonymizerSet) -> run_provenance -> detection_pipeline (decode -> detect) -> frame_recorder
// (ground, tracker, store) with evidence_writer (anonymized chips) -> analysis_summary.
#include "voirie/core/analysis/analysis_run.hpp"

#include "detection_pipeline.hpp"
#include "evidence_writer.hpp"
#include "frame_recorder.hpp"
#include "output_policy.hpp"
#include "run_provenance.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace voirie {
namespace fs = std::filesystem;
namespace {

constexpr int kCommitEveryFrames = 16;
constexpr double kCommitEverySeconds = 2.0;

double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

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

// The anonymizers every evidence image goes through, unless --no-anonymize.
Result<std::optional<AnonymizerSet>> openAnonymizers(const AnalysisOptions& options)
{
    if (!options.anonymize)
        return std::optional<AnonymizerSet>();
    auto set = AnonymizerSet::open(options.plugin_dirs, options.anonymizers, options.parameters);
    if (!set)
        return fail(set.error() + "; evidence images would show faces and licence plates unblurred (install "
                                  "opencv-data for the built-in cascade-anonymizer, or pass --no-anonymize to "
                                  "write them unblurred, not for sharing)");
    return std::optional<AnonymizerSet>(std::move(*set));
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

Result<AnalysisSummary> runAnalysis(const AnalysisOptions& options, const AnalysisHooks& hooks)
{
    const auto wall_start = std::chrono::steady_clock::now();
    const double cpu_start = cpuSeconds();
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
    auto anonymizers = openAnonymizers(options);
    if (!anonymizers)
        return fail(anonymizers.error());
    AnonymizerSet* anonymizer = *anonymizers ? &**anonymizers : nullptr;
    auto opened = SurveyReader::open(options.ingest);
    if (!opened)
        return fail(opened.error());
    SurveyReader& reader = **opened;
    const Track& track = reader.track();
    auto provenance = buildProvenance(options, *detectors, anonymizer, reader);
    if (!provenance)
        return fail(provenance.error());

    AnalysisSummary summary;
    summary.resumed = plan->resuming;
    summary.plugins = detectors->describe();
    summary.skipped_plugins = detectors->skipped();
    if (anonymizer)
        summary.anonymized_by = anonymizer->describe();

    auto project = openRunProject(*plan, track, *provenance);
    if (!project)
        return fail(project.error());
    ProjectStore& store = *project->store;
    EvidenceWriter evidence(anonymizer, options.chips_dir, plan->out.parent_path(), summary, warn);
    FrameRecorder recorder(store, track, reader.camera(), options, project->resume, evidence, summary, warn);
    DetectionPipeline pipeline(reader, *detectors, project->resume.last_frame_index, cancelled);
    const double km_total = footageKilometres(reader);

    // Frames come back in order; each is recorded, and the project committed every few frames.
    Status recorded = store.begin();
    CommitPolicy commits;
    while (recorded) {
        auto job = pipeline.next();
        if (!job)
            break;
        recorded = recorder.record(*job);
        if (!recorded)
            break;
        commits.frameDone();
        const auto now = std::chrono::steady_clock::now();
        if (!job->replay && commits.due(now)) {
            recorded = commitProgress(store, recorder, "running");
            if (recorded && hooks.committed)
                hooks.committed(recorder.framesCommitted());
            if (recorded)
                recorded = store.begin();
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
    if (summary.interrupted) {
        if (auto s = commitProgress(store, recorder, "interrupted"); !s)
            return fail(s.error());
        summary.project = plan->partial;
    } else {
        if (!recorder.anyFrame())
            return fail("no frame could be positioned on the track; nothing was analysed");
        if (auto s = recorder.finish(); !s)
            return fail(s.error());
        summary.wall_s = elapsed();
        summary.cpu_s = cpuSeconds() - cpu_start;
        summary.ingest = reader.summary(); // final decode counts
        if (auto s = completeProject(store, recorder, summary); !s)
            return fail(s.error());
        if (auto s = moveIntoPlace(std::move(project->store), *plan); !s)
            return fail(s.error());
        summary.project = plan->out;
    }
    summary.wall_s = elapsed();
    summary.cpu_s = cpuSeconds() - cpu_start;
    return summary;
}

} // namespace voirie
