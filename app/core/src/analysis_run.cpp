#include "voirie/core/analysis_run.hpp"

#include "voirie/core/anonymizer_set.hpp"
#include "voirie/core/atomic_output.hpp"
#include "voirie/core/camera_file.hpp"
#include "voirie/core/detector_instance.hpp"
#include "voirie/core/evidence_chip.hpp"
#include "voirie/core/file_digest.hpp"
#include "voirie/core/ground_projector.hpp"
#include "voirie/core/plugin_registry.hpp"
#include "voirie/core/project_store.hpp"
#include "voirie/core/severity_rules.hpp"
#include "voirie/core/version.hpp"

#include <opencv2/imgproc.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace voirie {
namespace fs = std::filesystem;

namespace {

constexpr int kCommitEveryFrames = 16;
constexpr double kCommitEverySeconds = 2.0;
constexpr size_t kFailureExamples = 5;

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

// Plugins, one instance per worker, created before any frame is read.
struct PluginSet {
    std::vector<std::shared_ptr<const PluginLibrary>> libraries;
    std::vector<std::map<std::string, ParameterValue>> parameters;
    std::vector<std::vector<std::unique_ptr<DetectorInstance>>> per_worker; // [worker][plugin]
    std::vector<std::string> skipped;
};

Result<PluginSet> openPlugins(const AnalysisOptions& options, int workers)
{
    PluginRegistry registry(PluginRegistry::defaultSearchPath(options.plugin_dirs));
    const bool explicit_ids = options.plugins.has_value();
    const std::vector<std::string> ids = explicit_ids ? *options.plugins : registry.usableIds();
    const std::vector<std::string> anonymizer_ids =
        options.anonymizers ? *options.anonymizers : registry.usableIds("anonymizer");
    for (const auto& [id, _] : options.parameters)
        if (std::find(ids.begin(), ids.end(), id) == ids.end() &&
            std::find(anonymizer_ids.begin(), anonymizer_ids.end(), id) == anonymizer_ids.end())
            return fail("--param names plugin '" + id + "', which is not among the plugins being run");
    PluginSet set;
    set.per_worker.resize(size_t(workers));
    for (const auto& id : ids) {
        auto library = registry.load(id);
        Result<std::map<std::string, ParameterValue>> params = fail("");
        if (library) {
            auto it = options.parameters.find(id);
            params = resolveParameters((*library)->manifest(),
                                       it == options.parameters.end() ? std::map<std::string, std::string>{} : it->second);
        }
        std::string problem = !library ? library.error() : !params ? params.error() : "";
        std::vector<std::unique_ptr<DetectorInstance>> instances;
        for (int w = 0; problem.empty() && w < workers; ++w) {
            auto instance = DetectorInstance::create(*library, *params);
            if (!instance)
                problem = instance.error();
            else
                instances.push_back(std::move(*instance));
        }
        if (!problem.empty()) {
            if (explicit_ids)
                return fail(problem);
            set.skipped.push_back(problem);
            continue;
        }
        set.libraries.push_back(*library);
        set.parameters.push_back(*params);
        for (int w = 0; w < workers; ++w)
            set.per_worker[size_t(w)].push_back(std::move(instances[size_t(w)]));
    }
    if (set.libraries.empty()) {
        std::string searched;
        for (const auto& d : registry.searchDirs())
            searched += (searched.empty() ? "" : ", ") + d.string();
        return fail("no usable detector plugin was found (searched: " + searched + ")" +
                    (set.skipped.empty() ? "" : "; " + set.skipped.front()));
    }
    return set;
}

Result<RunInput> describeInput(const std::string& role, const fs::path& path)
{
    std::error_code ec;
    RunInput input{role, fs::absolute(path, ec), fs::file_size(path, ec), ""};
    if (ec)
        return fail("cannot read " + path.string() + ": " + ec.message());
    auto digest = sha256OfFile(path);
    if (!digest)
        return fail(digest.error());
    input.sha256 = *digest;
    return input;
}

nlohmann::ordered_json cameraJson(const CameraModel& c)
{
    return {{"width", c.width}, {"height", c.height}, {"fx", c.fx},           {"fy", c.fy},
            {"cx", c.cx},       {"cy", c.cy},         {"height_m", c.height_m}, {"pitch_deg", c.pitch_deg},
            {"roll_deg", c.roll_deg}};
}

Result<RunProvenance> buildProvenance(const AnalysisOptions& options, const PluginSet& plugins,
                                      const std::optional<AnonymizerSet>& anonymizers, SurveyReader& reader)
{
    RunProvenance run;
    run.voirie_version = VOIRIE_VERSION;
    run.command_line = options.command_line;
    run.started = nowUnix();
    std::vector<std::pair<std::string, fs::path>> files;
    for (const auto& v : options.ingest.videos)
        files.emplace_back("video", v);
    if (options.ingest.photos_dir) {
        std::vector<fs::path> photos;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(*options.ingest.photos_dir, ec))
            if (e.is_regular_file())
                photos.push_back(e.path());
        std::sort(photos.begin(), photos.end());
        for (const auto& p : photos)
            files.emplace_back("photo", p);
    }
    if (options.ingest.track)
        files.emplace_back("track", *options.ingest.track);
    if (options.ingest.camera_file)
        files.emplace_back("camera", *options.ingest.camera_file);
    for (const auto& [role, path] : files) {
        auto input = describeInput(role, path);
        if (!input)
            return fail(input.error());
        run.inputs.push_back(*input);
    }
    for (size_t i = 0; i < plugins.libraries.size(); ++i) {
        const auto& m = plugins.libraries[i]->manifest();
        auto digest = sha256OfFile(m.libraryPath());
        if (!digest)
            return fail(digest.error());
        nlohmann::ordered_json params = nlohmann::ordered_json::object();
        for (const auto& [k, v] : plugins.parameters[i])
            params[k] = formatParameterValue(v);
        run.plugins.push_back({m.id, m.version, m.libraryPath(), *digest, params, m.kind});
    }
    if (anonymizers)
        for (size_t i = 0; i < anonymizers->libraries().size(); ++i) {
            const auto& m = anonymizers->libraries()[i]->manifest();
            auto digest = sha256OfFile(m.libraryPath());
            if (!digest)
                return fail(digest.error());
            nlohmann::ordered_json params = nlohmann::ordered_json::object();
            for (const auto& [k, v] : anonymizers->parameters()[i])
                params[k] = formatParameterValue(v);
            run.plugins.push_back({m.id, m.version, m.libraryPath(), *digest, params, m.kind});
        }
    run.anonymized_by = anonymizers ? anonymizers->describe() : std::vector<std::string>{};
    run.camera = cameraJson(reader.camera());
    run.camera["source"] = reader.summary().camera_source;
    run.options = {{"sampling", options.ingest.sampling.describe()},
                   {"time_offset_s", options.ingest.time_offset_s},
                   {"max_range_m", options.max_range_m},
                   {"merge_m", options.tracking.merge_m},
                   {"min_frames", options.tracking.min_frames}};
    if (options.ingest.video_start)
        run.options["video_start"] = *options.ingest.video_start;
    return run;
}

