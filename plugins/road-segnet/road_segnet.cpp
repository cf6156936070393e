// road-segnet: Voirie's own trained segmentation network (pothole, crack and lane probabilities per
// pixel, see tools/train/) run through OpenCV DNN, its masks turned into detections: potholes as
// polygons, cracks as skeleton polylines classified on the ground plane, networks as alligator.
#include "../common/centre_line.hpp"
#include "../common/plugin_folder.hpp"
#include "../common/road_view.hpp"

#include <voirie/plugin_opencv.hpp>

#include <nlohmann/json.hpp>

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/ximgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

namespace {

namespace fs = std::filesystem;
using voirie::sdk::Detection;

// The model's output channels, in the order tools/train/segnet_model.py declares them.
enum Channel { kPothole = 0, kCrack = 1, kLane = 2, kChannels = 3 };

struct Params {
    fs::path model;
    int width = 0, height = 0; // the model's input size, from its description
    double pothole_threshold, pothole_extent_threshold, crack_threshold, lane_threshold, lane_margin;
    double min_pothole_area, min_crack_length, alligator_min_area_m2;
};

// The model's description, written beside it by tools/train/train_segnet.py (road-segnet.json
// beside road-segnet.onnx): the input size it was trained and exported at, and its classes.
void readModelDescription(Params& p)
{
    fs::path description = p.model;
    description.replace_extension(".json");
    std::ifstream in(description);
    if (!in)
        throw std::invalid_argument("road-segnet model " + p.model.string() + " has no description " +
                                    description.string() + " beside it (train_segnet.py writes both)");
    try {
        const auto j = nlohmann::json::parse(in);
        p.width = j.at("input_width").get<int>();
        p.height = j.at("input_height").get<int>();
        const auto classes = j.at("classes").get<std::vector<std::string>>();
        if (classes != std::vector<std::string>{"pothole", "crack", "lane"})
            throw std::invalid_argument("its classes must be [\"pothole\", \"crack\", \"lane\"] in this order");
    } catch (const std::exception& e) {
        throw std::invalid_argument("road-segnet model description " + description.string() + " is not usable: " +
                                    e.what());
    }
    if (p.width < 8 || p.height < 8 || p.width % 8 != 0 || p.height % 8 != 0)
        throw std::invalid_argument("road-segnet model description " + description.string() +
                                    ": input_width and input_height must be positive multiples of 8");
}

Params readParams(const voirie::sdk::Parameters& p)
{
    Params r{p.getString("model", ""),
             0,
             0,
             p.getDouble("pothole_threshold", 0.5),
             p.getDouble("pothole_extent_threshold", 0.2),
             p.getDouble("crack_threshold", 0.5),
             p.getDouble("lane_threshold", 0.5),
             p.getDouble("lane_margin", 0.04),
             p.getDouble("min_pothole_area", 0.001),
             p.getDouble("min_crack_length", 0.02),
             p.getDouble("alligator_min_area_m2", 0.5)};
    if (r.model.empty())
        r.model = voirie::plugins::pluginFolder() / "model" / "road-segnet.onnx";
    std::error_code ec;
    if (!fs::is_regular_file(r.model, ec))
        throw std::invalid_argument("road-segnet model " + r.model.string() + " does not exist (set road-segnet.model to "
                                    "the .onnx written by tools/train/train_segnet.py)");
    readModelDescription(r);
    return r;
}

// One crack group's measurements on the road plane (when the camera sees it) and in the image.
struct CrackGroup {
    std::vector<cv::Point> pixels;   // crack pixels, frame coordinates
    std::vector<cv::Point> skeleton; // their skeleton, frame coordinates
    int pieces = 0;
    double mean_probability = 0;
};

class RoadSegNetDetector : public voirie::sdk::Detector {
public:
    explicit RoadSegNetDetector(const voirie::sdk::Parameters& p) : params_(readParams(p))
    {
        const std::string model = params_.model.string();
        try {
            net_ = cv::dnn::readNetFromONNX(model);
            net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
            net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        } catch (const cv::Exception& e) {
            throw std::runtime_error("OpenCV " CV_VERSION " cannot load road-segnet model " + model + ": " + e.what() +
                                     " (export it with tools/train/train_segnet.py, opset 11)");
        }
        // Run once on a blank input so a model of the wrong size or kind fails here, with its
        // shapes, rather than on the first frame of a survey.
        run(cv::Mat(params_.height, params_.width, CV_8UC3, cv::Scalar::all(128)));
    }

