#include "voirie/core/ingest/frame_sampler.hpp"

#include <sstream>

namespace voirie {

std::string SamplingPolicy::describe() const
{
    std::ostringstream s;
    switch (mode) {
    case Mode::Metres: s << "one frame every " << step << " m travelled"; break;
    case Mode::Seconds: s << "one frame every " << step << " s"; break;
    case Mode::EveryFrame: s << "every frame"; break;
    }
    return s.str();
}

bool FrameSampler::accept(double time, double chainage_m)
{
    bool keep = true;
    switch (policy_.mode) {
    case SamplingPolicy::Mode::Metres: keep = !last_chainage_ || chainage_m - *last_chainage_ >= policy_.step; break;
    case SamplingPolicy::Mode::Seconds: keep = !last_time_ || time - *last_time_ >= policy_.step - 1e-6; break;
    case SamplingPolicy::Mode::EveryFrame: keep = true; break;
    }
    if (keep) {
        last_time_ = time;
        last_chainage_ = chainage_m;
    }
    return keep;
}

} // namespace voirie
