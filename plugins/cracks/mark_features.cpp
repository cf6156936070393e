#include "mark_features.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace voirie::plugins::cracks {

float sideDistance(const GroupFeatures& f)
{
    return float(std::max(3.0, 1.5 * f.width_px + 2.0));
}

double outlineShare(const std::vector<cv::Point2f>& points, const std::array<cv::Point2f, 4>& corners, int sides)
{
    constexpr float kNearCm = 8;
    std::array<int, 4> per_side{};
    int near = 0;
    for (const auto& p : points) {
        float nearest = kNearCm;
        int side = -1;
        for (int s = 0; s < 4; ++s) {
            const cv::Point2f a = corners[size_t(s)], ab = corners[size_t((s + 1) % 4)] - a;
            const float t = std::clamp((p - a).dot(ab) / std::max(1e-6f, ab.dot(ab)), 0.f, 1.f);
            if (const float d = float(cv::norm(p - (a + t * ab))); d < nearest)
                nearest = d, side = s;
        }
        if (side >= 0)
            ++near, ++per_side[size_t(side)];
    }
    const auto held = std::count_if(per_side.begin(), per_side.end(), [&](int n) { return n > 0 && n >= 0.15 * near; });
    return held >= sides ? double(near) / double(points.size()) : 0.0;
}

double shareAlongOneLine(const std::vector<float>& along, const std::vector<float>& across)
{
    if (along.empty())
        return 0;
    const auto [lo, hi] = std::minmax_element(along.begin(), along.end());
    const float length = std::max(1e-3f, *hi - *lo);
    constexpr int kStretches = 4, kBins = 200, kBand = 6; // 2 cm bins over 4 m across; 12 cm band
    std::vector<std::array<int, kBins>> counts(kStretches);
    for (auto& c : counts)
        c.fill(0);
    for (size_t i = 0; i < along.size(); ++i) {
        const int stretch = std::clamp(int((along[i] - *lo) / length * kStretches), 0, kStretches - 1);
        ++counts[size_t(stretch)][size_t(std::clamp(int(std::floor(across[i] / 0.02f)) + kBins / 2, 0, kBins - 1))];
    }
    int on_line = 0;
    for (const auto& c : counts) {
        int band = std::accumulate(c.begin(), c.begin() + kBand, 0), best = band;
        for (int b = kBand; b < kBins; ++b) {
            band += c[size_t(b)] - c[size_t(b - kBand)];
            best = std::max(best, band);
        }
        on_line += best;
    }
    return double(on_line) / double(along.size());
}

bool describe(GroupFeatures& f, const cv::Mat& response, const RoadView& view, double min_length)
{
    // Ground-plane shape: principal axis, extents (robust percentiles), convex hull area.
    std::vector<cv::Point2f> ground;
    ground.reserve(f.pixels.size());
    double sum_response = 0;
    for (const auto& p : f.pixels) {
        ground.emplace_back(view.forward(p.x, p.y), view.right(p.x, p.y));
        sum_response += response.at<float>(p);
    }
    f.mean_response = sum_response / double(f.pixels.size());
    cv::PCA pca(cv::Mat(ground).reshape(1), cv::Mat(), cv::PCA::DATA_AS_ROW);
    const cv::Point2f axis(pca.eigenvectors.at<float>(0, 0), pca.eigenvectors.at<float>(0, 1));
    const cv::Point2f centre(pca.mean.at<float>(0, 0), pca.mean.at<float>(0, 1));
    std::vector<float> along, across;
    for (const auto& g : ground) {
        const cv::Point2f d = g - centre;
        along.push_back(d.dot(axis));
        across.push_back(d.x * -axis.y + d.y * axis.x);
    }
    auto extent = [](std::vector<float> v) {
        std::sort(v.begin(), v.end());
        return double(v[size_t(double(v.size() - 1) * 0.98)] - v[size_t(double(v.size() - 1) * 0.02)]);
    };
    f.length_m = extent(along);
    f.spread_m = extent(across);
    if (f.length_m < min_length)
        return false;
    f.line_share = shareAlongOneLine(along, across);
    std::vector<cv::Point2f> hull;
    std::vector<cv::Point2f> scaled;
    for (const auto& g : ground)
        scaled.emplace_back(g.x * 100, g.y * 100);
    cv::convexHull(scaled, hull);
    f.hull_area_m2 = cv::contourArea(hull) / 1e4;
    // A patch's sealed edges form a rectangle on the road: its pixels hug the outline. Across
    // the road, along two sides at least (an L, a U, the whole): a transverse crack with a
    // spur hugs one side of the rectangle around it.
    const int sides = std::abs(axis.x) < std::cos(M_PI / 4) ? 2 : 1;
    const cv::RotatedRect rect = cv::minAreaRect(scaled);
    std::array<cv::Point2f, 4> corners;
    rect.points(corners.data());
    f.on_outline = outlineShare(scaled, corners, sides);
    f.rect_min_side_m = std::min(rect.size.width, rect.size.height) / 100.0;
    // Patches are cut along the lane. Of one seen in part (a side and an edge: an L; three
    // sides: a U), the smallest rectangle is a diagonal one; the pixels hug the outline of
    // their bounding box along the road instead.
    const cv::Rect2f along_road = cv::boundingRect(scaled);
    if (std::min(along_road.width, along_road.height) / 100.0 > 0.3) {
        const std::array<cv::Point2f, 4> box{along_road.tl(), cv::Point2f(along_road.br().x, along_road.y),
                                             along_road.br(), cv::Point2f(along_road.x, along_road.br().y)};
        if (const double share = outlineShare(scaled, box, sides); share > f.on_outline)
            f.on_outline = share, f.rect_min_side_m = std::min(along_road.width, along_road.height) / 100.0;
    }
    // Angle between the principal axis and the driving direction (the forward axis).
    f.angle_deg = std::acos(std::min(1.0, double(std::abs(axis.x)))) * 180.0 / M_PI;

    // Straightness in the image (straight lines stay straight under perspective): residual
    // of the pixels off their best line beyond what the mark's own thickness explains.
    cv::Vec4f line;
    cv::fitLine(f.pixels, line, cv::DIST_L2, 0, 0.01, 0.01);
    f.axis_direction = {line[0], line[1]};
    f.axis_origin = {line[2], line[3]};
    double sq = 0, lo = 1e9, hi = -1e9;
    for (const auto& p : f.pixels) {
        const cv::Point2f d = cv::Point2f(p) - f.axis_origin;
        const double a = d.dot(f.axis_direction), c = d.x * -f.axis_direction.y + d.y * f.axis_direction.x;
        sq += c * c;
        lo = std::min(lo, a), hi = std::max(hi, a);
    }
    const double length_px = std::max(1.0, hi - lo);
    f.width_px = double(f.pixels.size()) / length_px;
    const double residual = std::sqrt(std::max(0.0, sq / double(f.pixels.size()) - f.width_px * f.width_px / 12.0));
    f.residual_px = residual;
    f.straightness = residual / length_px;
    return true;
}