    std::vector<Detection> detect(const voirie::sdk::Frame& frame) override
    {
        const cv::Mat image = voirie::sdk::toMat(frame.image);
        if (image.cols < 32 || image.rows < 32)
            return {};
        // The network was trained on colour: every pixel format the ABI allows becomes BGR first.
        cv::Mat bgr;
        switch (frame.image.pixel_format) {
        case VOIRIE_PIXEL_RGB8: cv::cvtColor(image, bgr, cv::COLOR_RGB2BGR); break;
        case VOIRIE_PIXEL_GRAY8: cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR); break;
        case VOIRIE_PIXEL_BGRA8: cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR); break;
        default: bgr = image;
        }
        cv::Mat small;
        cv::resize(bgr, small, {params_.width, params_.height}, 0, 0, cv::INTER_AREA);
        const cv::Mat probabilities = run(small);
        const cv::Mat pothole = channel(probabilities, kPothole), crack = channel(probabilities, kCrack),
                      lane = channel(probabilities, kLane);

        cv::Mat pavement = lane > params_.lane_threshold;
        const int grow = int(std::lround(params_.lane_margin * params_.width));
        if (grow > 0)
            cv::dilate(pavement, pavement, cv::getStructuringElement(cv::MORPH_ELLIPSE, {2 * grow + 1, 2 * grow + 1}));

        const voirie_camera camera = frame.hasCamera() ? *frame.context.camera
                                                       : voirie::plugins::defaultCamera(image.cols, image.rows);
        if (!plane_ || !sameCamera(plane_->camera(), camera))
            plane_.emplace(camera);
        scale_ = {double(image.cols) / params_.width, double(image.rows) / params_.height};
        frame_size_ = image.size();

        std::vector<Detection> out;
        findPotholes(pothole, pavement, out);
        findCracks(crack, pavement, out);
        return out;
    }

