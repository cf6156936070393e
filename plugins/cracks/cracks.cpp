// Classical crack detector: thin dark ridges on the road, classified on the ground plane.
#include "../common/centre_line.hpp"
#include "../common/road_view.hpp"

#include <voirie/plugin_opencv.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <optional>

namespace {

using voirie::plugins::RoadView;
using voirie::sdk::Detection;

struct Params {
    double min_range, max_range, left, right, threshold, low_threshold, min_length, straight_tolerance, alligator_area;
    double straight_transverse_max, network_threshold;
};

struct GroupFeatures {
    std::vector<cv::Point> pixels;
    double length_m = 0, spread_m = 0, hull_area_m2 = 0, angle_deg = 0; // angle from the driving direction
    double straightness = 1;  // residual off the best line, as a share of the length (image space)
    double residual_px = 0;   // the same residual in pixels
    double width_px = 0;   // thickness of the detected ridge (pixels over length): blur widens it
    double dark_width_px = 0, width_mm = 0; // the crack's own width, from the darkness it takes away
    double mean_response = 0;
    double on_outline = 0; // share of the pixels on the outline of their bounding rectangle (patch edges)
    double rect_min_side_m = 0;
    double valley_share = 1; // share of its pixels darker than the road on both sides (not a step edge)
    double side_contrast = 0; // how the surfaces on its two sides differ, over its depth (a patch's side)
    double line_share = 0; // share of its pixels along one (wandering) line: a crack, not a network
    bool straight_artifact = false; // a joint, a seam, a shadow's or a marking's edge
    int pieces = 1;
    cv::Point2f axis_origin, axis_direction;
};

// How far beside a mark's axis its sides are sampled, in pixels: clear of the ridge's own
// thickness (which blur widens), at least 3.
float sideDistance(const GroupFeatures& f)
{
    return float(std::max(3.0, 1.5 * f.width_px + 2.0));
}

// Share of `points` within 8 cm of the outline of the rectangle `corners` (in order; points and
// corners in cm on the road), or 0 unless they lie along `sides` of its sides or more (each with
// at least 15% of them).
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

// Share of a mark's pixels within 6 cm on the road of one line along its principal axis, allowed
// to wander: the axis is cut into four stretches, and in each the densest 12 cm band across it
// counts. `along` and `across` are the pixels' ground coordinates on the axis, in metres.
// Forked cracks along and across the road: 0.7-0.9; alligator networks: 0.25-0.43 (the middle
// half of 190 views on seeds 1, 7, 11), 0.63 at the 95th percentile.
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

class CrackDetector : public voirie::sdk::Detector {
public:
    explicit CrackDetector(const voirie::sdk::Parameters& p)
        : params_{p.getDouble("min_range_m", 1.8),   p.getDouble("max_range_m", 16),
                  p.getDouble("corridor_left_m", 5.0), p.getDouble("corridor_right_m", 1.45),
                  p.getDouble("threshold", 6.5),     p.getDouble("low_threshold", 2.5),
                  p.getDouble("min_length_m", 0.45), p.getDouble("straight_tolerance", 0.012),
                  p.getDouble("alligator_min_area_m2", 0.35), p.getDouble("straight_transverse_max_m", 3.5),
                  p.getDouble("network_threshold", 5.0)}
    {
        if (params_.min_range >= params_.max_range)
            throw std::invalid_argument("min_range_m must be smaller than max_range_m");
    }

    std::vector<Detection> detect(const voirie::sdk::Frame& frame) override
    {
        const cv::Mat image = voirie::sdk::toMat(frame.image);
        if (image.cols < 64 || image.rows < 48)
            return {}; // too small to show cracks
        const voirie_camera camera = frame.hasCamera() ? *frame.context.camera
                                                       : voirie::plugins::defaultCamera(image.cols, image.rows);
        if (!view_ || !view_->matches(camera, image.cols, image.rows, params_.min_range, params_.max_range)) {
            view_ = std::make_unique<RoadView>(camera, image.cols, image.rows, params_.min_range, params_.max_range);
            road_ = view_->corridorMask(params_.left, params_.right);
            // Lines just beyond the corridor are looked for too: an edge line's border reads as a
            // dark valley inside the corridor, and only a line that is found is masked with its
            // margin.
            marking_search_ = view_->corridorMask(params_.left + 0.8, params_.right + 0.8);
            distance_bins_ = distanceBins();
        }
        const int top = view_->topRow();
        if (top >= image.rows - 2)
            return {}; // the camera sees no road in range
        cv::Mat gray;
        cv::cvtColor(image, gray, frame.image.pixel_format == VOIRIE_PIXEL_RGB8 ? cv::COLOR_RGB2GRAY : cv::COLOR_BGR2GRAY);
        const cv::Mat markings = voirie::plugins::brightMarkings(gray, marking_search_, top);
        cv::Mat road = roadCorridor(markings, top);
        road.setTo(0, markings);
        lane_line_ = laneLine(markings, top);

        cv::Mat response = ridges(gray, top, road);
        // Cracks are looked for within the road's bounding box, with room for the joining below.
        const cv::Rect area = cv::Rect(cv::boundingRect(road) + cv::Size(4, 4) - cv::Point(2, 2)) &
                              cv::Rect(0, 0, image.cols, image.rows);
        if (area.width < 3 || area.height < 3)
            return {};
        std::vector<Detection> out = marks(response, gray, road, area, params_.threshold, image.size(), false);
        // An alligator network's cells are fainter than a lone crack: seeded at the lower
        // network_threshold, a network takes the place of the cracks seen inside it (pieces of
        // its cells), unless one was found at the crack threshold already.
        if (params_.network_threshold < params_.threshold)
            for (auto& network : marks(response, gray, road, area, params_.network_threshold, image.size(), true))
                addNetwork(std::move(network), out);
        return out;
    }

