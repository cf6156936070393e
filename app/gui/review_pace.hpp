// How fast the reviewer is going: the times of their last decisions give seconds per damage, and
// with the damages left, the time the rest of the survey will take at that pace. Pauses (a
// coffee, a phone call) are not pace: a gap over five minutes starts the count again.
#pragma once

#include <QString>

#include <deque>
#include <optional>

namespace voirie::gui {

class ReviewPace {
public:
    // A decision at this time (milliseconds on any steady clock).
    void decided(qint64 at_ms);
    void reset() { times_.clear(); }
    // The median time between the last decisions (up to 20); nothing before three decisions.
    std::optional<double> secondsPerDamage() const;
    // "reviewed 12 / 40 · about 3 min left at this pace" (the pace part once it is known).
    QString progress(int reviewed, int total) const;

private:
    std::deque<qint64> times_;
};

} // namespace voirie::gui