private:
    // The network on one input-sized BGR image (it takes RGB): probabilities [1, 3, H, W],
    // checked for their shape.
    cv::Mat run(const cv::Mat& bgr)
    {
        const cv::Mat blob = cv::dnn::blobFromImage(bgr, 1.0 / 255.0, cv::Size(), cv::Scalar(), true, false);
        cv::Mat out;
        try {
            net_.setInput(blob);
            out = net_.forward();
        } catch (const cv::Exception& e) {
            throw std::runtime_error("road-segnet model " + params_.model.string() + " fails on a " +
                                     std::to_string(params_.width) + "x" + std::to_string(params_.height) +
                                     " input: " + e.what() + " (does its .json describe it?)");
        }
        if (out.dims != 4 || out.size[0] != 1 || out.size[1] != kChannels || out.size[2] != params_.height ||
            out.size[3] != params_.width) {
            std::string shape;
            for (int i = 0; i < out.dims; ++i)
                shape += (i ? "x" : "") + std::to_string(out.size[i]);
            throw std::runtime_error("road-segnet model " + params_.model.string() + " gives output " + shape +
                                     ", expected 1x3x" + std::to_string(params_.height) + "x" +
                                     std::to_string(params_.width) +
                                     " (pothole, crack, lane probabilities at the input size)");
        }
        return out;
    }

    cv::Mat channel(const cv::Mat& probabilities, int c) const
    {
        return cv::Mat(params_.height, params_.width, CV_32F, const_cast<float*>(probabilities.ptr<float>(0, c)));
    }

    static bool sameCamera(const voirie_camera& a, const voirie_camera& b)
    {
        return a.fx == b.fx && a.fy == b.fy && a.cx == b.cx && a.cy == b.cy && a.height_m == b.height_m &&
               a.pitch_deg == b.pitch_deg && a.roll_deg == b.roll_deg;
    }

    cv::Point toFrame(cv::Point p) const
    {
        return {std::clamp(int((p.x + 0.5) * scale_.x), 0, frame_size_.width - 1),
                std::clamp(int((p.y + 0.5) * scale_.y), 0, frame_size_.height - 1)};
    }

    // Potholes, by hysteresis: connected pixels above the extent threshold on the pavement that
    // hold at least one pixel above the pothole threshold (the model is surest in a pothole's
    // middle and fades towards its rim); their outline as the polygon, the mean probability inside
    // as the confidence.
    void findPotholes(const cv::Mat& probability, const cv::Mat& pavement, std::vector<Detection>& out) const
    {
        const cv::Mat mask = (probability > std::min(params_.pothole_extent_threshold, params_.pothole_threshold)) & pavement;
        cv::Mat labels, stats, centroids;
        const int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
        std::vector<float> peak(size_t(std::max(n, 1)), 0.f);
        for (int y = 0; y < labels.rows; ++y) {
            const int* l = labels.ptr<int>(y);
            const float* p = probability.ptr<float>(y);
            for (int x = 0; x < labels.cols; ++x)
                peak[size_t(l[x])] = std::max(peak[size_t(l[x])], p[x]);
        }
        const double min_area = params_.min_pothole_area * params_.width * params_.height;
        for (int i = 1; i < n; ++i) {
            if (stats.at<int>(i, cv::CC_STAT_AREA) < std::max(4.0, min_area) || peak[size_t(i)] <= params_.pothole_threshold)
                continue;
            const cv::Mat component = labels == i;
            std::vector<std::vector<cv::Point>> contours;
            cv::findContours(component, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
            if (contours.empty())
                continue;
            const auto& outline = *std::max_element(contours.begin(), contours.end(), [](const auto& a, const auto& b) {
                return cv::contourArea(a) < cv::contourArea(b);
            });
            std::vector<cv::Point> simple;
            cv::approxPolyDP(outline, simple, 0.8, true);
            if (simple.size() < 3)
                continue;
            Detection d;
            d.class_code = "D40";
            d.shape = voirie::sdk::Shape::Polygon;
            std::vector<cv::Point> framed;
            for (const auto& p : simple) {
                const cv::Point f = toFrame(p);
                framed.push_back(f);
                d.points.push_back({double(f.x), double(f.y)});
            }
            setBox(d, cv::boundingRect(framed));
            d.confidence = std::clamp(cv::mean(probability, component)[0], 0.0, 1.0);
            d.attributes = {{"area_px", stats.at<int>(i, cv::CC_STAT_AREA) * scale_.x * scale_.y}};
            out.push_back(std::move(d));
        }
    }

    // Cracks: crack pixels on the pavement, grouped when close (a crack's mask breaks up, an
    // alligator network is many pieces), thinned to a skeleton; each group is measured on the
    // road plane and becomes a longitudinal or transverse polyline or an alligator polygon.
    void findCracks(const cv::Mat& probability, const cv::Mat& pavement, std::vector<Detection>& out) const
    {
        cv::Mat mask = (probability > params_.crack_threshold) & pavement;
        cv::Mat skeleton;
        cv::ximgproc::thinning(mask, skeleton, cv::ximgproc::THINNING_ZHANGSUEN);
        cv::Mat joined, groups, pieces;
        cv::dilate(mask, joined, cv::getStructuringElement(cv::MORPH_ELLIPSE, {9, 9}));
        const int n_groups = cv::connectedComponents(joined, groups, 8, CV_32S);
        cv::connectedComponents(mask, pieces, 8, CV_32S);
        std::vector<CrackGroup> found(size_t(std::max(n_groups, 1)));
        std::vector<std::map<int, int>> piece_sizes(found.size());
        for (int y = 0; y < mask.rows; ++y) {
            const uchar* m = mask.ptr<uchar>(y);
            const uchar* s = skeleton.ptr<uchar>(y);
            const int* g = groups.ptr<int>(y);
            const int* p = pieces.ptr<int>(y);
            const float* prob = probability.ptr<float>(y);
            for (int x = 0; x < mask.cols; ++x) {
                if (!m[x])
                    continue;
                auto& group = found[size_t(g[x])];
                group.pixels.emplace_back(x, y);
                group.mean_probability += prob[x];
                if (s[x])
                    group.skeleton.emplace_back(x, y);
                ++piece_sizes[size_t(g[x])][p[x]];
            }
        }
        const double diagonal = std::hypot(frame_size_.width, frame_size_.height);
        for (size_t g = 1; g < found.size(); ++g) {
            auto& group = found[g];
            if (group.skeleton.size() < 2)
                continue;
            group.mean_probability /= double(group.pixels.size());
            for (const auto& [piece, count] : piece_sizes[g])
                group.pieces += count >= 3;
            const double skeleton_px = double(group.skeleton.size()) * (scale_.x + scale_.y) / 2;
            if (skeleton_px < params_.min_crack_length * diagonal)
                continue;
            for (auto& p : group.pixels)
                p = toFrame(p);
            for (auto& p : group.skeleton)
                p = toFrame(p);
            if (auto d = classify(group, skeleton_px))
                out.push_back(std::move(*d));
        }
    }

    std::optional<Detection> classify(const CrackGroup& group, double skeleton_px) const
    {
        // The group on the road plane: its principal direction against the driving direction,
        // its spread across that direction and the road area its hull covers.
        std::vector<cv::Point2f> ground;
        for (const auto& p : group.skeleton)
            if (auto g = plane_->pixelToGround(p.x + 0.5, p.y + 0.5))
                ground.emplace_back(float(g->forward), float(g->right));
        bool longitudinal, network;
        double hull_area_m2 = 0, distance_m = 0;
        if (ground.size() >= std::max<size_t>(3, group.skeleton.size() / 2)) {
            cv::PCA pca(cv::Mat(ground).reshape(1), cv::Mat(), cv::PCA::DATA_AS_ROW);
            const cv::Point2f axis(pca.eigenvectors.at<float>(0, 0), pca.eigenvectors.at<float>(0, 1));
            const cv::Point2f centre(pca.mean.at<float>(0, 0), pca.mean.at<float>(0, 1));
            distance_m = centre.x;
            longitudinal = std::abs(axis.x) > std::cos(M_PI / 4);
            std::vector<float> across;
            for (const auto& g : ground)
                across.push_back((g - centre).x * -axis.y + (g - centre).y * axis.x);
            const auto [lo, hi] = std::minmax_element(across.begin(), across.end());
            std::vector<cv::Point2f> hull;
            cv::convexHull(ground, hull);
            hull_area_m2 = cv::contourArea(hull);
            network = hull_area_m2 >= params_.alligator_min_area_m2 && group.pieces >= 3 && (*hi - *lo) >= 0.4;
        } else {
            // Above the horizon of the assumed camera (a still of unknown mounting): judge in the
            // image, where a longitudinal crack runs up the frame.
            const cv::RotatedRect r = cv::minAreaRect(group.skeleton);
            const cv::Rect box = cv::boundingRect(group.skeleton);
            longitudinal = box.height >= box.width;
            const double short_side = std::min(r.size.width, r.size.height);
            network = group.pieces >= 3 && short_side > 0.04 * frame_size_.width;
        }
        Detection d;
        setBox(d, cv::boundingRect(group.pixels));
        d.confidence = std::clamp(group.mean_probability, 0.0, 1.0);
        // Width: the mask's area over its skeleton's length, one frame pixel across at the
        // crack's distance (the labels are drawn generously, so this is an upper estimate).
        const double width_px = double(group.pixels.size()) * scale_.x * scale_.y / std::max(1.0, skeleton_px);
        if (network) {
            d.class_code = "D20";
            d.shape = voirie::sdk::Shape::Polygon;
            std::vector<cv::Point> hull;
            cv::convexHull(group.pixels, hull);
            for (const auto& p : hull)
                d.points.push_back({double(p.x), double(p.y)});
            d.attributes = {{"width_px", width_px}};
            if (hull_area_m2 > 0)
                d.attributes.emplace_back("area_m2", hull_area_m2);
            return d;
        }
        d.class_code = longitudinal ? "D00" : "D10";
        d.shape = voirie::sdk::Shape::Polyline;
        const int bins = std::clamp(int(skeleton_px / 12), 2, 24);
        for (const auto& p : voirie::plugins::centreLine(group.skeleton, bins, frame_size_))
            d.points.push_back({p.x, p.y});
        if (d.points.size() < 2)
            return std::nullopt;
        d.attributes = {{"width_px", width_px}};
        if (distance_m > 0) { // across a longitudinal crack is sideways on the road, across a transverse one forward
            const double metres_per_px = longitudinal ? plane_->lateralMetresPerPixel(distance_m)
                                                      : plane_->forwardMetresPerPixel(distance_m);
            d.attributes.emplace_back("width_mm", width_px * metres_per_px * 1000.0);
        }
        return d;
    }

    void setBox(Detection& d, cv::Rect box) const
    {
        box &= cv::Rect(0, 0, frame_size_.width, frame_size_.height);
        d.x = box.x;
        d.y = box.y;
        d.width = std::max(1, box.width);
        d.height = std::max(1, box.height);
    }

    Params params_;
    cv::dnn::Net net_; // one network per instance: OpenCV's Net is not safe to run from two threads
    std::optional<voirie::sdk::GroundPlane> plane_;
    cv::Point2d scale_{1, 1}; // frame pixels per model pixel
    cv::Size frame_size_;
};

} // namespace

VOIRIE_DETECTOR_PLUGIN(RoadSegNetDetector, "road-segnet", "1.0.0", VOIRIE_THREAD_INSTANCE_SAFE, "D00", "D10", "D20", "D40")
