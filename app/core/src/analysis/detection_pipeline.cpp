#include "detection_pipeline.hpp"

#include "voirie/core/geo/camera_file.hpp"

namespace voirie {

void FrameQueue::push(FrameJob job)
{
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return in_flight_ < capacity_; });
    ++in_flight_;
    todo_.push_back(std::move(job));
    work_.notify_one();
}

void FrameQueue::closeInput()
{
    std::lock_guard lock(mutex_);
    input_closed_ = true;
    work_.notify_all();
    done_.notify_all();
}

std::optional<FrameJob> FrameQueue::take()
{
    std::unique_lock lock(mutex_);
    work_.wait(lock, [&] { return !todo_.empty() || input_closed_; });
    if (todo_.empty())
        return std::nullopt;
    FrameJob job = std::move(todo_.front());
    todo_.pop_front();
    return job;
}

void FrameQueue::finished(FrameJob job)
{
    std::lock_guard lock(mutex_);
    const int64_t seq = job.sequence;
    results_.emplace(seq, std::move(job));
    done_.notify_all();
}

std::optional<FrameJob> FrameQueue::next()
{
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return results_.count(next_) || (input_closed_ && in_flight_ == 0); });
    auto it = results_.find(next_);
    if (it == results_.end())
        return std::nullopt;
    FrameJob job = std::move(it->second);
    results_.erase(it);
    ++next_;
    --in_flight_;
    space_.notify_one();
    return job;
}

DetectionPipeline::DetectionPipeline(SurveyReader& reader, DetectorSet& detectors, int64_t replay_up_to,
                                     std::function<bool()> cancelled, CpuLedger& cpu)
    : queue_(detectors.workers() * 2 + 2), cancelled_(std::move(cancelled)), cpu_(cpu)
{
    decoder_ = std::thread([this, &reader, replay_up_to] { decode(reader, replay_up_to); });
    for (size_t w = 0; w < detectors.workers(); ++w)
        workers_.emplace_back([this, &reader, &detectors, w] { work(reader, detectors.worker(w)); });
}

DetectionPipeline::~DetectionPipeline() { stop(); }

void DetectionPipeline::decode(SurveyReader& reader, int64_t replay_up_to)
{
    try {
        int64_t sequence = 0;
        while (!cancelled_() && !stop_decoding_) {
            std::optional<GeoFrame> frame;
            {
                StageClock clock(cpu_, "decode");
                frame = reader.next();
            }
            if (!frame)
                break;
            FrameJob job;
            job.sequence = sequence++;
            job.replay = frame->index <= replay_up_to;
            job.frame = std::move(*frame);
            queue_.push(std::move(job));
        }
    } catch (const std::exception& e) {
        decode_error_ = e.what();
    }
    queue_.closeInput();
}

void DetectionPipeline::work(SurveyReader& reader, std::vector<std::unique_ptr<DetectorInstance>>& detectors)
{
    std::vector<std::string> stages; // each detector's CPU ledger stage, named once
    for (const auto& detector : detectors)
        stages.push_back("detect:" + detector->manifest().id);
    while (auto job = queue_.take()) {
        if (!job->replay) {
            FrameContext context;
            context.frame_index = job->frame.index;
            context.time_unix_s = job->frame.time;
            context.position = GeoPosition{job->frame.lon, job->frame.lat};
            context.heading_deg = job->frame.heading_deg;
            context.speed_mps = job->frame.speed_mps;
            context.chainage_m = job->frame.chainage_m;
            context.camera = scaledTo(reader.camera(), job->frame.image.cols, job->frame.image.rows);
            for (size_t d = 0; d < detectors.size(); ++d) {
                auto& detector = detectors[d];
                StageClock clock(cpu_, stages[d]);
                auto result = detector->detect(job->frame.image, context);
                if (!result) {
                    job->failures.emplace_back(detector->manifest().id, result.error());
                    continue;
                }
                job->invalid += result->dropped;
                for (auto& reason : result->drop_reasons)
                    job->invalid_reasons.push_back(std::move(reason));
                for (auto& d : result->detections)
                    job->detections.push_back(std::move(d));
            }
        }
        queue_.finished(std::move(*job));
    }
}

void DetectionPipeline::stop()
{
    if (stopped_)
        return;
    stopped_ = true;
    // The decoder stops at its next frame; what is in flight is drained so nobody blocks.
    stop_decoding_ = true;
    while (queue_.next()) {
    }
    decoder_.join();
    for (auto& t : workers_)
        t.join();
}

} // namespace voirie
