#include "crack_classifier.hpp"

#include "../common/centre_line.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace voirie::plugins::cracks {

bool isNetwork(const GroupFeatures& f, double alligator_area)
{
    constexpr double kMaxLineShare = 0.7;
    return f.hull_area_m2 >= alligator_area && f.spread_m >= 0.45 && f.length_m >= 0.6 &&
           f.on_outline < 0.7 && f.pieces >= 3 && f.line_share < kMaxLineShare;
}

std::optional<sdk::Detection> classify(const GroupFeatures& f, cv::Size size, double alligator_area)
{
    const bool network = isNetwork(f, alligator_area);
    if (!network && f.straight_artifact)
        return std::nullopt; // a joint, a seam, a pole's shadow, a patch's border
    if (f.valley_share < 0.5)
        return std::nullopt; // the dark side of a step: a shadow's or a patch's edge, a
                             // manhole's rim (for a network too: its cells are valleys)
    // Along the road, a line between two surfaces of different shade is a patch's side. Of
    // the longitudinal cracks found on seeds 1, 7, 11 (perfect GPS) and the clean roads 13,
    // 33, the views of true ones stay under 0.8 (0.53 at the 95th percentile); a fifth of the
    // others pass 0.9.
    constexpr double kMaxSideContrast = 0.9;
    if (!network && f.angle_deg < 45 && f.side_contrast >= kMaxSideContrast)
        return std::nullopt;
    if (f.rect_min_side_m > 0.3 && f.on_outline > 0.8)
        return std::nullopt; // edges of a rectangle on the road: a patch, not damage
    const cv::Rect extent = cv::boundingRect(f.pixels);
    if (std::hypot(extent.width, extent.height) < 24)
        return std::nullopt; // a few pixels far away: grain as often as a crack
    // A thin mark across the road (within 20 degrees) may fork or send out a spur and still
    // be a transverse crack: its hull then fills a quarter to a half of the disc across its
    // length. Shadows' soft edges there are wider than 3 pixels of darkness.
    const bool across = f.angle_deg >= 70 && f.length_m >= 0.8 && f.dark_width_px <= 3;
    if (!network && f.hull_area_m2 / (M_PI * f.length_m * f.length_m / 4) > (across ? 0.55 : 0.25))
        return std::nullopt; // a compact dark blob's edges (a pothole, a stain): not a crack
    sdk::Detection d;
    cv::Rect box = cv::boundingRect(f.pixels);
    box &= cv::Rect(0, 0, size.width, size.height);
    d.x = box.x;
    d.y = box.y;
    d.width = std::max(1, box.width);
    d.height = std::max(1, box.height);
    d.confidence = std::clamp(0.35 + f.mean_response / 120.0 + std::min(0.25, f.length_m / 12.0), 0.0, 0.99);
    if (network) {
        d.class_code = "D20";
        std::vector<cv::Point> hull;
        cv::convexHull(f.pixels, hull);
        d.shape = voirie::sdk::Shape::Polygon;
        for (const auto& p : hull)
            d.points.push_back({double(p.x), double(p.y)});
        d.attributes = {{"area_m2", f.hull_area_m2}, {"width_px", f.width_px}};
        return d;
    }
    d.class_code = f.angle_deg < 45 ? "D00" : "D10";
    d.shape = voirie::sdk::Shape::Polyline;
    for (const auto& p : voirie::plugins::centreLine(f.pixels, std::clamp(int(f.length_m / 0.15), 2, 24), size))
        d.points.push_back({p.x, p.y});
    if (d.points.size() < 2)
        return std::nullopt;
    d.attributes = {{"width_px", f.dark_width_px}, {"width_mm", f.width_mm}, {"length_m", f.length_m}};
    return d;
}

void addNetwork(sdk::Detection network, std::vector<sdk::Detection>& out)
{
    std::vector<cv::Point2f> hull;
    for (const auto& p : network.points)
        hull.emplace_back(float(p.x), float(p.y));
    auto inside = [&](const sdk::Detection& d) {
        const cv::Point2f centre(float(d.x + d.width / 2), float(d.y + d.height / 2));
        return cv::pointPolygonTest(hull, centre, false) >= 0;
    };
    if (std::any_of(out.begin(), out.end(), [&](const sdk::Detection& d) { return d.class_code == "D20" && inside(d); }))
        return;
    out.erase(std::remove_if(out.begin(), out.end(), inside), out.end());
    out.push_back(std::move(network));
}

} // namespace voirie::plugins::cracks
