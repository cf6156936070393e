// Where the CPU goes: the process's and the calling thread's CPU time, and a ledger of CPU seconds
// by stage that threads add to. A stage's cost is measured on the thread that runs it
// (CLOCK_THREAD_CPUTIME_ID), so stages running side by side on several cores are told apart.
#pragma once

#include <map>
#include <mutex>
#include <string>

namespace voirie {

// User + system CPU seconds of the whole process (every thread, libraries' own threads included).
double processCpuSeconds();
// CPU seconds of the calling thread.
double threadCpuSeconds();
// The most memory the process has held so far (peak resident set), in MiB.
double processPeakRssMib();

class CpuLedger {
public:
    void add(const std::string& stage, double cpu_s);
    std::map<std::string, double> totals() const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, double> totals_;
};

// Adds the calling thread's CPU time between construction and destruction to one stage.
class StageClock {
public:
    StageClock(CpuLedger& ledger, std::string stage) : ledger_(ledger), stage_(std::move(stage)), start_(threadCpuSeconds()) {}
    ~StageClock() { ledger_.add(stage_, threadCpuSeconds() - start_); }
    StageClock(const StageClock&) = delete;
    StageClock& operator=(const StageClock&) = delete;

private:
    CpuLedger& ledger_;
    std::string stage_;
    double start_;
};

} // namespace voirie