    static void addNetwork(Detection network, std::vector<Detection>& out)
    {
        std::vector<cv::Point2f> hull;
        for (const auto& p : network.points)
            hull.emplace_back(float(p.x), float(p.y));
        auto inside = [&](const Detection& d) {
            const cv::Point2f centre(float(d.x + d.width / 2), float(d.y + d.height / 2));
            return cv::pointPolygonTest(hull, centre, false) >= 0;
        };
        if (std::any_of(out.begin(), out.end(), [&](const Detection& d) { return d.class_code == "D20" && inside(d); }))
            return;
        out.erase(std::remove_if(out.begin(), out.end(), inside), out.end());
        out.push_back(std::move(network));
    }

    // The marks whose ridges reach `threshold`, grown, grouped and judged: cracks and networks,
    // or networks only (the single cracks' tests are then skipped).
    std::vector<Detection> marks(const cv::Mat& response, const cv::Mat& gray, const cv::Mat& road, cv::Rect area,
                                 double threshold, cv::Size size, bool networks_only) const
    {
        const cv::Mat seeds = (response(area) >= threshold) & road(area);
        const cv::Mat grow = (response(area) >= params_.low_threshold) & road(area);
        const cv::Mat cracks = growFromSeeds(seeds, grow);

        // Fragments of one crack are joined by a small dilation before grouping.
        cv::Mat joined, labels;
        cv::dilate(cracks, joined, cv::getStructuringElement(cv::MORPH_ELLIPSE, {5, 5}));
        const int groups = cv::connectedComponents(joined, labels, 8, CV_32S);
        std::vector<GroupFeatures> features(size_t(std::max(groups, 1)));
        for (int y = 0; y < cracks.rows; ++y) {
            const uchar* c = cracks.ptr<uchar>(y);
            const int* l = labels.ptr<int>(y);
            for (int x = 0; x < cracks.cols; ++x)
                if (c[x])
                    features[size_t(l[x])].pixels.emplace_back(x + area.x, y + area.y);
        }
        linkCollinearPieces(features);
        // Pieces within 25 cm of each other on the road belong together: an alligator network
        // breaks into many pieces at a distance, a crack into a few.
        std::vector<cv::Rect2f> extents(size_t(std::max(groups, 1)));
        std::vector<int> parent(size_t(std::max(groups, 1)));
        for (int g = 0; g < groups; ++g)
            parent[size_t(g)] = g;
        std::function<int(int)> root = [&](int g) { return parent[size_t(g)] == g ? g : parent[size_t(g)] = root(parent[size_t(g)]); };
        // Long straight pieces (joints, seams, shadow bars) go before clustering, so they cannot
        // join their neighbours into something that no longer looks straight.
        for (int g = 1; g < groups; ++g) {
            auto& piece = features[size_t(g)];
            if (piece.pixels.size() < 12)
                continue;
            GroupFeatures probe;
            probe.pixels = piece.pixels;
            if (!describe(probe, response) || probe.length_m < 0.8)
                continue;
            measureWidth(probe, gray);
            if (straightArtifact(probe, gray, road))
                piece.pixels.clear();
        }
        for (int g = 1; g < groups; ++g) {
            float f0 = 1e9f, f1 = -1e9f, r0 = 1e9f, r1 = -1e9f;
            for (const auto& p : features[size_t(g)].pixels) {
                const float f = view_->forward(p.x, p.y), r = view_->right(p.x, p.y);
                f0 = std::min(f0, f), f1 = std::max(f1, f), r0 = std::min(r0, r), r1 = std::max(r1, r);
            }
            extents[size_t(g)] = cv::Rect2f(f0 - 0.125f, r0 - 0.125f, f1 - f0 + 0.25f, r1 - r0 + 0.25f);
        }
        // Two long pieces stay apart: a network is made of short cells, and a crack beside a
        // shadow's bar or a seam would otherwise take on its shape and be judged with it.
        auto long_piece = [&](int g) { return std::hypot(extents[size_t(g)].width, extents[size_t(g)].height) >= 1.25f; };
        for (int a = 1; a < groups; ++a)
            for (int b = a + 1; b < groups; ++b)
                if (!features[size_t(a)].pixels.empty() && !features[size_t(b)].pixels.empty() &&
                    (extents[size_t(a)] & extents[size_t(b)]).area() > 0 && !(long_piece(a) && long_piece(b)))
                    parent[size_t(root(b))] = root(a);
        std::map<int, GroupFeatures> clusters;
        std::map<int, int> pieces;
        for (int g = 1; g < groups; ++g) {
            auto& c = clusters[root(g)];
            c.pixels.insert(c.pixels.end(), features[size_t(g)].pixels.begin(), features[size_t(g)].pixels.end());
            pieces[root(g)] += features[size_t(g)].pixels.size() >= 6;
        }
        std::vector<Detection> out;
        for (auto& [id, f] : clusters) {
            f.pieces = pieces[id];
            if (f.pixels.size() < 12 || !describe(f, response) || (networks_only && !isNetwork(f)))
                continue;
            measureWidth(f, gray);
            f.straight_artifact = straightArtifact(f, gray, road);
            f.valley_share = valleyShare(f, gray);
            f.side_contrast = sideContrast(f, gray);
            if (auto d = classify(f, size))
                out.push_back(std::move(*d));
        }
        return out;
    }

