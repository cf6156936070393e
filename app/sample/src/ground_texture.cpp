#include "ground_texture.hpp"

#include <opencv2/imgproc.hpp>

#include <cmath>

namespace voirie::sample {
namespace {

uint32_t hash3(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t h = a * 0x9E3779B1u ^ (b + 0x7F4A7C15u) * 0x85EBCA77u ^ (c + 0x165667B1u) * 0xC2B2AE3Du;
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12;
    h *= 0x297A2D39u;
    h ^= h >> 15;
    return h;
}

float unit(uint32_t h) { return float(h & 0xFFFFFF) / float(0x1000000); }

// Smooth value noise in [-1, 1] on a lattice of `cell` metres; continuous across tiles.
float valueNoise(double s, double t, double cell, uint32_t seed)
{
    const double fs = s / cell, ft = t / cell;
    const int64_t is = int64_t(std::floor(fs)), it = int64_t(std::floor(ft));
    const double u = fs - double(is), v = ft - double(it);
    const double su = u * u * (3 - 2 * u), sv = v * v * (3 - 2 * v);
    auto at = [&](int64_t a, int64_t b) { return unit(hash3(uint32_t(a), uint32_t(b), seed)) * 2 - 1; };
    const double top = at(is, it) * (1 - su) + at(is + 1, it) * su;
    const double bottom = at(is, it + 1) * (1 - su) + at(is + 1, it + 1) * su;
    return float(top * (1 - sv) + bottom * sv);
}

class Canvas {
public:
    Canvas(cv::Mat& image, double s0) : image_(image), s0_(s0) {}
    cv::Point point(const RoadPoint& p) const // fixed point, 4 fractional bits
    {
        return {int(std::lround((p.s - s0_) / kTexel * 16)), int(std::lround((p.t - kTMin) / kTexel * 16))};
    }
    std::vector<cv::Point> points(const RoadLine& line) const
    {
        std::vector<cv::Point> out;
        for (const auto& p : line)
            out.push_back(point(p));
        return out;
    }
    cv::Mat& image() { return image_; }
    double s0() const { return s0_; }

private:
    cv::Mat& image_;
    double s0_;
};

void drawLine(cv::Mat& target, const std::vector<cv::Point>& pts, const cv::Scalar& colour, int thickness, bool closed = false)
{
    const cv::Point* data = pts.data();
    const int n = int(pts.size());
    cv::polylines(target, &data, &n, 1, closed, colour, thickness, cv::LINE_AA, 4);
}

// Cracks darken by their coverage of a texel: a 6 mm crack covers 30% of a 2 cm texel.
void drawCrack(Canvas& c, cv::Mat& darkness, const RoadLine& line, double width_mm, bool spalled)
{
    const double texels = width_mm / 1000.0 / kTexel;
    const int thickness = std::max(1, int(std::lround(texels)));
    const double strength = std::min(1.0, 0.35 + 1.3 * texels);
    const auto pts = c.points(line);
    if (spalled) // broken edges around wide cracks
        drawLine(darkness, pts, cv::Scalar(0.35 * strength), thickness + 2);
    cv::Mat stroke = cv::Mat::zeros(darkness.size(), CV_32F);
    drawLine(stroke, pts, cv::Scalar(strength), thickness);
    cv::max(darkness, stroke, darkness);
}

void fillPolygon(cv::Mat& target, const std::vector<cv::Point>& pts, const cv::Scalar& colour)
{
    const cv::Point* data = pts.data();
    const int n = int(pts.size());
    cv::fillPoly(target, &data, &n, 1, colour, cv::LINE_AA, 4);
}

} // namespace

const TextureTile& GroundTexture::tile(int index)
{
    auto it = cache_.find(index);
    if (it != cache_.end())
        return *it->second;
    while (cache_.size() > 12) // keep the tiles around the vehicle
        cache_.erase(std::abs(cache_.begin()->first - index) > std::abs(cache_.rbegin()->first - index)
                         ? cache_.begin()
                         : std::prev(cache_.end()));
    auto tile = std::make_shared<TextureTile>();
    tile->level[0] = render(index);
    cv::pyrDown(tile->level[0], tile->level[1]);
    cv::pyrDown(tile->level[1], tile->level[2]);
    return *cache_.emplace(index, tile).first->second;
}

cv::Mat GroundTexture::render(int index) const
{
    const double s0 = index * kTileLength;
    const uint32_t seed = uint32_t(seed_);
    cv::Mat image(kTextureRows, kTileColumns, CV_8UC3);

    // Base materials across the road, with low-frequency variation and grain.
    for (int row = 0; row < kTextureRows; ++row) {
        const double t = kTMin + (row + 0.5) * kTexel, at = std::abs(t);
        auto* px = image.ptr<cv::Vec3b>(row);
        for (int col = 0; col < kTileColumns; ++col) {
            const double s = s0 + (col + 0.5) * kTexel;
            const uint32_t h = hash3(uint32_t(index * kTileColumns + col), uint32_t(row), seed);
            const float grain = unit(h) * 2 - 1;
            float b, g, r;
            if (at < kLaneWidth) { // asphalt: grey, slightly blue, worn lighter in the wheel paths
                const float low = 9 * valueNoise(s, t, 3.0, seed + 1) + 5 * valueNoise(s, t, 0.7, seed + 2);
                const double wheel = std::exp(-std::pow((at - 0.9) / 0.35, 2)) + std::exp(-std::pow((at - 2.6) / 0.35, 2));
                const float base = 92 + low + float(6 * wheel) + 13 * grain;
                const bool stone = (h >> 24) < 6; // light aggregate speckles
                const bool pit = ((h >> 24) & 0xFF) > 250;
                b = base + 3 + (stone ? 45.f : 0.f) - (pit ? 35.f : 0.f);
                g = base + 1 + (stone ? 42.f : 0.f) - (pit ? 35.f : 0.f);
                r = base + (stone ? 40.f : 0.f) - (pit ? 35.f : 0.f);
            } else if (at < kKerbOuter) { // concrete kerb with a dark gutter at its foot
                const float v = at < kLaneWidth + 0.03 ? 55.f : 158 + 8 * grain + 6 * valueNoise(s, t, 1.0, seed + 3);
                b = g = r = v;
            } else if (at < kSidewalkOuter) { // sidewalk pavers with joints
                const double ps = std::fmod(s + 1000.0, 0.6), pt = std::fmod(at, 0.4);
                const bool joint = ps < 0.02 || pt < 0.02;
                const float v = joint ? 95.f : 148 + 10 * valueNoise(std::floor(s / 0.6), std::floor(at / 0.4), 1.0, seed + 4) + 7 * grain;
                b = v + 2;
                g = v;
                r = v - 3;
            } else { // grass verge
                const float v = 12 * valueNoise(s, t, 1.5, seed + 5) + 14 * grain;
                b = 60 + v;
                g = 112 + v;
                r = 82 + v;
            }
            px[col] = cv::Vec3b(cv::saturate_cast<uchar>(b), cv::saturate_cast<uchar>(g), cv::saturate_cast<uchar>(r));
        }
    }
    cv::GaussianBlur(image, image, {3, 3}, 0.6);

    Canvas canvas(image, s0);
    const double s_lo = s0 - 12, s_hi = s0 + kTileLength + 12; // items reaching into this tile

    // Patches: newer or older asphalt with sealed (dark) edges.
    for (const auto& p : scene_.patches) {
        if (p.s1 < s_lo || p.s0 > s_hi)
            continue;
        const auto a = canvas.point({p.s0, p.t0}), b = canvas.point({p.s1, p.t1});
        cv::Rect r(cv::Point(a.x >> 4, a.y >> 4), cv::Point(b.x >> 4, b.y >> 4));
        r &= cv::Rect(0, 0, image.cols, image.rows);
        if (r.area() > 0)
            image(r) += cv::Scalar::all(std::max(0, p.tone)), image(r) -= cv::Scalar::all(std::max(0, -p.tone));
        cv::rectangle(image, a, b, cv::Scalar::all(48), 1, cv::LINE_AA, 4);
    }
    // Lane markings: a dashed centre line (3 m dash, 10 m period) and continuous edge lines.
    for (double s = std::floor(s_lo / 10.0) * 10.0; s < s_hi; s += 10.0)
        cv::rectangle(image, canvas.point({s, -0.06}), canvas.point({s + 3.0, 0.06}), cv::Scalar(222, 225, 225), cv::FILLED,
                      cv::LINE_AA, 4);
    for (double side : {-1.0, 1.0})
        cv::rectangle(image, canvas.point({s_lo, side * 3.3 - 0.06}), canvas.point({s_hi, side * 3.3 + 0.06}),
                      cv::Scalar(215, 218, 218), cv::FILLED, cv::LINE_AA, 4);
    // Sealed joints: straight dark seams of tar, the classic crack look-alike.
    for (const auto& j : scene_.joints)
        if (std::max(j.line.front().s, j.line.back().s) > s_lo && std::min(j.line.front().s, j.line.back().s) < s_hi)
            drawLine(image, canvas.points(j.line), cv::Scalar::all(42), 1);
    // Manholes: dark cast iron, a ring and a regular pattern.
    for (const auto& m : scene_.manholes) {
        if (m.centre.s < s_lo || m.centre.s > s_hi)
            continue;
        const auto c = canvas.point(m.centre);
        const int r16 = int(m.radius / kTexel * 16);
        cv::circle(image, c, r16, cv::Scalar(70, 72, 74), cv::FILLED, cv::LINE_AA, 4);
        cv::circle(image, c, r16, cv::Scalar(120, 122, 124), 2, cv::LINE_AA, 4);
        for (double d = -m.radius * 0.8; d <= m.radius * 0.8; d += 0.08) {
            const double half = std::sqrt(std::max(0.0, m.radius * m.radius * 0.64 - d * d));
            drawLine(image, {canvas.point({m.centre.s + d, m.centre.t - half}), canvas.point({m.centre.s + d, m.centre.t + half})},
                     cv::Scalar(92, 94, 96), 1);
        }
    }
    // Oil stains: soft, dark, slightly brown.
    cv::Mat stain_mask = cv::Mat::zeros(image.size(), CV_32F);
    for (const auto& o : scene_.stains) {
        if (o.centre.s < s_lo || o.centre.s > s_hi)
            continue;
        cv::ellipse(stain_mask, canvas.point(o.centre), cv::Size(int(o.a / kTexel * 16), int(o.b / kTexel * 16)),
                    o.angle * 180 / M_PI, 0, 360, cv::Scalar(0.35), cv::FILLED, cv::LINE_AA, 4);
    }

    // Damage: a darkness mask for cracks, filled shapes for potholes.
    cv::Mat darkness = cv::Mat::zeros(image.size(), CV_32F);
    for (const auto& d : scene_.damages) {
        if (d.s_max < s_lo || d.s_min > s_hi)
            continue;
        if (d.class_code == "D40") {
            // Depth: the near wall (lower s) in shadow, the far wall lit and facing the camera,
            // loose gravel on the bottom, a lighter broken rim.
            const auto pts = canvas.points(d.outline);
            cv::Mat mask = cv::Mat::zeros(image.size(), CV_8U);
            fillPolygon(mask, pts, cv::Scalar(255));
            cv::Rect box = cv::boundingRect(pts);
            box = cv::Rect(box.x >> 4, box.y >> 4, (box.width >> 4) + 2, (box.height >> 4) + 2) & cv::Rect(0, 0, image.cols, image.rows);
            const double depth_dark = 0.38 - 1.2 * d.depth_m;
            for (int row = box.y; row < box.y + box.height; ++row)
                for (int col = box.x; col < box.x + box.width; ++col) {
                    const uchar m = mask.at<uchar>(row, col);
                    if (!m)
                        continue;
                    const double along = (col - box.x) / std::max(1.0, double(box.width)); // 0 near, 1 far
                    const uint32_t h = hash3(uint32_t(index * kTileColumns + col), uint32_t(row), seed + 9);
                    const double shade = depth_dark + 0.35 * std::pow(along, 2.0) + 0.18 * (unit(h) - 0.5);
                    auto& px = image.at<cv::Vec3b>(row, col);
                    const double f = std::clamp(shade, 0.12, 0.9) * (m / 255.0) + (1 - m / 255.0);
                    px = cv::Vec3b(cv::saturate_cast<uchar>(px[0] * f * 0.95), cv::saturate_cast<uchar>(px[1] * f * 0.97),
                                   cv::saturate_cast<uchar>(px[2] * f));
                }
            drawLine(image, pts, cv::Scalar(128, 130, 132), 1, true);
            continue;
        }
        const bool spalled = d.severity == Severity::High;
        if (d.class_code == "D20") {
            for (const auto& edge : d.branches)
                drawCrack(canvas, darkness, edge, d.width_mm, spalled);
            drawCrack(canvas, darkness, d.outline, d.width_mm, false);
            cv::Mat region = cv::Mat::zeros(image.size(), CV_32F);
            fillPolygon(region, canvas.points(d.outline), cv::Scalar(0.12));
            cv::max(darkness, region, darkness);
        } else {
            drawCrack(canvas, darkness, d.line, d.width_mm, spalled);
            for (const auto& b : d.branches)
                drawCrack(canvas, darkness, b, d.width_mm * 0.5, false);
        }
    }
    // Shadows, soft-edged.
    cv::Mat shadow_mask = cv::Mat::zeros(image.size(), CV_32F);
    for (const auto& sh : scene_.shadows)
        for (const auto& poly : sh.polygons)
            if (!poly.empty() && poly.front().s < s_hi + 10 && poly.front().s > s_lo - 10)
                fillPolygon(shadow_mask, canvas.points(poly), cv::Scalar(0.42));
    cv::GaussianBlur(shadow_mask, shadow_mask, {0, 0}, 4.0);
    cv::GaussianBlur(stain_mask, stain_mask, {0, 0}, 3.0);

    // Compose: crack darkness towards near-black, stains and shadows multiply.
    for (int row = 0; row < image.rows; ++row) {
        auto* px = image.ptr<cv::Vec3b>(row);
        const float* dk = darkness.ptr<float>(row);
        const float* st = stain_mask.ptr<float>(row);
        const float* sh = shadow_mask.ptr<float>(row);
        for (int col = 0; col < image.cols; ++col) {
            const float keep = (1 - dk[col]) * (1 - st[col]) * (1 - sh[col]);
            const float dark = 22 * dk[col];
            px[col] = cv::Vec3b(cv::saturate_cast<uchar>(px[col][0] * keep + dark), cv::saturate_cast<uchar>(px[col][1] * keep + dark),
                                cv::saturate_cast<uchar>(px[col][2] * keep * (1 + 0.05f * st[col]) + dark));
        }
    }
    return image;
}

} // namespace voirie::sample
