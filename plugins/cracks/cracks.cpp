// Classical crack detector: thin dark ridges on the road, classified on the ground plane. This
// file holds the detector and how it groups ridge pixels into marks; the concerns it builds on
// are each in their own file: ridge_filter (the ridge response), road_corridor (the road between
// the edge lines, the lane line), mark_features (what is measured of a mark), artifact_rules
// (straight marks that are joints, seams, patch borders) and crack_classifier (D00/D10/D20).
#include "artifact_rules.hpp"
#include "crack_classifier.hpp"
#include "mark_features.hpp"
#include "ridge_filter.hpp"
#include "road_corridor.hpp"

#include "../common/road_view.hpp"

#include <voirie/plugin_opencv.hpp>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace {

using namespace voirie::plugins::cracks;
using voirie::plugins::RoadView;
using voirie::sdk::Detection;

struct Params {
    double min_range, max_range, left, right, threshold, low_threshold, min_length, straight_tolerance, alligator_area;
    double straight_transverse_max, network_threshold;
};

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
            distance_bins_ = distanceBins(*view_, marking_search_, params_.min_range, params_.max_range);
        }
        const int top = view_->topRow();
        if (top >= image.rows - 2)
            return {}; // the camera sees no road in range
        cv::Mat gray;
        cv::cvtColor(image, gray, frame.image.pixel_format == VOIRIE_PIXEL_RGB8 ? cv::COLOR_RGB2GRAY : cv::COLOR_BGR2GRAY);
        const cv::Mat markings = voirie::plugins::brightMarkings(gray, marking_search_, top);
        cv::Mat road = roadCorridor(*view_, road_, distance_bins_, markings, top, params_.left, params_.right);
        road.setTo(0, markings);
        lane_line_ = laneLine(*view_, distance_bins_, markings, top);

        cv::Mat response = ridgeResponse(gray, top, road, view_->plane(), params_.min_range, params_.max_range);
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
        const ArtifactRules rules(*view_, params_.straight_tolerance, params_.straight_transverse_max, lane_line_);
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
            if (!describe(probe, response, *view_, params_.min_length) || probe.length_m < 0.8)
                continue;
            measureWidth(probe, gray, *view_);
            if (rules.straightArtifact(probe, gray, road))
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
            if (f.pixels.size() < 12 || !describe(f, response, *view_, params_.min_length) ||
                (networks_only && !isNetwork(f, params_.alligator_area)))
                continue;
            measureWidth(f, gray, *view_);
            f.straight_artifact = rules.straightArtifact(f, gray, road);
            f.valley_share = valleyShare(f, gray);
            f.side_contrast = sideContrast(f, gray);
            if (auto d = classify(f, size, params_.alligator_area))
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
    Params params_;
    std::unique_ptr<RoadView> view_;
    cv::Mat road_, marking_search_;
    cv::Mat distance_bins_; // roadCorridor's distance bin of each pixel looked at, else kNoBin
    std::optional<LaneLine> lane_line_; // of the frame being looked at
};

} // namespace

VOIRIE_DETECTOR_PLUGIN(CrackDetector, "cracks", "1.0.0", VOIRIE_THREAD_INSTANCE_SAFE, "D00", "D10", "D20")
