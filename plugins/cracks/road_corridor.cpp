#include "road_corridor.hpp"

#include <algorithm>
#include <cmath>

namespace voirie::plugins::cracks {

cv::Mat distanceBins(const RoadView& view, const cv::Mat& marking_search, double min_range, double max_range)
{
    const double bin = (max_range - min_range) / kBins;
    cv::Mat bins(marking_search.size(), CV_8U, cv::Scalar(kNoBin));
    for (int y = view.topRow(); y < bins.rows; ++y) {
        const uchar* searched = marking_search.ptr<uchar>(y);
        const float* forward = view.forwardRow(y);
        uchar* b = bins.ptr<uchar>(y);
        for (int x = 0; x < bins.cols; ++x)
            if (searched[x] && forward[x] >= min_range && forward[x] <= max_range)
                b[x] = uchar(std::clamp(int((forward[x] - min_range) / bin), 0, kBins - 1));
    }
    return bins;
}

cv::Mat roadCorridor(const RoadView& view, const cv::Mat& corridor, const cv::Mat& bins_of, const cv::Mat& markings,
                     int top, double left_m, double right_m)
{
    std::vector<double> right(kBins, right_m), left(kBins, -left_m);
    std::vector<int> right_hits(kBins, 0), left_hits(kBins, 0);
    std::vector<double> right_min(kBins, 1e9), left_max(kBins, -1e9);
    for (int y = top; y < markings.rows; ++y) {
        const uchar* m = markings.ptr<uchar>(y);
        const uchar* bins = bins_of.ptr<uchar>(y);
        const float* lateral = view.rightRow(y);
        for (int x = 0; x < markings.cols; ++x) {
            if (!m[x] || bins[x] == kNoBin)
                continue;
            const int k = bins[x];
            const double r = lateral[x];
            if (r > 0.6 && r < right_m + 2.5) {
                ++right_hits[size_t(k)];
                right_min[size_t(k)] = std::min(right_min[size_t(k)], r);
            } else if (r < -3.2 && r > -left_m - 2.5) {
                ++left_hits[size_t(k)];
                left_max[size_t(k)] = std::max(left_max[size_t(k)], r);
            }
        }
    }
    for (int k = 0; k < kBins; ++k) {
        if (right_hits[size_t(k)] >= 3)
            right[size_t(k)] = right_min[size_t(k)] - 0.12;
        if (left_hits[size_t(k)] >= 3)
            left[size_t(k)] = left_max[size_t(k)] + 0.12;
    }
    cv::Mat mask(markings.size(), CV_8U, cv::Scalar(0));
    for (int y = top; y < markings.rows; ++y) {
        const uchar* base = corridor.ptr<uchar>(y);
        const uchar* bins = bins_of.ptr<uchar>(y);
        const float* lateral = view.rightRow(y);
        uchar* m = mask.ptr<uchar>(y);
        for (int x = 0; x < markings.cols; ++x) {
            if (!base[x])
                continue;
            const double r = lateral[x];
            const size_t k = bins[x];
            m[x] = (r <= right[k] && r >= left[k]) ? 255 : 0;
        }
    }
    return mask;
}

std::optional<LaneLine> laneLine(const RoadView& view, const cv::Mat& bins_of, const cv::Mat& markings, int top)
{
    std::vector<cv::Point2f> on_line; // (forward, right)
    for (int y = top; y < markings.rows; ++y) {
        const uchar* m = markings.ptr<uchar>(y);
        const uchar* bins = bins_of.ptr<uchar>(y);
        const float* forward = view.forwardRow(y);
        const float* lateral = view.rightRow(y);
        for (int x = 0; x < markings.cols; ++x)
            if (m[x] && bins[x] != kNoBin && lateral[x] > -3.2f && lateral[x] < -0.6f)
                on_line.emplace_back(forward[x], lateral[x]);
    }
    std::optional<LaneLine> line;
    // Least squares twice: the second time without the pixels 30 cm off the first line (an
    // arrow, a patch's bright edge).
    for (int pass = 0; pass < 2 && on_line.size() >= 40; ++pass) {
        double n = 0, sf = 0, sr = 0, sff = 0, sfr = 0;
        for (const auto& p : on_line)
            if (!line || std::abs(p.y - line->rightAt(p.x)) < 0.3)
                n += 1, sf += p.x, sr += p.y, sff += double(p.x) * p.x, sfr += double(p.x) * p.y;
        const double det = n * sff - sf * sf;
        if (n < 40 || det <= 1e-9 * n * n)
            return std::nullopt;
        const double b = (n * sfr - sf * sr) / det;
        line = LaneLine{(sr - b * sf) / n, b};
    }
    return line;
}

bool alongTheLaneLine(const std::vector<cv::Point>& pixels, const RoadView& view,
                      const std::optional<LaneLine>& lane_line)
{
    if (!lane_line)
        return false;
    double forward = 0, right = 0;
    for (const auto& p : pixels)
        forward += view.forward(p.x, p.y), right += view.right(p.x, p.y);
    forward /= double(pixels.size()), right /= double(pixels.size());
    return std::abs(right - lane_line->rightAt(forward)) < 0.4;
}

} // namespace voirie::plugins::cracks