// A frame on its way through the workers.
struct Job {
    int64_t sequence = 0;
    GeoFrame frame;
    bool replay = false;                // committed by an earlier run: its detections are stored
    std::vector<Detection> detections;
    int64_t invalid = 0;
    std::vector<std::pair<std::string, std::string>> failures; // plugin id, sentence
};

// Frames from the decoder to the workers and back to the writer, at most `capacity` in flight.
class FramePipeline {
public:
    explicit FramePipeline(size_t capacity) : capacity_(capacity) {}

    // Decoder side: blocks while the pipeline is full.
    void push(Job job)
    {
        std::unique_lock lock(mutex_);
        space_.wait(lock, [&] { return in_flight_ < capacity_; });
        ++in_flight_;
        todo_.push_back(std::move(job));
        work_.notify_one();
    }
    void closeInput()
    {
        std::lock_guard lock(mutex_);
        input_closed_ = true;
        work_.notify_all();
        done_.notify_all();
    }
    // Worker side: nothing once the input is closed and drained.
    std::optional<Job> take()
    {
        std::unique_lock lock(mutex_);
        work_.wait(lock, [&] { return !todo_.empty() || input_closed_; });
        if (todo_.empty())
            return std::nullopt;
        Job job = std::move(todo_.front());
        todo_.pop_front();
        return job;
    }
    void finished(Job job)
    {
        std::lock_guard lock(mutex_);
        const int64_t seq = job.sequence;
        results_.emplace(seq, std::move(job));
        done_.notify_all();
    }
    // Writer side: the next job in sequence, or nothing at the end.
    std::optional<Job> next()
    {
        std::unique_lock lock(mutex_);
        done_.wait(lock, [&] { return results_.count(next_) || (input_closed_ && in_flight_ == 0); });
        auto it = results_.find(next_);
        if (it == results_.end())
            return std::nullopt;
        Job job = std::move(it->second);
        results_.erase(it);
        ++next_;
        --in_flight_;
        space_.notify_one();
        return job;
    }

private:
    size_t capacity_;
    std::mutex mutex_;
    std::condition_variable space_, work_, done_;
    std::deque<Job> todo_;
    std::map<int64_t, Job> results_;
    size_t in_flight_ = 0;
    int64_t next_ = 0;
    bool input_closed_ = false;
};

