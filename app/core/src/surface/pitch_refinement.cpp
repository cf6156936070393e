#include "pitch_refinement.hpp"

namespace voirie::surface {

double pitchStretch(double distance_m, double camera_height_m)
{
    return (camera_height_m * camera_height_m + distance_m * distance_m) / camera_height_m;
}

// A frame with pitch error e draws content at true distance D at D + k(D) e. The later frame L sees
// a point at D, the earlier frame E at D + s: the measured shift of L's content from E's at D is
// t + k(D) e_L - k(D + s) e_E, t their offset. The halves' difference removes t:
//   (k(Df) - k(Dn)) e_L - (k(Df + s) - k(Dn + s)) e_E = f_far - f_near.
std::vector<double> estimatePitchErrors(const std::vector<std::optional<PatchShift>>& shifts, double camera_height_m,
                                        const PitchRefinementWeights& weights)
{
    const size_t n = shifts.size();
    std::vector<double> error(n, 0.0);
    if (n < 2)
        return error;
    const double prior = 1 / (weights.prior_sigma_rad * weights.prior_sigma_rad);
    const double w = 1 / (weights.measurement_sigma_m * weights.measurement_sigma_m);
    // Normal equations, tridiagonal: diagonal[i], off[i] couples i-1 and i, rhs[i].
    std::vector<double> diagonal(n, prior), off(n, 0.0), rhs(n, 0.0);
    for (size_t i = 1; i < n; ++i) {
        const auto& s = shifts[i];
        if (!s || !s->halves)
            continue;
        const double a = pitchStretch(s->far_at_m, camera_height_m) - pitchStretch(s->near_at_m, camera_height_m);
        const double b = pitchStretch(s->far_at_m + s->step_m, camera_height_m) -
                         pitchStretch(s->near_at_m + s->step_m, camera_height_m);
        const double g = s->far_forward_m - s->near_forward_m;
        // residual a e_i - b e_{i-1} - g
        diagonal[i] += w * a * a;
        diagonal[i - 1] += w * b * b;
        off[i] += -w * a * b;
        rhs[i] += w * a * g;
        rhs[i - 1] += -w * b * g;
    }
    // Thomas algorithm.
    std::vector<double> c(n), r(n);
    for (size_t i = 0; i < n; ++i) {
        const double lower = i > 0 ? off[i] : 0, upper = i + 1 < n ? off[i + 1] : 0;
        const double denominator = diagonal[i] - (i > 0 ? lower * c[i - 1] : 0);
        c[i] = upper / denominator;
        r[i] = (rhs[i] - (i > 0 ? lower * r[i - 1] : 0)) / denominator;
    }
    error[n - 1] = r[n - 1];
    for (size_t i = n - 1; i-- > 0;)
        error[i] = r[i] - c[i] * error[i + 1];
    return error;
}

PatchShift withoutPitch(const PatchShift& shift, double earlier_error_rad, double later_error_rad, double camera_height_m)
{
    PatchShift s = shift;
    s.forward_m = shift.forward_m - pitchStretch(shift.at_m, camera_height_m) * later_error_rad +
                  pitchStretch(shift.at_m + shift.step_m, camera_height_m) * earlier_error_rad;
    return s;
}

} // namespace voirie::surface
