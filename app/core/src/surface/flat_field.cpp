#include "flat_field.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace voirie::surface {
namespace {

constexpr int64_t kMinFrames = 20;
constexpr int kShrink = 8;          // the field is smooth: estimated at an eighth of the resolution
constexpr double kSmoothing = 3.0;  // then blurred over 3 of those pixels (half a metre at 2 cm)

} // namespace

void FlatField::add(const cv::Mat& patch)
{
    cv::Mat grey;
    cv::cvtColor(patch, grey, cv::COLOR_BGR2GRAY);
    if (sum_.empty())
        sum_ = cv::Mat::zeros(grey.size(), CV_32F);
    cv::accumulate(grey, sum_);
    ++frames_;
}

cv::Mat FlatField::gain(const cv::Mat& valid) const
{
    cv::Mat ones(valid.size(), CV_32F, cv::Scalar(1));
    if (frames_ < kMinFrames || sum_.size() != valid.size())
        return ones;
    // Normalised convolution at low resolution: the field where the camera saw the road, without
    // the black outside it pulling the edges down.
    cv::Mat inside, weighted, small_field, small_weight;
    valid.convertTo(inside, CV_32F, 1.0 / 255);
    cv::multiply(sum_ / double(frames_), inside, weighted);
    const cv::Size small(std::max(1, valid.cols / kShrink), std::max(1, valid.rows / kShrink));
    cv::resize(weighted, small_field, small, 0, 0, cv::INTER_AREA);
    cv::resize(inside, small_weight, small, 0, 0, cv::INTER_AREA);
    cv::GaussianBlur(small_field, small_field, {0, 0}, kSmoothing);
    cv::GaussianBlur(small_weight, small_weight, {0, 0}, kSmoothing);
    cv::Mat field = small_field / cv::max(small_weight, 1e-3), full;
    cv::resize(field, full, valid.size(), 0, 0, cv::INTER_LINEAR);
    const double level = cv::mean(full, valid)[0];
    if (!(level > 1))
        return ones; // a black survey: nothing to flatten
    cv::Mat gain = level / cv::max(full, 1e-3);
    cv::min(cv::max(gain, 0.5), 2.0, gain);
    gain.setTo(1, valid == 0);
    return gain;
}

cv::Mat applyGain(const cv::Mat& patch, const cv::Mat& gain)
{
    cv::Mat f, scaled, out;
    patch.convertTo(f, CV_32FC3);
    cv::Mat gain3 = gain;
    if (gain.channels() == 1) {
        const cv::Mat channels[3] = {gain, gain, gain};
        cv::merge(channels, 3, gain3);
    }
    cv::multiply(f, gain3, scaled);
    scaled.convertTo(out, CV_8UC3);
    return out;
}

} // namespace voirie::surface