    // One line broken into pieces (the hysteresis lost a stretch, a marking cut a joint) is
    // judged whole: elongated pieces whose axes agree within 15 degrees, whose facing ends lie
    // near each other's axis (2 px plus 8% of the gap) and within 80 cm of each other on the
    // road, are joined.
    // Otherwise each piece of a joint ends where the next begins, and each piece of a crack seems
    // to go on into the next.
    void linkCollinearPieces(std::vector<GroupFeatures>& pieces) const
    {
        struct Axis {
            cv::Point2f ends[2], direction;
            bool elongated = false;
        };
        std::vector<Axis> axes(pieces.size());
        for (size_t g = 1; g < pieces.size(); ++g) {
            const auto& px = pieces[g].pixels;
            if (px.size() < 12)
                continue;
            cv::Vec4f line;
            cv::fitLine(px, line, cv::DIST_L2, 0, 0.01, 0.01);
            const cv::Point2f d(line[0], line[1]), o(line[2], line[3]);
            float lo = 1e9f, hi = -1e9f;
            double sq = 0;
            for (const auto& p : px) {
                const cv::Point2f v = cv::Point2f(p) - o;
                const float t = v.dot(d), c = v.x * -d.y + v.y * d.x;
                lo = std::min(lo, t), hi = std::max(hi, t);
                sq += c * c;
            }
            if (hi - lo >= 12 && std::sqrt(sq / double(px.size())) < 0.15 * (hi - lo))
                axes[g] = {{o + d * lo, o + d * hi}, d, true};
        }
        auto ground = [&](cv::Point2f p) -> std::optional<cv::Point2f> {
            const auto g = view_->plane().pixelToGround(p.x, p.y);
            return g ? std::optional<cv::Point2f>(cv::Point2f(float(g->forward), float(g->right))) : std::nullopt;
        };
        std::vector<size_t> parent(pieces.size());
        for (size_t g = 0; g < parent.size(); ++g)
            parent[g] = g;
        std::function<size_t(size_t)> root = [&](size_t g) { return parent[g] == g ? g : parent[g] = root(parent[g]); };
        for (size_t a = 1; a < pieces.size(); ++a)
            for (size_t b = a + 1; b < pieces.size(); ++b) {
                const Axis &A = axes[a], &B = axes[b];
                if (!A.elongated || !B.elongated || std::abs(A.direction.dot(B.direction)) < std::cos(15 * M_PI / 180))
                    continue;
                // The facing ends: the closest pair, one end of each.
                int ia = 0, ib = 0;
                float best = 1e9f;
                for (int i = 0; i < 2; ++i)
                    for (int j = 0; j < 2; ++j)
                        if (const float d = float(cv::norm(A.ends[i] - B.ends[j])); d < best)
                            best = d, ia = i, ib = j;
                auto off_axis = [](const Axis& axis, cv::Point2f p) {
                    const cv::Point2f v = p - axis.ends[0];
                    return std::abs(v.x * -axis.direction.y + v.y * axis.direction.x);
                };
                const float tolerance = 2 + 0.08f * best; // short pieces' axes are only roughly known
                if (off_axis(A, B.ends[ib]) > tolerance || off_axis(B, A.ends[ia]) > tolerance)
                    continue;
                const auto ga = ground(A.ends[ia]), gb = ground(B.ends[ib]);
                if (!ga || !gb || cv::norm(*ga - *gb) > 0.8)
                    continue;
                parent[root(b)] = root(a);
            }
        for (size_t g = 1; g < pieces.size(); ++g)
            if (const size_t r = root(g); r != g) {
                auto& into = pieces[r].pixels;
                into.insert(into.end(), pieces[g].pixels.begin(), pieces[g].pixels.end());
                pieces[g].pixels.clear();
            }
    }

