// Stage 5 of `voirie analyze`: the evidence of each finished damage. Its best view is cut once,
// anonymized first (privacy by default; when an anonymizer fails the chip is blurred whole:
// fail closed), encoded as JPEG and, with --chips, also written as a file. Anonymizing costs
// far more than anything else per damage, so it runs on its own threads (one anonymizer set
// each) beside decoding and detection instead of holding up the writer; the damages come back
// in the order they were handed in, so the project is the same whatever the timing.
#pragma once

#include "voirie/core/base/cpu_time.hpp"
#include "voirie/core/damage/damage_tracker.hpp"
#include "voirie/core/plugin_host/anonymizer_set.hpp"

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace voirie {

// A damage whose evidence is done: its evidence_jpeg set and its window released.
struct EvidenceDone {
    Damage damage;
    std::string chip_path;  // relative to the project; "" without --chips
    std::string chip_error; // why the chip file could not be written ("" when it was)
    int64_t regions_blurred = 0, regions_on_damage = 0;
    std::string anonymizer_failure; // the anonymizer's sentence when the chip was blurred whole
};

class EvidenceWriter {
public:
    // `anonymizers`: one set per thread (empty: --no-anonymize, and one thread encodes the chips).
    // `project_dir` is where chip paths are relative to. CPU time goes to "anonymize" and "chips".
    EvidenceWriter(std::vector<AnonymizerSet*> anonymizers, std::optional<std::filesystem::path> chips_dir,
                   std::filesystem::path project_dir, CpuLedger& cpu);
    ~EvidenceWriter();
    EvidenceWriter(const EvidenceWriter&) = delete;
    EvidenceWriter& operator=(const EvidenceWriter&) = delete;

    // Hands a finished damage over; blocks while two per thread are waiting to be encoded.
    void submit(Damage damage);
    // The damages done so far, in the order submitted; with `all`, waits for every one submitted.
    std::vector<EvidenceDone> takeDone(bool all);

private:
    void work(AnonymizerSet* anonymizers);
    EvidenceDone encode(Damage damage, AnonymizerSet* anonymizers);

    std::optional<std::filesystem::path> chips_dir_;
    std::filesystem::path project_dir_;
    CpuLedger& cpu_;
    size_t capacity_;

    std::mutex mutex_;
    std::condition_variable work_, space_, finished_;
    std::deque<std::pair<int64_t, Damage>> todo_;
    std::map<int64_t, EvidenceDone> done_;
    size_t encoding_ = 0; // waiting or being encoded
    int64_t next_submitted_ = 0, next_taken_ = 0;
    bool closing_ = false;
    std::vector<std::thread> threads_;
};

} // namespace voirie
