// Stage 3 of `voirie analyze`: decode -> detect. One thread decodes and samples the survey, a
// pool of workers runs the detectors (one instance of each per worker), and the caller takes the
// frames back in order. At most `capacity` frames are in flight, so memory stays flat however
// long the survey is.
#pragma once

#include "voirie/core/base/cpu_time.hpp"
#include "voirie/core/ingest/survey_reader.hpp"
#include "voirie/core/plugin_host/detector_set.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace voirie {

// A frame on its way through the workers.
struct FrameJob {
    int64_t sequence = 0;
    GeoFrame frame;
    bool replay = false; // committed by an earlier run: its detections are in the project already
    std::vector<Detection> detections;
    int64_t invalid = 0;                                        // dropped by the host's checks
    std::vector<std::string> invalid_reasons;                  // why, the first few (sentences)
    std::vector<std::pair<std::string, std::string>> failures; // plugin id, sentence
};

// The bounded queue between the decoder, the workers and the writer, handing jobs back in order.
class FrameQueue {
public:
    explicit FrameQueue(size_t capacity) : capacity_(capacity) {}
    void push(FrameJob job);            // decoder: blocks while full
    void closeInput();                  // decoder: no more frames
    std::optional<FrameJob> take();     // worker: nothing once closed and drained
    void finished(FrameJob job);        // worker: done with it
    std::optional<FrameJob> next();     // writer: the next in sequence, nothing at the end

private:
    size_t capacity_;
    std::mutex mutex_;
    std::condition_variable space_, work_, done_;
    std::deque<FrameJob> todo_;
    std::map<int64_t, FrameJob> results_;
    size_t in_flight_ = 0;
    int64_t next_ = 0;
    bool input_closed_ = false;
};

class DetectionPipeline {
public:
    // Starts decoding at once. Frames up to `replay_up_to` (an interrupted run's last committed
    // frame) are decoded but not detected again. `cancelled` is polled between frames. The CPU
    // time of decoding ("decode") and of each detector ("detect:<id>") goes to `cpu`.
    DetectionPipeline(SurveyReader& reader, DetectorSet& detectors, int64_t replay_up_to,
                      std::function<bool()> cancelled, CpuLedger& cpu);
    ~DetectionPipeline();
    DetectionPipeline(const DetectionPipeline&) = delete;
    DetectionPipeline& operator=(const DetectionPipeline&) = delete;

    std::optional<FrameJob> next() { return queue_.next(); }
    // Stops decoding, drains what is in flight and joins every thread (idempotent).
    void stop();
    // Why decoding ended early, if it did (read after stop()).
    const std::optional<std::string>& decodeError() const { return decode_error_; }

private:
    void decode(SurveyReader& reader, int64_t replay_up_to);
    void work(SurveyReader& reader, std::vector<std::unique_ptr<DetectorInstance>>& detectors);

    FrameQueue queue_;
    std::function<bool()> cancelled_;
    CpuLedger& cpu_;
    std::atomic<bool> stop_decoding_{false};
    std::optional<std::string> decode_error_;
    std::thread decoder_;
    std::vector<std::thread> workers_;
    bool stopped_ = false;
};

} // namespace voirie