    // Dark-ridge strength from the Hessian of the smoothed image: large curvature across a line,
    // little along it. Isotropic grain and blobs score low, thin dark lines high. The scale
    // follows the distance so a crack's profile fits it near the car and far away.
    // The response is divided by the band's own background level (its 90th percentile on the
    // road: cracks cover far less than a tenth of it), so thresholds hold across lighting,
    // exposure and texture.
    cv::Mat ridges(const cv::Mat& gray, int top, const cv::Mat& road) const
    {
        cv::Mat response(gray.size(), CV_32F, cv::Scalar(0));
        const double bands[] = {params_.min_range, 3.0, 5.5, 9.0, 13.0, params_.max_range};
        const auto& plane = view_->plane();
        for (int b = 0; b + 1 < int(std::size(bands)); ++b) {
            const double near = std::max(bands[b], params_.min_range), far = std::min(bands[b + 1], params_.max_range);
            if (near >= far)
                continue;
            auto row_of = [&](double d) {
                auto px = plane.groundToPixel({d, 0});
                return px ? int(std::lround(px->second)) : top;
            };
            const int y0 = std::clamp(row_of(far), top, gray.rows), y1 = std::clamp(row_of(near) + 1, top, gray.rows);
            if (y1 <= y0)
                continue;
            // A 3 cm wide dark line, in pixels at the band's middle distance: across the view, and
            // along it, where perspective squeezes the road (a transverse crack five metres ahead
            // is a quarter as thick in the image as a longitudinal one of the same width; blurred
            // at the lateral scale, thin ones faded into the grain).
            const double middle = (near + far) / 2;
            const double sigma_x = std::clamp(0.03 / plane.lateralMetresPerPixel(middle), 0.8, 4.0);
            const double sigma_y = std::clamp(0.03 / plane.forwardMetresPerPixel(middle), 0.8, 4.0);
            // Only the band's road columns are filtered (far away the corridor is a fraction of
            // the width), with the blur's reach around them.
            const cv::Rect on_road = cv::boundingRect(road.rowRange(y0, y1));
            if (on_road.empty())
                continue;
            const int margin = int(std::ceil(4 * std::max(sigma_x, sigma_y))) + 2;
            const int s0 = std::max(0, y0 - margin), s1 = std::min(gray.rows, y1 + margin);
            const int x0 = std::max(0, on_road.x - margin), x1 = std::min(gray.cols, on_road.br().x + margin);
            const cv::Mat strip = ridgeStrength(gray(cv::Rect(x0, s0, x1 - x0, s1 - s0)), sigma_x, sigma_y);
            std::vector<float> background;
            background.reserve(size_t(on_road.area()));
            for (int y = y0; y < y1; ++y) {
                const float* strength = strip.ptr<float>(y - s0);
                const uchar* on = road.ptr<uchar>(y);
                float* r = response.ptr<float>(y);
                for (int x = x0; x < x1; ++x) {
                    r[x] = strength[x - x0];
                    if (on[x])
                        background.push_back(r[x]);
                }
            }
            if (background.size() < 100)
                continue;
            std::nth_element(background.begin(), background.begin() + long(background.size() * 9 / 10), background.end());
            const float level = std::max(0.5f, background[background.size() * 9 / 10]);
            response(cv::Rect(x0, y0, x1 - x0, y1 - y0)) /= level;
        }
        return response;
    }

    static constexpr int kBins = 48;
    static constexpr uchar kNoBin = 255;