bool touchesEdge(const PixelBox& b, const cv::Mat& image)
{
    constexpr double margin = 2.0;
    return b.x <= margin || b.y <= margin || b.x + b.width >= image.cols - margin ||
           b.y + b.height >= image.rows - margin;
}

// How good a picture of the defect a frame is: confident, close, sharp, and whole.
double evidenceScore(const Detection& d, const GroundFootprint& g, double sharpness, bool truncated)
{
    const double closeness = 1.0 / (1.0 + (g.distance_m / 6.0) * (g.distance_m / 6.0));
    return d.confidence * closeness * (sharpness / (sharpness + 100.0)) * (truncated ? 0.5 : 1.0);
}

// A region whose centre lies inside the damage's own outline on the road is the damage taken for
// a face or plate (dark potholes fool plate cascades): blurring it would erase the evidence, and
// no face or plate lies flat inside a pothole or alligator area.
std::vector<BlurRegion> withoutTheDamageItself(const std::vector<BlurRegion>& regions, const Detection& damage)
{
    if (damage.shape != ShapeKind::Polygon || damage.points.size() < 3)
        return regions;
    std::vector<cv::Point2f> outline;
    for (const auto& p : damage.points)
        outline.emplace_back(float(p.x), float(p.y));
    std::vector<BlurRegion> kept;
    for (const auto& r : regions) {
        const cv::Point2f centre(float(r.box.x + r.box.width / 2), float(r.box.y + r.box.height / 2));
        if (cv::pointPolygonTest(outline, centre, false) < 0)
            kept.push_back(r);
    }
    return kept;
}

std::string chipFileName(int64_t damage_id)
{
    char name[40];
    std::snprintf(name, sizeof(name), "damage_%06lld.jpg", static_cast<long long>(damage_id));
    return name;
}

Status writeChipFile(const fs::path& folder, const std::string& name, const std::vector<unsigned char>& jpeg)
{
    const fs::path tmp = folder / ("." + name + ".tmp");
    {
        std::ofstream out(tmp, std::ios::binary);
        out.write(reinterpret_cast<const char*>(jpeg.data()), std::streamsize(jpeg.size()));
        if (!out)
            return fail("cannot write evidence chip " + (folder / name).string() + " (disk full?)");
    }
    std::error_code ec;
    fs::rename(tmp, folder / name, ec);
    if (ec)
        return fail("cannot write evidence chip " + (folder / name).string() + ": " + ec.message());
    return Ok{};
}

} // namespace

fs::path partialProjectPath(const fs::path& out)
{
    return out.parent_path() / (out.stem().string() + ".partial.gpkg");
}