void measureWidth(GroupFeatures& f, const cv::Mat& gray, const RoadView& view)
{
    constexpr double kCrackDarkness = 0.8;
    const cv::Point2f normal(-f.axis_direction.y, f.axis_direction.x);
    const int reach = int(std::ceil(1.5 * f.width_px + 2.0));
    std::vector<double> widths;
    const size_t step = std::max<size_t>(1, f.pixels.size() / 40);
    std::vector<double> profile;
    for (size_t i = 0; i < f.pixels.size(); i += step) {
        // Centre the profile on the darkest pixel near this one across the line.
        cv::Point2f centre(f.pixels[i]);
        profile.clear();
        bool inside = true;
        for (int t = -reach; t <= reach && inside; ++t) {
            const cv::Point q(int(std::lround(centre.x + normal.x * float(t))), int(std::lround(centre.y + normal.y * float(t))));
            inside = q.x >= 0 && q.y >= 0 && q.x < gray.cols && q.y < gray.rows;
            if (inside)
                profile.push_back(gray.at<uchar>(q));
        }
        if (!inside || profile.size() < 5)
            continue;
        const double road = std::max(0.5 * (profile[0] + profile[1]), 0.5 * (profile[profile.size() - 1] + profile[profile.size() - 2]));
        if (road < 20)
            continue; // too dark to tell a crack's darkness from the road's
        double deficit = 0;
        for (double v : profile)
            deficit += std::max(0.0, road - v);
        widths.push_back(deficit / (kCrackDarkness * road));
    }
    if (widths.empty()) {
        f.dark_width_px = f.width_px;
    } else {
        std::nth_element(widths.begin(), widths.begin() + long(widths.size() / 2), widths.end());
        f.dark_width_px = widths[widths.size() / 2];
    }
    // One pixel across the image line, on the road, in metres.
    const cv::Point c(int(f.axis_origin.x), int(f.axis_origin.y));
    auto g0 = view.plane().pixelToGround(c.x, c.y), g1 = view.plane().pixelToGround(c.x + normal.x, c.y + normal.y);
    if (g0 && g1)
        f.width_mm = std::max(1.0, f.dark_width_px * std::hypot(g1->forward - g0->forward, g1->right - g0->right) * 1000.0);
}

