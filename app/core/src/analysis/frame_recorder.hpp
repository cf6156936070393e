// Stage 4 of `voirie analyze`: recording, on the writer's thread and in frame order. Each frame's
// detections go to the ground (GroundProjector), into the project (ProjectStore) and to the
// tracker (DamageTracker); each damage the tracker finishes is handed to the EvidenceWriter and
// stored once its chip is done (in the order finished). Frames an interrupted run committed are
// replayed from its project. CPU time goes to "ground_and_tracking" and "store".
#pragma once

#include "detection_pipeline.hpp"
#include "evidence_writer.hpp"

#include "voirie/core/analysis/analysis_run.hpp"

#include "voirie/core/damage/damage_tracker.hpp"
#include "voirie/core/damage/ground_projector.hpp"
#include "voirie/core/project/project_store.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace voirie {

class FrameRecorder {
public:
    FrameRecorder(ProjectStore& store, const Track& track, const CameraModel& camera, const AnalysisOptions& options,
                  const ResumeState& resume, EvidenceWriter& evidence, AnalysisSummary& summary,
                  std::function<void(const std::string&)> warn, CpuLedger& cpu);

    // Records one frame (detected, or replayed from the interrupted run).
    Status record(FrameJob& job);
    // Stores the damages still open at the end of the survey, once their evidence is done.
    Status finish();

    int64_t lastFrameIndex() const { return last_frame_index_; }
    int64_t framesCommitted() const { return frames_committed_; }
    // Kilometres of the track the recorded frames cover (0 before the first frame).
    double kilometres() const { return first_chainage_ ? (last_chainage_ - *first_chainage_) / 1000.0 : 0; }
    // Kilometres the recorded frames actually cover: the steps between consecutive frames, except
    // those over three times the usual step (footage lost to damage, a gap in the track).
    double kilometresCovered() const;
    bool anyFrame() const { return first_chainage_.has_value(); }

private:
    Status recordFrame(FrameJob& job);
    // Runs `work` on this thread, its CPU time split between "store" (the timedStore calls in it)
    // and "ground_and_tracking" (the rest).
    Status accounted(const std::function<Status()>& work);
    Status recordDetections(FrameJob& job, std::vector<Observation>& observations);
    // Hands finished damages to the evidence writer and stores those whose evidence is done
    // (with `all`, waits for every one).
    Status storeDamages(std::vector<Damage> damages, bool all);
    // Runs a call into the project store, its CPU time counted as "store".
    template <class Call>
    auto timedStore(Call&& call)
    {
        const double start = threadCpuSeconds();
        auto result = call();
        store_cpu_s_ += threadCpuSeconds() - start;
        return result;
    }

    ProjectStore& store_;
    const Track& track_;
    const CameraModel& camera_;
    const AnalysisOptions& options_;
    const ResumeState& resume_;
    EvidenceWriter& evidence_;
    AnalysisSummary& summary_;
    std::function<void(const std::string&)> warn_;
    CpuLedger& cpu_;
    double store_cpu_s_ = 0; // this thread's CPU time in store calls, not yet added to cpu_

    std::optional<GroundProjector> projector_; // made at the first frame's size
    DamageTracker tracker_;
    std::map<int64_t, Detection> pixel_of_; // detections of the frame being handled, by id
    const cv::Mat* current_image_ = nullptr;
    int64_t last_frame_index_, frames_committed_;
    std::optional<double> first_chainage_;
    double last_chainage_ = 0;
    std::vector<double> steps_m_; // chainage from each recorded frame to the next
    int invalid_said_ = 0;        // invalid detections warned about so far
};

} // namespace voirie