Result<AnalysisSummary> runAnalysis(const AnalysisOptions& options, const AnalysisHooks& hooks)
{
    const auto wall_start = std::chrono::steady_clock::now();
    const double cpu_start = cpuSeconds();
    auto warn = [&](const std::string& s) {
        if (hooks.warning)
            hooks.warning(s);
    };
    auto cancelled = [&] { return hooks.cancel && hooks.cancel->load(); };

    // Where the work goes, and what is already there.
    std::error_code ec;
    const fs::path out = options.out, partial = partialProjectPath(out);
    if (out.extension() != ".gpkg")
        return fail("--out must name a GeoPackage file ending in .gpkg, not " + out.string());
    if (auto check = AtomicOutput::prepare(out, options.overwrite || options.resume); !check)
        return fail(check.error());
    const bool have_partial = fs::exists(partial, ec);
    if (have_partial && !options.resume && !options.overwrite)
        return fail("an interrupted run of " + out.string() + " is in " + partial.string() +
                    "; pass --resume to continue it or --overwrite to start again");
    if (options.resume && !have_partial && fs::exists(out, ec))
        return fail(out.string() + " is already a finished project; there is nothing to resume (pass --overwrite "
                                   "to analyse again)");
    const bool resuming = options.resume && have_partial;
    if (options.resume && !have_partial)
        warn("no interrupted run of " + out.string() + " was found; starting from the beginning");
    if (options.chips_dir) {
        fs::create_directories(*options.chips_dir, ec);
        if (!fs::is_directory(*options.chips_dir, ec))
            return fail("cannot create the chips folder " + options.chips_dir->string());
    }

    const int workers = options.threads > 0 ? options.threads : int(std::max(1u, std::thread::hardware_concurrency()));
    auto plugins = openPlugins(options, workers);
    if (!plugins)
        return fail(plugins.error());
    for (const auto& s : plugins->skipped)
        warn("skipping a plugin: " + s);
    std::optional<AnonymizerSet> anonymizers;
    if (options.anonymize) {
        auto set = AnonymizerSet::open(options.plugin_dirs, options.anonymizers, options.parameters);
        if (!set)
            return fail(set.error() + "; evidence images would show faces and licence plates unblurred (install "
                                      "opencv-data for the built-in cascade-anonymizer, or pass --no-anonymize to "
                                      "write them unblurred, not for sharing)");
        anonymizers = std::move(*set);
    }
    auto opened = SurveyReader::open(options.ingest);
    if (!opened)
        return fail(opened.error());
    SurveyReader& reader = **opened;
    const Track& track = reader.track();

    auto provenance = buildProvenance(options, *plugins, anonymizers, reader);
    if (!provenance)
        return fail(provenance.error());

    AnalysisSummary summary;
    summary.resumed = resuming;
    for (const auto& l : plugins->libraries)
        summary.plugins.push_back(l->manifest().id + " " + l->manifest().version);
    summary.skipped_plugins = plugins->skipped;
    if (anonymizers)
        summary.anonymized_by = anonymizers->describe();

    std::unique_ptr<ProjectStore> store;
    ResumeState resume;
    if (resuming) {
        auto s = ProjectStore::open(partial);
        if (!s)
            return fail(s.error() + "; start again with --overwrite");
        store = std::move(*s);
        if (store->fingerprint() != provenance->fingerprint())
            return fail("cannot resume " + partial.string() +
                        ": its inputs, plugins or options differ from this command's (run it with the same "
                        "arguments, or pass --overwrite to start again)");
        auto state = store->readResumeState(track.frame());
        if (!state)
            return fail(state.error());
        resume = std::move(*state);
        if (auto s2 = store->clearDamages(); !s2)
            return fail(s2.error());
    } else {
        fs::remove(partial, ec);
        auto s = ProjectStore::create(partial, track, *provenance);
        if (!s)
            return fail(s.error());
        store = std::move(*s);
    }

    // Decoder thread -> workers -> this thread.
    FramePipeline pipeline(size_t(workers) * 2 + 2);
    std::optional<std::string> decode_error;
    std::atomic<bool> stop_decoding{false};
    std::thread decoder([&] {
        try {
            int64_t sequence = 0;
            while (!cancelled() && !stop_decoding) {
                auto frame = reader.next();
                if (!frame)
                    break;
                Job job;
                job.sequence = sequence++;
                job.replay = frame->index <= resume.last_frame_index;
                job.frame = std::move(*frame);
                pipeline.push(std::move(job));
            }
        } catch (const std::exception& e) {
            decode_error = e.what();
        }
        pipeline.closeInput();
    });
    std::vector<std::thread> pool;
    for (int w = 0; w < workers; ++w)
        pool.emplace_back([&, w] {
            while (auto job = pipeline.take()) {
                if (!job->replay) {
                    FrameContext context;
                    context.frame_index = job->frame.index;
                    context.time_unix_s = job->frame.time;
                    context.position = GeoPosition{job->frame.lon, job->frame.lat};
                    context.heading_deg = job->frame.heading_deg;
                    context.speed_mps = job->frame.speed_mps;
                    context.chainage_m = job->frame.chainage_m;
                    context.camera = scaledTo(reader.camera(), job->frame.image.cols, job->frame.image.rows);
                    for (auto& detector : plugins->per_worker[size_t(w)]) {
                        auto result = detector->detect(job->frame.image, context);
                        if (!result) {
                            job->failures.emplace_back(detector->manifest().id, result.error());
                            continue;
                        }
                        job->invalid += result->dropped;
                        for (auto& d : result->detections)
                            job->detections.push_back(std::move(d));
                    }
                }
                pipeline.finished(std::move(*job));
            }
        });

    // Projection, tracking and storing, in frame order.
    std::optional<GroundProjector> projector;
    DamageTracker tracker(options.tracking);
    std::map<int64_t, Detection> pixel_of; // detections of the frame being handled, by id
    const cv::Mat* current_image = nullptr;
    auto keep_evidence = [&](const Observation& o) -> EvidenceView {
        auto it = pixel_of.find(o.detection_id);
        if (it == pixel_of.end() || current_image == nullptr)
            return {};
        const cv::Rect window = evidenceWindow(*current_image, it->second);
        return {(*current_image)(window).clone(), shiftedInto(it->second, window)};
    };
    std::optional<std::string> store_error;
    // The chip is cut once per damage, from its best view anonymized first (privacy by default).
    auto encodeChip = [&](Damage& d) {
        if (d.evidence.window.empty())
            return;
        cv::Mat pixels = d.evidence.window;
        if (anonymizers) {
            FrameContext context;
            context.frame_index = d.evidence_frame;
            auto regions = anonymizers->find(pixels, context);
            if (!regions) {
                blurEverything(pixels); // fail closed
                ++summary.anonymizer_failures;
                if (summary.failure_examples.size() < kFailureExamples) {
                    summary.failure_examples.push_back(regions.error());
                    warn(regions.error() + " (the whole chip of damage " + std::to_string(d.id) + " was blurred)");
                }
            } else {
                auto kept = withoutTheDamageItself(*regions, d.evidence.detection);
                summary.regions_blurred += int64_t(kept.size());
                summary.regions_on_damage += int64_t(regions->size() - kept.size());
                blurRegions(pixels, kept);
            }
        }
        d.evidence_jpeg = cutEvidenceChip(pixels, d.evidence.detection);
        d.evidence.window.release();
    };
    auto storeDamages = [&](std::vector<Damage> damages) {
        for (auto& d : damages) {
            encodeChip(d);
            std::string chip_path;
            if (options.chips_dir && !d.evidence_jpeg.empty()) {
                const std::string name = chipFileName(d.id);
                if (auto s = writeChipFile(*options.chips_dir, name, d.evidence_jpeg); !s) {
                    store_error = s.error();
                    return;
                }
                chip_path = (fs::relative(fs::absolute(*options.chips_dir), fs::absolute(out.parent_path()), ec) / name)
                                .generic_string();
            }
            if (auto s = store->addDamage(d, track.frame(), chip_path); !s) {
                store_error = s.error();
                return;
            }
            ++summary.damages;
            ++summary.damages_by_class[d.class_code][severityCode(d.severity).empty() ? "?" : severityCode(d.severity)];
        }
    };

    int64_t frames_since_commit = 0, last_frame_index = resume.last_frame_index;
    int64_t frames_committed = resume.frames_committed;
    auto last_commit = std::chrono::steady_clock::now();
    std::optional<double> first_chainage;
    double last_chainage = 0;
    // What the footage covers of the track (the GPS usually runs before and after the video).
    double km_total = track.lengthMetres() / 1000.0;
    if (!reader.summary().videos.empty()) {
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
            km_total = (*b - *a) / 1000.0;
    }
    if (auto s = store->begin(); !s)
        store_error = s.error();

    while (!store_error) {
        auto job = pipeline.next();
        if (!job)
            break;
        GeoFrame& frame = job->frame;
        if (!projector)
            projector.emplace(scaledTo(reader.camera(), frame.image.cols, frame.image.rows), options.max_range_m);
        if (!first_chainage)
            first_chainage = frame.chainage_m;
        last_chainage = frame.chainage_m;
        current_image = &frame.image;
        pixel_of.clear();
        std::vector<Observation> observations;
        if (job->replay) {
            ++summary.frames_replayed;
            if (auto it = resume.observations_by_frame.find(frame.index); it != resume.observations_by_frame.end())
                observations = it->second;
            for (const auto& o : observations)
                pixel_of[o.detection_id] = resume.detections_by_id[o.detection_id];
        } else {
            ++summary.frames_analysed;
            summary.detections_invalid += job->invalid;
            for (const auto& [plugin, sentence] : job->failures) {
                if (summary.failure_examples.size() < kFailureExamples) {
                    summary.failure_examples.push_back("frame " + std::to_string(frame.index) + ": " + sentence);
                    warn("frame " + std::to_string(frame.index) + ": " + sentence + " (the run goes on)");
                }
                ++summary.plugin_failures[plugin];
            }
            if (auto s = store->addFrame(frame); !s) {
                store_error = s.error();
                break;
            }
            const VehiclePose pose{track.frame().toMetric(frame.lon, frame.lat), frame.heading_deg};
            for (const auto& d : job->detections) {
                StoredDetection stored{frame.index, frame.time, frame.chainage_m, d, std::nullopt};
                if (auto footprint = projector->project(d, pose)) {
                    Observation o;
                    o.frame_index = frame.index;
                    o.time = frame.time;
                    o.frame_chainage_m = frame.chainage_m;
                    o.class_code = d.class_code;
                    o.plugin_id = d.plugin_id;
                    o.confidence = d.confidence;
                    o.centroid = footprint->centroid;
                    o.length_m = footprint->length_m;
                    o.area_m2 = footprint->area_m2;
                    o.width_mm = footprint->width_mm;
                    o.distance_m = footprint->distance_m;
                    o.forward_m = footprint->forward_m;
                    o.truncated = touchesEdge(d.box, frame.image);
                    o.evidence_score = evidenceScore(d, *footprint, boxSharpness(frame.image, d.box), o.truncated);
                    o.footprint = std::shared_ptr<const OGRGeometry>(footprint->metric.release());
                    stored.observation = o;
                } else {
                    ++summary.detections_off_road;
                }
                auto id = store->addDetection(stored, track.frame());
                if (!id) {
                    store_error = id.error();
                    break;
                }
                ++summary.detections;
                pixel_of[*id] = d;
                if (stored.observation) {
                    stored.observation->detection_id = *id;
                    observations.push_back(std::move(*stored.observation));
                }
            }
            if (store_error)
                break;
            ++frames_committed;
            last_frame_index = frame.index;
        }
        tracker.addFrame(frame.chainage_m, std::move(observations), keep_evidence);
        storeDamages(tracker.takeFinished(frame.chainage_m));
        current_image = nullptr;
        if (store_error)
            break;

        ++frames_since_commit;
        const auto now = std::chrono::steady_clock::now();
        if (!job->replay && (frames_since_commit >= kCommitEveryFrames ||
                             std::chrono::duration<double>(now - last_commit).count() >= kCommitEverySeconds)) {
            if (auto s = store->setProgress(last_frame_index, frames_committed, "running"); !s) {
                store_error = s.error();
                break;
            }
            if (auto s = store->commit(); !s) {
                store_error = s.error();
                break;
            }
            if (const char* abort_after = std::getenv("VOIRIE_TEST_KILL_AFTER_FRAMES");
                abort_after && frames_committed >= std::atoll(abort_after))
                std::raise(SIGKILL); // tests: a kill -9 right after a commit, at a known frame
            if (auto s = store->begin(); !s) {
                store_error = s.error();
                break;
            }
            frames_since_commit = 0;
            last_commit = now;
        }
        if (hooks.progress)
            hooks.progress({frames_committed, (last_chainage - *first_chainage) / 1000.0, km_total,
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count()});
    }

    // After a store error the decoder stops at its next frame; what is in flight is drained.
    stop_decoding = true;
    while (pipeline.next()) {
    }
    decoder.join();
    for (auto& t : pool)
        t.join();
    if (store_error)
        return fail(*store_error + "; the work committed so far is in " + partial.string() +
                    " (continue it with --resume once the problem is fixed)");
    if (decode_error)
        return fail(*decode_error);

    summary.interrupted = cancelled();
    summary.ingest = reader.summary();
    summary.km = first_chainage ? (last_chainage - *first_chainage) / 1000.0 : 0;
    if (summary.interrupted) {
        if (auto s = store->setProgress(last_frame_index, frames_committed, "interrupted"); !s)
            return fail(s.error());
        if (auto s = store->commit(); !s)
            return fail(s.error());
        summary.project = partial;
    } else {
        if (!first_chainage)
            return fail("no frame could be positioned on the track; nothing was analysed");
        storeDamages(tracker.finish());
        if (store_error)
            return fail(*store_error);
        summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
        summary.cpu_s = cpuSeconds() - cpu_start;
        if (auto s = store->setProgress(last_frame_index, frames_committed, "complete"); !s)
            return fail(s.error());
        if (auto s = store->finishRun(nowUnix(), summary.toJson(), "complete"); !s)
            return fail(s.error());
        if (auto s = store->writeStyles(); !s)
            return fail(s.error());
        if (auto s = store->commit(); !s)
            return fail(s.error());
        store.reset(); // closed and flushed before the rename
        fs::rename(partial, out, ec);
        if (ec)
            return fail("cannot move the finished project into place at " + out.string() + ": " + ec.message() +
                        " (it is complete in " + partial.string() + ")");
        summary.project = out;
    }
    summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    summary.cpu_s = cpuSeconds() - cpu_start;
    return summary;
}

