// CPU time by stage: a stage is charged the CPU time of the thread that ran it, not wall time,
// and stages running on several threads at once add up.
#include "voirie/core/base/cpu_time.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

namespace {

using voirie::CpuLedger;
using voirie::StageClock;

// Spins on the calling thread for about `seconds` of its own CPU time.
double spin(double seconds)
{
    const double start = voirie::threadCpuSeconds();
    volatile double x = 0;
    while (voirie::threadCpuSeconds() - start < seconds)
        for (int i = 0; i < 1000; ++i)
            x = x + std::sqrt(double(i));
    return x;
}

TEST(CpuTime, AStageIsChargedItsThreadsCpuTimeNotItsWaiting)
{
    CpuLedger ledger;
    {
        StageClock clock(ledger, "busy");
        spin(0.05);
    }
    {
        StageClock clock(ledger, "waiting");
        std::this_thread::sleep_for(std::chrono::milliseconds(80));
    }
    const auto totals = ledger.totals();
    EXPECT_NEAR(totals.at("busy"), 0.05, 0.02);
    EXPECT_LT(totals.at("waiting"), 0.01) << "sleeping costs no CPU";
}

TEST(CpuTime, StagesOnSeveralThreadsAddUp)
{
    CpuLedger ledger;
    const double before = voirie::processCpuSeconds();
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 4; ++i) {
                StageClock clock(ledger, "work");
                spin(0.01);
            }
        });
    for (auto& t : threads)
        t.join();
    const double work = ledger.totals().at("work");
    EXPECT_NEAR(work, 0.12, 0.04);
    EXPECT_GE(voirie::processCpuSeconds() - before, 0.9 * work) << "the process saw at least what its stages did";
}

} // namespace
