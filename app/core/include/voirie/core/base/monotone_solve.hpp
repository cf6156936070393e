// The argument in [lo, hi] where a monotone function reaches a target, by bisection (either
// direction of monotony): the camera's pitch for a vanishing row, its roll for a horizon's lean.
#pragma once

namespace voirie {

template <class Function>
double solveMonotone(Function f, double target, double lo, double hi, int steps = 40)
{
    const bool increasing = f(hi) > f(lo);
    for (int i = 0; i < steps; ++i) {
        const double mid = (lo + hi) / 2;
        ((f(mid) < target) == increasing ? lo : hi) = mid;
    }
    return (lo + hi) / 2;
}

} // namespace voirie
