#include "review_pace.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace voirie::gui {
namespace {

constexpr qint64 kPauseMs = 5 * 60 * 1000;
constexpr size_t kKept = 21; // times, for 20 intervals

} // namespace

void ReviewPace::decided(qint64 at_ms)
{
    if (!times_.empty() && (at_ms - times_.back() > kPauseMs || at_ms < times_.back()))
        times_.clear();
    times_.push_back(at_ms);
    while (times_.size() > kKept)
        times_.pop_front();
}

std::optional<double> ReviewPace::secondsPerDamage() const
{
    if (times_.size() < 3)
        return std::nullopt;
    std::vector<double> gaps;
    for (size_t i = 1; i < times_.size(); ++i)
        gaps.push_back(double(times_[i] - times_[i - 1]) / 1000.0);
    std::nth_element(gaps.begin(), gaps.begin() + long(gaps.size() / 2), gaps.end());
    return gaps[gaps.size() / 2];
}

QString ReviewPace::progress(int reviewed, int total) const
{
    QString text = QString("reviewed %1 / %2").arg(reviewed).arg(total);
    const int left = total - reviewed;
    const auto pace = secondsPerDamage();
    if (left > 0 && pace) {
        const double seconds = left * *pace;
        text += seconds < 90 ? QString(" · about %1 s left at this pace").arg(int(std::ceil(seconds)))
                             : QString(" · about %1 min left at this pace").arg(int(std::lround(seconds / 60)));
    }
    return text;
}

} // namespace voirie::gui
