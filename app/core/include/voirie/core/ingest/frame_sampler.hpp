// Which frames to keep: one every N metres travelled (default), every N seconds, or all.
#pragma once

#include <optional>
#include <string>

namespace voirie {

struct SamplingPolicy {
    enum class Mode { Metres, Seconds, EveryFrame };
    Mode mode = Mode::Metres;
    double step = 3.0;

    std::string describe() const;
};

class FrameSampler {
public:
    explicit FrameSampler(SamplingPolicy policy) : policy_(policy) {}
    // True when a positioned frame at this time and chainage should be kept. A stopped vehicle
    // adds no chainage, so it yields no repeated frames in the default mode.
    bool accept(double time, double chainage_m);

private:
    SamplingPolicy policy_;
    std::optional<double> last_time_, last_chainage_;
};

} // namespace voirie