    // The distance bin (of kBins between the ranges) of each pixel where markings are looked for.
    cv::Mat distanceBins() const
    {
        const double bin = (params_.max_range - params_.min_range) / kBins;
        cv::Mat bins(marking_search_.size(), CV_8U, cv::Scalar(kNoBin));
        for (int y = view_->topRow(); y < bins.rows; ++y) {
            const uchar* searched = marking_search_.ptr<uchar>(y);
            const float* forward = view_->forwardRow(y);
            uchar* b = bins.ptr<uchar>(y);
            for (int x = 0; x < bins.cols; ++x)
                if (searched[x] && forward[x] >= params_.min_range && forward[x] <= params_.max_range)
                    b[x] = uchar(std::clamp(int((forward[x] - params_.min_range) / bin), 0, kBins - 1));
        }
        return bins;
    }

    // Scale-normalised ridge strength of each pixel of `strip` at scales `sigma_x` across the
    // image and `sigma_y` down it (pixels).
    // (Computed at half resolution for the near bands it was 20% faster, and lost transverse
    // cracks: the thresholds are tuned to this full-resolution response.)
    static cv::Mat ridgeStrength(const cv::Mat& strip, double sigma_x, double sigma_y)
    {
        cv::Mat smooth, xx, yy, xy;
        strip.convertTo(smooth, CV_32F);
        cv::GaussianBlur(smooth, smooth, {0, 0}, sigma_x, sigma_y);
        cv::Sobel(smooth, xx, CV_32F, 2, 0, 3);
        cv::Sobel(smooth, yy, CV_32F, 0, 2, 3);
        cv::Sobel(smooth, xy, CV_32F, 1, 1, 3);
        // Each derivative normalised by its own scales, so a line's strength does not depend on
        // its direction in the image.
        xx *= sigma_x * sigma_x;
        yy *= sigma_y * sigma_y;
        xy *= sigma_x * sigma_y;
        cv::Mat strength(smooth.size(), CV_32F);
        for (int y = 0; y < smooth.rows; ++y) {
            const float* a = xx.ptr<float>(y);
            const float* c = yy.ptr<float>(y);
            const float* d = xy.ptr<float>(y);
            float* r = strength.ptr<float>(y);
            for (int x = 0; x < smooth.cols; ++x) {
                const float half_trace = 0.5f * (a[x] + c[x]);
                const float root = std::sqrt(0.25f * (a[x] - c[x]) * (a[x] - c[x]) + d[x] * d[x]);
                const float across = half_trace + root, along = half_trace - root;
                r[x] = std::max(0.f, across - 2.f * std::abs(along));
            }
        }
        return strength;
    }