nlohmann::ordered_json AnalysisSummary::toJson() const
{
    nlohmann::ordered_json j;
    j["project"] = project.string();
    j["plugins"] = plugins;
    j["km"] = km;
    j["frames_decoded"] = ingest.frames_decoded;
    j["frames_sampled"] = ingest.frames_sampled;
    j["frames_analysed"] = frames_analysed;
    j["frames_replayed"] = frames_replayed;
    j["detections"] = detections;
    j["detections_off_road"] = detections_off_road;
    j["detections_invalid"] = detections_invalid;
    j["damages"] = damages;
    j["anonymized_by"] = anonymized_by;
    j["regions_blurred"] = regions_blurred;
    j["anonymizer_failures"] = anonymizer_failures;
    j["regions_on_damage_not_blurred"] = regions_on_damage;
    j["damages_by_class"] = nlohmann::ordered_json::object();
    for (const auto& [cls, by_severity] : damages_by_class)
        for (const auto& [sev, n] : by_severity)
            j["damages_by_class"][cls][sev] = n;
    j["plugin_failures"] = nlohmann::ordered_json::object();
    for (const auto& [id, n] : plugin_failures)
        j["plugin_failures"][id] = n;
    j["wall_s"] = wall_s;
    j["cpu_s"] = cpu_s;
    j["cpu_s_per_km"] = km > 0 ? nlohmann::ordered_json(cpu_s / km) : nlohmann::ordered_json(nullptr);
    j["interrupted"] = interrupted;
    j["resumed"] = resumed;
    return j;
}