double valleyShare(const GroupFeatures& f, const cv::Mat& gray)
{
    const cv::Point2f dir = f.axis_direction, normal(-dir.y, dir.x);
    const float side = sideDistance(f);
    auto value = [&](cv::Point2f p) -> double {
        const int x = int(std::lround(p.x)), y = int(std::lround(p.y));
        if (x < 0 || y < 0 || x >= gray.cols || y >= gray.rows)
            return -1;
        return gray.at<uchar>(y, x);
    };
    auto along = [&](cv::Point2f p, cv::Point2f d) { // three pixels along the line through p
        const double a = value(p - d), b = value(p), c = value(p + d);
        return (a < 0 || b < 0 || c < 0) ? -1 : (a + b + c) / 3;
    };
    auto valley = [&](cv::Point2f p, cv::Point2f d, cv::Point2f n) {
        const double c = along(p, d), a = along(p + n * side, d), b = along(p - n * side, d);
        return c >= 0 && a >= 0 && b >= 0 && std::min(a, b) - c > std::max(4.0, 0.05 * std::min(a, b));
    };
    const size_t step = std::max<size_t>(1, f.pixels.size() / 60);
    int total = 0, dark = 0;
    for (size_t i = 0; i < f.pixels.size(); i += step, ++total) {
        const cv::Point2f p(f.pixels[i]);
        dark += valley(p, dir, normal) || valley(p, normal, dir);
    }
    return total ? double(dark) / total : 0;
}

double sideContrast(const GroupFeatures& f, const cv::Mat& gray)
{
    const cv::Point2f dir = f.axis_direction, normal(-dir.y, dir.x);
    const float off = 2.f * sideDistance(f);
    const cv::Rect inside(0, 0, gray.cols, gray.rows);
    auto at = [&](cv::Point2f p) { return cv::Point(int(std::lround(p.x)), int(std::lround(p.y))); };
    auto sideMean = [&](cv::Point2f p) -> double {
        double sum = 0;
        for (int t = -2; t <= 2; ++t) {
            const cv::Point q = at(p + dir * float(t));
            if (!inside.contains(q))
                return -1;
            sum += gray.at<uchar>(q);
        }
        return sum / 5;
    };
    double difference = 0, depth = 0;
    const size_t step = std::max<size_t>(1, f.pixels.size() / 60);
    for (size_t i = 0; i < f.pixels.size(); i += step) {
        const cv::Point2f p(f.pixels[i]);
        const double a = sideMean(p + normal * off), b = sideMean(p - normal * off);
        if (a < 0 || b < 0)
            continue; // a side off the picture
        difference += std::abs(a - b);
        depth += std::max(1.0, std::min(a, b) - gray.at<uchar>(at(p)));
    }
    return depth > 0 ? difference / depth : 0;
}

std::optional<bool> darkerThanSides(const cv::Mat& gray, cv::Point2f p, cv::Point2f normal, float side)
{
    // The line's darkest of five places across it: an extrapolated axis drifts off a thin line.
    double on = 1e9;
    for (const float k : {-2.f, -1.f, 0.f, 1.f, 2.f}) {
        const double v = meanAround(gray, p + normal * k);
        if (v < 0)
            return std::nullopt;
        on = std::min(on, v);
    }
    const double a = meanAround(gray, p + normal * side), b = meanAround(gray, p - normal * side);
    if (a < 0 || b < 0)
        return std::nullopt;
    return std::min(a, b) - on > std::max(4.0, 0.05 * std::min(a, b));
}

double meanAround(const cv::Mat& gray, cv::Point2f p)
{
    const int x = int(std::lround(p.x)), y = int(std::lround(p.y));
    if (x < 1 || y < 1 || x >= gray.cols - 1 || y >= gray.rows - 1)
        return -1;
    const uchar* r0 = gray.ptr<uchar>(y - 1);
    const uchar* r1 = gray.ptr<uchar>(y);
    const uchar* r2 = gray.ptr<uchar>(y + 1);
    return (r0[x - 1] + r0[x] + r0[x + 1] + r1[x - 1] + r1[x] + r1[x + 1] + r2[x - 1] + r2[x] + r2[x + 1]) / 9.0;
}

bool darkLineFrom(const cv::Mat& gray, int top_row, cv::Point2f start, cv::Point2f direction, double from,
                  double to, float side)
{
    const cv::Point2f normal(-direction.y, direction.x);
    int valid = 0, dark = 0;
    for (double t = from; t <= to; t += 2) {
        const cv::Point2f p = start + direction * float(t);
        const auto is_dark = darkerThanSides(gray, p, normal, side);
        if (!is_dark || p.y < top_row)
            continue;
        ++valid;
        dark += *is_dark;
    }
    return valid >= 5 && dark >= 0.6 * valid;
}

cv::Point2f followDarkLine(const cv::Mat& gray, cv::Point2f start, cv::Point2f direction, double reach, float side)
{
    const cv::Point2f normal(-direction.y, direction.x);
    cv::Point2f last = start;
    int misses = 0;
    for (double t = 2; t <= reach && misses < 3; t += 2) {
        const cv::Point2f p = start + direction * float(t);
        if (darkerThanSides(gray, p, normal, side).value_or(false))
            last = p, misses = 0;
        else
            ++misses;
    }
    return last;
}

} // namespace voirie::plugins::cracks