    // The road between the edge lines: at each distance the corridor stops short of the nearest
    // bright line beyond the lane (the edge line), where one is seen; else the parameters hold.
    cv::Mat roadCorridor(const cv::Mat& markings, int top) const
    {
        std::vector<double> right(kBins, params_.right), left(kBins, -params_.left);
        std::vector<int> right_hits(kBins, 0), left_hits(kBins, 0);
        std::vector<double> right_min(kBins, 1e9), left_max(kBins, -1e9);
        for (int y = top; y < markings.rows; ++y) {
            const uchar* m = markings.ptr<uchar>(y);
            const uchar* bins = distance_bins_.ptr<uchar>(y);
            const float* lateral = view_->rightRow(y);
            for (int x = 0; x < markings.cols; ++x) {
                if (!m[x] || bins[x] == kNoBin)
                    continue;
                const int k = bins[x];
                const double r = lateral[x];
                if (r > 0.6 && r < params_.right + 2.5) {
                    ++right_hits[size_t(k)];
                    right_min[size_t(k)] = std::min(right_min[size_t(k)], r);
                } else if (r < -3.2 && r > -params_.left - 2.5) {
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
            const uchar* base = road_.ptr<uchar>(y);
            const uchar* bins = distance_bins_.ptr<uchar>(y);
            const float* lateral = view_->rightRow(y);
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

    // Hysteresis with a short reach: seeds grow through weaker ridge pixels by at most a few
    // pixels, so a crack's fainter parts join it but the grain's faint worms do not percolate.
    static cv::Mat growFromSeeds(const cv::Mat& seeds, const cv::Mat& grow)
    {
        cv::Mat region = seeds.clone(), next;
        const cv::Mat step = cv::getStructuringElement(cv::MORPH_RECT, {3, 3});
        for (int i = 0; i < 6; ++i) {
            cv::dilate(region, next, step);
            next &= grow;
            next |= seeds;
            if (cv::countNonZero(next != region) == 0)
                break;
            region = next;
        }
        return region;
    }

    // The lane line left of the camera (the centre line in right-hand traffic) on the road
    // plane, right = a + b * forward, fitted to the bright marking pixels in range 0.6-3.2 m left
    // of the camera (farther is the edge line, as in roadCorridor); none when fewer than 40 are
    // seen (a gap between dashes fills the view).
    struct LaneLine {
        double a = 0, b = 0;
        double rightAt(double forward) const { return a + b * forward; }
    };
    std::optional<LaneLine> laneLine(const cv::Mat& markings, int top) const
    {
        std::vector<cv::Point2f> on_line; // (forward, right)
        for (int y = top; y < markings.rows; ++y) {
            const uchar* m = markings.ptr<uchar>(y);
            const uchar* bins = distance_bins_.ptr<uchar>(y);
            const float* forward = view_->forwardRow(y);
            const float* lateral = view_->rightRow(y);
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

    // Whether a mark runs within 40 cm of the lane line, on the road plane.
    bool alongTheLaneLine(const GroupFeatures& f) const
    {
        if (!lane_line_)
            return false;
        double forward = 0, right = 0;
        for (const auto& p : f.pixels)
            forward += view_->forward(p.x, p.y), right += view_->right(p.x, p.y);
        forward /= double(f.pixels.size()), right /= double(f.pixels.size());
        return std::abs(right - lane_line_->rightAt(forward)) < 0.4;
    }

    // A straight mark is a joint, a seam, or the edge of a shadow or a marking, unless it runs
    // across the road and ends there. Along the road, straight marks are seams, kerb shadows and
    // line edges far more often than cracks, unless they wander, end and keep off the lane line
    // (a straight crack, wide or thin, that a driver sees is no seam). Across it, perspective
    // squeezes a transverse crack's wander into a pixel or two, so straightness alone would
    // reject every one of them.
    bool straightArtifact(const GroupFeatures& f, const cv::Mat& gray, const cv::Mat& road) const
    {
        // Along the road, a nearly straight mark whose end turns one way into a line across the
        // road is a patch's side edge (its sealed border has corners). Seen as one piece with
        // the near edge, the corner bends the side's line: a clean road's patch at 2.6 times the
        // tolerance, a true crack with a corner-like end at 2.9 (seeds 7, 13).
        constexpr double kCornerWobble = 2.75;
        if (f.angle_deg < 45) {
            if (f.straightness >= kCornerWobble * params_.straight_tolerance || wideCrackThatEnds(f, gray))
                return false;
            if (endsAtACorner(f, gray, road))
                return true;
            if (f.straightness >= params_.straight_tolerance)
                return false;
            // Straight along the road: a seam, or a patch's side whose corner was not seen, is
            // ruled (within 0.6 px of its line, or a quarter of the tolerance: a long side near
            // the car, whose pixel of wander compression makes);
            // a crack that wanders more than that and ends on plain road at both ends is a crack,
            // unless it lies along the lane line, where paving passes meet.
            constexpr double kRuledResidualPx = 0.6, kRuledStraightness = 0.25;
            return f.residual_px < kRuledResidualPx || f.straightness < kRuledStraightness * params_.straight_tolerance ||
                   alongTheLaneLine(f) ||
                   atAnEnd(f, [&](cv::Point2f end, cv::Point2f out, double reach, float side) {
                       return darkLineFrom(gray, end, out, 4, reach, side);
                   });
        }
        // Short pieces of a joint (cut by markings) wobble more in the image than a long one.
        // A straight line across a whole lane and more is a joint or a pole's shadow even where
        // an end leaves the picture.
        return f.straightness < 2.5 * params_.straight_tolerance &&
               (f.length_m > params_.straight_transverse_max || continuesBeyondEnds(f, gray, road));
    }

    // Whether `test(end, outwards, reach, side)` holds at one of the mark's two ends: the end on
    // its axis, the direction out of the mark, how far on to look and how far away its sides lie
    // (in pixels).
    template <class EndTest>
    bool atAnEnd(const GroupFeatures& f, const EndTest& test) const
    {
        const float side = sideDistance(f);
        // The ends of the mark's line: pixels off it by more than a side-distance (a piece of a
        // patch's far edge beyond its corner) would carry an end past the corner, where nothing
        // turns.
        double lo = 1e9, hi = -1e9;
        for (const auto& p : f.pixels) {
            const cv::Point2f d = cv::Point2f(p) - f.axis_origin;
            if (std::abs(d.x * -f.axis_direction.y + d.y * f.axis_direction.x) > side)
                continue;
            const double a = d.dot(f.axis_direction);
            lo = std::min(lo, a), hi = std::max(hi, a);
        }
        if (lo > hi)
            return false;
        const double reach = std::clamp(0.5 * (hi - lo), 15.0, 120.0);
        for (const double sign : {-1.0, 1.0})
            if (test(f.axis_origin + f.axis_direction * float(sign < 0 ? lo : hi), f.axis_direction * float(sign),
                     reach, side))
                return true;
        return false;
    }

    // A straight dark mark whose line goes on, still darker than both its sides, past one of
    // the ends where the ridge detector lost it is a sawn joint, a seam or a pole's shadow:
    // those run from edge to edge and beyond the road. A straight mark across the road whose end
    // turns into a dark line along the road is the corner of a patch's sealed border. A crack
    // ends: past its ends the road is plain.
    bool continuesBeyondEnds(const GroupFeatures& f, const cv::Mat& gray, const cv::Mat& road) const
    {
        return atAnEnd(f, [&](cv::Point2f end, cv::Point2f out, double reach, float side) {
            return darkLineFrom(gray, end, out, 4, reach, side) || turnsAtEnd(f, gray, road, end, out, reach, side);
        });
    }

    // A straight mark along the road that is dark and wide (mean ridge 9 times the grain's
    // level, a crack seeds at 6.5; over 3 pixels of darkness across) and whose line stops at
    // both ends is an open longitudinal crack of high severity: seams and joints are thin and
    // run on out of sight. Of the straight marks along the road of seeds 1, 7, 11 and the clean
    // roads 13, 33: 9 views of 6 such cracks pass, and none of 1,200 others that is a valley
    // (two step edges, dark on one side only, are dropped as such later).
    bool wideCrackThatEnds(const GroupFeatures& f, const cv::Mat& gray) const
    {
        constexpr double kWideResponse = 9, kWideDarkPixels = 3.0;
        if (f.mean_response < kWideResponse || f.dark_width_px < kWideDarkPixels)
            return false;
        return !atAnEnd(f, [&](cv::Point2f end, cv::Point2f out, double reach, float side) {
            return darkLineFrom(gray, end, out, 4, reach, side);
        });
    }

    bool endsAtACorner(const GroupFeatures& f, const cv::Mat& gray, const cv::Mat& road) const
    {
        return atAnEnd(f, [&](cv::Point2f end, cv::Point2f out, double reach, float side) {
            return turnsAtEnd(f, gray, road, end, out, reach, side);
        });
    }

    // Whether the dark line of a mark, followed on from `end` along `out`, turns one way into a
    // dark line at right angles on the road (along the road for a mark across it, across it for
    // a mark along it): a corner. A seam, a gutter or a crack the mark ends on runs both ways.
    bool turnsAtEnd(const GroupFeatures& f, const cv::Mat& gray, const cv::Mat& road, cv::Point2f end,
                    cv::Point2f out, double reach, float side) const
    {
        const bool across_road = f.angle_deg >= 45;
        // The ridge stops short of a corner (there the side samples fall on the other border),
        // and the following may cross it and run a few pixels on (its gaps of up to 6 px): look
        // at right angles from a few points between one side before that end and 1.5 sides on.
        end = followDarkLine(gray, end, out, reach, side);
        for (const float k : {-1.f, -0.5f, 0.f, 0.5f, 1.f, 1.5f}) {
            const cv::Point2f from = end + out * (k * side);
            const cv::Point at(int(std::lround(from.x)), int(std::lround(from.y)));
            if (!cv::Rect(0, 0, road.cols, road.rows).contains(at) || !road.at<uchar>(at))
                continue; // patches lie on the road; a line's or a kerb's borders do not count
            const auto g = view_->plane().pixelToGround(from.x, from.y);
            const auto next = !g ? std::nullopt
                                 : view_->plane().groundToPixel(across_road ? voirie::sdk::GroundPoint{g->forward + 0.3, g->right}
                                                                            : voirie::sdk::GroundPoint{g->forward, g->right + 0.3});
            if (!next)
                continue;
            cv::Point2f turn(float(next->first) - from.x, float(next->second) - from.y);
            const float n = std::hypot(turn.x, turn.y);
            if (n < 1e-3f)
                continue;
            turn /= n;
            const double clear = f.width_px + 3; // start past the mark's own thickness
            if (darkLineFrom(gray, from, turn, clear, clear + reach / 2, side) !=
                darkLineFrom(gray, from, -turn, clear, clear + reach / 2, side))
                return true;
        }
        return false;
    }

    // Where a dark line from `start` along `direction` ends (gaps of up to 6 px are crossed).
    cv::Point2f followDarkLine(const cv::Mat& gray, cv::Point2f start, cv::Point2f direction, double reach, float side) const
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

    // Whether the line through p is darker than both points `side` pixels away along `normal`
    // (3x3 means), by at least 5% (4 levels); nothing when a sample is off the image.
    static std::optional<bool> darkerThanSides(const cv::Mat& gray, cv::Point2f p, cv::Point2f normal, float side)
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

    // Mean of the 3x3 pixels around p, or -1 off the image.
    static double meanAround(const cv::Mat& gray, cv::Point2f p)
    {
        const int x = int(std::lround(p.x)), y = int(std::lround(p.y));
        if (x < 1 || y < 1 || x >= gray.cols - 1 || y >= gray.rows - 1)
            return -1;
        const uchar* r0 = gray.ptr<uchar>(y - 1);
        const uchar* r1 = gray.ptr<uchar>(y);
        const uchar* r2 = gray.ptr<uchar>(y + 1);
        return (r0[x - 1] + r0[x] + r0[x + 1] + r1[x - 1] + r1[x] + r1[x + 1] + r2[x - 1] + r2[x] + r2[x + 1]) / 9.0;
    }

    // Whether the image holds a dark line from `start` along `direction` (unit) between the
    // distances `from` and `to` in pixels: darker than both of its sides, `side` pixels away,
    // at 60% of the samples (at least 5).
    bool darkLineFrom(const cv::Mat& gray, cv::Point2f start, cv::Point2f direction, double from, double to,
                      float side) const
    {
        const cv::Point2f normal(-direction.y, direction.x);
        int valid = 0, dark = 0;
        for (double t = from; t <= to; t += 2) {
            const cv::Point2f p = start + direction * float(t);
            const auto is_dark = darkerThanSides(gray, p, normal, side);
            if (!is_dark || p.y < view_->topRow())
                continue;
            ++valid;
            dark += *is_dark;
        }
        return valid >= 5 && dark >= 0.6 * valid;
    }

    // A crack is darker than the road on both of its sides; the Hessian also answers on the dark
    // side of a step (a shadow's edge, a patch's border, the foot of a kerb), which is no darker
    // than the road beyond it. Share of up to 60 of the mark's pixels that sit in a valley
    // across the mark's axis, or along it where a wandering crack turns.
    double valleyShare(const GroupFeatures& f, const cv::Mat& gray) const
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

    // A patch's sealed side is a dark line between two surfaces, the patch and the road, which
    // differ in shade; a crack has the same road on both sides. Over up to 60 of the mark's
    // pixels: the difference between the road two side-distances off the line on either side
    // (five pixels along it, averaged), summed, over the line's summed depth below the lighter
    // side.
    double sideContrast(const GroupFeatures& f, const cv::Mat& gray) const
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

    // A crack's width from the darkness it takes from the road, which blur and compression
    // spread but do not change: across the mark at up to 40 places, the deficit below the
    // road's level on either side, summed over the profile, over how much darker than the road
    // a crack's inside is (kCrackDarkness: in shadow, dirty, often near black). The median, in
    // pixels across the image line, then in millimetres on the road at the crack's place. The
    // ridge's own thickness would count the blur: a 6 mm crack five metres ahead covers under a
    // pixel but its ridge three or four.
    void measureWidth(GroupFeatures& f, const cv::Mat& gray) const
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
        auto g0 = view_->plane().pixelToGround(c.x, c.y), g1 = view_->plane().pixelToGround(c.x + normal.x, c.y + normal.y);
        if (g0 && g1)
            f.width_mm = std::max(1.0, f.dark_width_px * std::hypot(g1->forward - g0->forward, g1->right - g0->right) * 1000.0);
    }

    bool describe(GroupFeatures& f, const cv::Mat& response) const
    {
        // Ground-plane shape: principal axis, extents (robust percentiles), convex hull area.
        std::vector<cv::Point2f> ground;
        ground.reserve(f.pixels.size());
        double sum_response = 0;
        for (const auto& p : f.pixels) {
            ground.emplace_back(view_->forward(p.x, p.y), view_->right(p.x, p.y));
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
        if (f.length_m < params_.min_length)
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

    // Several pieces covering enough road, not hugging a rectangle's outline (a patch), not
    // lying mostly along one line (a crack with a fork or spurs: its hull is as large as a
    // network's).
    bool isNetwork(const GroupFeatures& f) const
    {
        constexpr double kMaxLineShare = 0.7;
        return f.hull_area_m2 >= params_.alligator_area && f.spread_m >= 0.45 && f.length_m >= 0.6 &&
               f.on_outline < 0.7 && f.pieces >= 3 && f.line_share < kMaxLineShare;
    }

    std::optional<Detection> classify(const GroupFeatures& f, cv::Size size) const
    {
        const bool network = isNetwork(f);
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
        Detection d;
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

    Params params_;
    std::unique_ptr<RoadView> view_;
    cv::Mat road_, marking_search_;
    cv::Mat distance_bins_; // roadCorridor's distance bin of each pixel looked at, else kNoBin
    std::optional<LaneLine> lane_line_; // of the frame being looked at
};

} // namespace

VOIRIE_DETECTOR_PLUGIN(CrackDetector, "cracks", "1.0.0", VOIRIE_THREAD_INSTANCE_SAFE, "D00", "D10", "D20")