std::string AnalysisSummary::toText() const
{
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(2);
    s << (interrupted ? "interrupted: " : "") << km << " km, " << ingest.frames_decoded << " frames decoded, "
      << ingest.frames_sampled << " sampled";
    if (frames_replayed)
        s << " (" << frames_replayed << " already analysed by the interrupted run)";
    s << "\n" << detections << " detections (" << detections_off_road << " off the road or out of range";
    if (detections_invalid)
        s << ", " << detections_invalid << " invalid dropped";
    s << "), " << damages << " damages";
    if (!damages_by_class.empty()) {
        s << ":";
        for (const auto& [cls, by_severity] : damages_by_class) {
            s << " " << cls << " ";
            bool first = true;
            for (const auto& [sev, n] : by_severity) {
                s << (first ? "" : "/") << n << sev;
                first = false;
            }
        }
    }
    s << "\n";
    for (const auto& [id, n] : plugin_failures)
        s << "plugin " << id << " failed on " << n << " frame(s); the run went on without it there\n";
    if (anonymized_by.empty()) {
        s << "images NOT anonymized (--no-anonymize): faces and licence plates may show; do not share them\n";
    } else {
        std::string by;
        for (const auto& a : anonymized_by)
            by += (by.empty() ? "" : ", ") + a;
        s << "evidence images anonymized by " << by << ": " << regions_blurred << " region(s) blurred";
        if (anonymizer_failures)
            s << ", " << anonymizer_failures << " chip(s) blurred whole after an anonymizer failed";
        s << "\n";
    }
    s.precision(1);
    s << "time " << wall_s << " s, CPU " << cpu_s << " s";
    if (km > 0)
        s << " (" << cpu_s / km / 60.0 << " CPU-min per km)";
    s << "\n";
    return s.str();
}

} // namespace voirie
