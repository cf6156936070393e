#include "frame_recorder.hpp"

#include "voirie/core/analysis/evidence_chip.hpp"

#include "voirie/core/geo/camera_file.hpp"
#include "voirie/core/vocabulary/severity_rules.hpp"

#include <algorithm>

namespace voirie {
namespace {

constexpr size_t kFailureExamples = 5;

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

} // namespace

FrameRecorder::FrameRecorder(ProjectStore& store, const Track& track, const CameraModel& camera,
                             const AnalysisOptions& options, const ResumeState& resume, EvidenceWriter& evidence,
                             AnalysisSummary& summary, std::function<void(const std::string&)> warn, CpuLedger& cpu)
    : store_(store), track_(track), camera_(camera), options_(options), resume_(resume), evidence_(evidence),
      summary_(summary), warn_(std::move(warn)), cpu_(cpu), tracker_(options.tracking),
      last_frame_index_(resume.last_frame_index), frames_committed_(resume.frames_committed)
{
}

Status FrameRecorder::record(FrameJob& job)
{
    return accounted([&] { return recordFrame(job); });
}

Status FrameRecorder::accounted(const std::function<Status()>& work)
{
    const double start = threadCpuSeconds();
    Status result = work();
    cpu_.add("store", store_cpu_s_);
    cpu_.add("ground_and_tracking", threadCpuSeconds() - start - store_cpu_s_);
    store_cpu_s_ = 0;
    return result;
}

Status FrameRecorder::recordFrame(FrameJob& job)
{
    GeoFrame& frame = job.frame;
    if (!projector_)
        projector_.emplace(scaledTo(camera_, frame.image.cols, frame.image.rows), options_.max_range_m);
    if (first_chainage_)
        steps_m_.push_back(frame.chainage_m - last_chainage_);
    else
        first_chainage_ = frame.chainage_m;
    last_chainage_ = frame.chainage_m;
    current_image_ = &frame.image;
    pixel_of_.clear();
    std::vector<Observation> observations;
    if (job.replay) {
        ++summary_.frames_replayed;
        if (auto it = resume_.observations_by_frame.find(frame.index); it != resume_.observations_by_frame.end())
            observations = it->second;
        for (const auto& o : observations) {
            auto d = resume_.detections_by_id.find(o.detection_id);
            pixel_of_[o.detection_id] = d != resume_.detections_by_id.end() ? d->second : Detection{};
        }
    } else {
        if (auto s = recordDetections(job, observations); !s) {
            current_image_ = nullptr;
            return s;
        }
        ++frames_committed_;
        last_frame_index_ = frame.index;
    }
    // The tracker keeps a copy of a view's pixels when it is the damage's best so far.
    tracker_.addFrame(frame.chainage_m, std::move(observations), [&](const Observation& o) -> EvidenceView {
        auto it = pixel_of_.find(o.detection_id);
        if (it == pixel_of_.end() || current_image_ == nullptr)
            return {};
        const cv::Rect window = evidenceWindow(*current_image_, it->second);
        return {(*current_image_)(window).clone(), shiftedInto(it->second, window)};
    });
    auto stored = storeDamages(tracker_.takeFinished(frame.chainage_m), false);
    current_image_ = nullptr;
    return stored;
}

Status FrameRecorder::recordDetections(FrameJob& job, std::vector<Observation>& observations)
{
    const GeoFrame& frame = job.frame;
    ++summary_.frames_analysed;
    // A plugin's invalid output is dropped, never stored; said the first few times, so that a
    // detector that emits garbage is not mistaken for one that found nothing.
    for (const auto& reason : job.invalid_reasons)
        if (size_t(invalid_said_++) < kFailureExamples)
            warn_("frame " + std::to_string(frame.index) + ": " + reason + "; it was dropped (the run goes on)");
    summary_.detections_invalid += job.invalid;
    for (const auto& [plugin, sentence] : job.failures) {
        if (summary_.failure_examples.size() < kFailureExamples) {
            summary_.failure_examples.push_back("frame " + std::to_string(frame.index) + ": " + sentence);
            warn_("frame " + std::to_string(frame.index) + ": " + sentence + " (the run goes on)");
        }
        ++summary_.plugin_failures[plugin];
    }
    if (auto s = timedStore([&] { return store_.addFrame(frame); }); !s)
        return s;
    const VehiclePose pose{track_.frame().toMetric(frame.lon, frame.lat), frame.heading_deg};
    for (const auto& d : job.detections) {
        StoredDetection stored{frame.index, frame.time, frame.chainage_m, d, std::nullopt};
        if (auto footprint = projector_->project(d, pose)) {
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
            ++summary_.detections_off_road;
        }
        auto id = timedStore([&] { return store_.addDetection(stored, track_.frame()); });
        if (!id)
            return fail(id.error());
        ++summary_.detections;
        pixel_of_[*id] = d;
        if (stored.observation) {
            stored.observation->detection_id = *id;
            observations.push_back(std::move(*stored.observation));
        }
    }
    return Ok{};
}

Status FrameRecorder::storeDamages(std::vector<Damage> damages, bool all)
{
    for (auto& d : damages)
        evidence_.submit(std::move(d));
    for (auto& done : evidence_.takeDone(all)) {
        if (!done.chip_error.empty())
            return fail(done.chip_error);
        summary_.regions_blurred += done.regions_blurred;
        summary_.regions_on_damage += done.regions_on_damage;
        const Damage& d = done.damage;
        if (!done.anonymizer_failure.empty()) {
            ++summary_.anonymizer_failures;
            if (summary_.failure_examples.size() < kFailureExamples) {
                summary_.failure_examples.push_back(done.anonymizer_failure);
                warn_(done.anonymizer_failure + " (the whole chip of damage " + std::to_string(d.id) + " was blurred)");
            }
        }
        if (auto s = timedStore([&] { return store_.addDamage(d, track_.frame(), done.chip_path); }); !s)
            return s;
        ++summary_.damages;
        const std::string severity = severityCode(d.severity);
        ++summary_.damages_by_class[d.class_code][severity.empty() ? "?" : severity];
    }
    return Ok{};
}

Status FrameRecorder::finish()
{
    return accounted([&] { return storeDamages(tracker_.finish(), true); });
}

double FrameRecorder::kilometresCovered() const
{
    if (steps_m_.empty())
        return 0;
    std::vector<double> sorted = steps_m_;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const double usual = sorted[sorted.size() / 2];
    double covered = 0;
    for (double step : steps_m_)
        if (step <= 3 * usual)
            covered += step;
    return covered / 1000.0;
}

} // namespace voirie
