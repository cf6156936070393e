#include "voirie/core/base/cpu_time.hpp"

#include <sys/resource.h>

#include <ctime>

namespace voirie {

double processCpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double processPeakRssMib()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0; // kilobytes on Linux
}

double threadCpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

void CpuLedger::add(const std::string& stage, double cpu_s)
{
    std::lock_guard lock(mutex_);
    totals_[stage] += cpu_s;
}

std::map<std::string, double> CpuLedger::totals() const
{
    std::lock_guard lock(mutex_);
    return totals_;
}

} // namespace voirie
