// Quantiles of a sample (q from 0 to 1), the two ways Voirie states them. Named apart from
// evaluation's `percentile` (p in percent, an optional result): a function of the same name and
// parameters would share its linker symbol, and one of the two would silently run for both.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace voirie {

// Linear between the two nearest order statistics (sizes over a damage's views); 0 when empty.
inline double interpolatedQuantile(std::vector<double> values, double q)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const double pos = q * double(values.size() - 1);
    const size_t i = size_t(std::floor(pos));
    const double f = pos - double(i);
    return i + 1 < values.size() ? values[i] * (1 - f) + values[i + 1] * f : values[i];
}

// The nearest order statistic: a value that was measured (offsets and seams reported); 0 when empty.
inline double nearestRankQuantile(std::vector<double> values, double q)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[size_t(std::clamp(q * double(values.size() - 1) + 0.5, 0.0, double(values.size() - 1)))];
}

// 1.4826 x the median absolute deviation: the standard deviation of a normal sample, robust to
// outliers (a stretch under a bridge, a frame pair across a pothole); 0 when empty.
inline double robustSpread(const std::vector<double>& values)
{
    const double middle = interpolatedQuantile(values, 0.5);
    std::vector<double> deviations;
    for (double v : values)
        deviations.push_back(std::abs(v - middle));
    return 1.4826 * interpolatedQuantile(std::move(deviations), 0.5);
}

} // namespace voirie
