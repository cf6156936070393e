#include "pose_refinement.hpp"

namespace voirie::surface {

std::vector<cv::Vec2d> refinePositions(const std::vector<cv::Vec2d>& gps, const std::vector<std::optional<cv::Vec2d>>& motion,
                                       const std::vector<bool>& linked, const PoseRefinementWeights& weights)
{
    const size_t n = gps.size();
    std::vector<cv::Vec2d> out(n);
    if (n == 0)
        return out;
    const double a = 1.0 / (weights.gps_sigma_m * weights.gps_sigma_m);
    // b[i]: weight of the link from frame i-1 to i; d[i]: its displacement.
    std::vector<double> b(n + 1, 0.0);
    std::vector<cv::Vec2d> d(n + 1, cv::Vec2d(0, 0));
    for (size_t i = 1; i < n; ++i) {
        if (i < linked.size() && !linked[i])
            continue;
        const bool measured = i < motion.size() && motion[i];
        const double sigma = measured ? weights.motion_sigma_m : weights.unregistered_sigma_m;
        b[i] = 1.0 / (sigma * sigma);
        d[i] = measured ? *motion[i] : gps[i] - gps[i - 1];
    }
    // Normal equations: (a + b[i] + b[i+1]) p[i] - b[i] p[i-1] - b[i+1] p[i+1] = a g[i] + b[i] d[i] - b[i+1] d[i+1]
    for (int axis = 0; axis < 2; ++axis) {
        std::vector<double> c_prime(n), r_prime(n);
        for (size_t i = 0; i < n; ++i) {
            const double lower = i > 0 ? -b[i] : 0, diagonal = a + b[i] + b[i + 1], upper = -b[i + 1];
            const double rhs = a * gps[i][axis] + b[i] * d[i][axis] - b[i + 1] * d[i + 1][axis];
            const double denominator = diagonal - (i > 0 ? lower * c_prime[i - 1] : 0);
            c_prime[i] = upper / denominator;
            r_prime[i] = (rhs - (i > 0 ? lower * r_prime[i - 1] : 0)) / denominator;
        }
        out[n - 1][axis] = r_prime[n - 1];
        for (size_t i = n - 1; i-- > 0;)
            out[i][axis] = r_prime[i] - c_prime[i] * out[i + 1][axis];
    }
    return out;
}

} // namespace voirie::surface
