// An object detector exported to ONNX with a YOLO-family output ([1,N,5+C] or [1,4+C,N]), run
// through OpenCV DNN: letterboxing, a confidence threshold, class-wise NMS, boxes back in frame
// pixels, model classes mapped to Voirie's codes by a small model manifest. Shared by onnx-yolo
// (any such model, named by the user) and road-boxes (Voirie's own RDD2022 model, shipped beside it).
#pragma once

#include <voirie/plugin.hpp>
#include <voirie/plugin_opencv.hpp>

#include <nlohmann/json.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace voirie::plugins {


inline const char* const kVoirieCodes[] = {"D00", "D10", "D20", "D40", "D43", "D44", "D50", "repair"};

struct ModelManifest {
    std::filesystem::path model;
    int width = 640, height = 640;
    bool yolov8 = false; // output [1, 4+C, N] instead of [1, N, 5+C]
    std::vector<std::string> class_names;
    std::vector<std::string> voirie_code; // per model class; empty = ignored
    double confidence = 0.25, nms_iou = 0.45, scale = 1.0 / 255.0, pad_value = 114;
    bool swap_rb = true;
};

// Reads a model manifest (see plugins/onnx-yolo/README.md); the model path is taken relative to it.
inline ModelManifest readModelManifest(const std::filesystem::path& file)
{
    const std::string path = file.string();
    std::ifstream in(path);
    if (!in)
        throw std::invalid_argument("model manifest " + path + " cannot be read");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
        throw std::invalid_argument("model manifest " + path + " is not valid JSON: " + e.what());
    }
    ModelManifest m;
    try {
        m.model = std::filesystem::path(path).parent_path() / j.at("model").get<std::string>();
        m.width = j.value("input_width", 640);
        m.height = j.value("input_height", 640);
        const std::string layout = j.value("layout", "yolov5");
        if (layout != "yolov5" && layout != "yolov8")
            throw std::invalid_argument("\"layout\" must be \"yolov5\" ([1,N,5+C]) or \"yolov8\" ([1,4+C,N])");
        m.yolov8 = layout == "yolov8";
        m.class_names = j.at("class_names").get<std::vector<std::string>>();
        const auto map = j.value("class_map", std::map<std::string, std::string>{});
        for (const auto& name : m.class_names) {
            std::string code = map.count(name) ? map.at(name) : name; // names may already be codes
            if (std::find(std::begin(kVoirieCodes), std::end(kVoirieCodes), code) == std::end(kVoirieCodes)) {
                if (map.count(name))
                    throw std::invalid_argument("class_map maps \"" + name + "\" to \"" + code + "\", not a Voirie code");
                code.clear(); // a class Voirie has no use for (e.g. "car"): ignored
            }
            m.voirie_code.push_back(code);
        }
        m.confidence = j.value("confidence_threshold", 0.25);
        m.nms_iou = j.value("nms_iou", 0.45);
        m.scale = j.value("input_scale", 1.0 / 255.0);
        m.swap_rb = j.value("swap_rb", true);
        m.pad_value = j.value("letterbox_value", 114.0);
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument("model manifest " + path + " is incomplete: " + e.what() +
                                    " (it needs \"model\" and \"class_names\")");
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("model manifest " + path + ": " + e.what());
    }
    if (m.class_names.empty() || m.width < 32 || m.height < 32)
        throw std::invalid_argument("model manifest " + path + " needs class names and an input of at least 32x32");
    return m;
}

class OnnxBoxDetector : public voirie::sdk::Detector {
public:
    // The manifest's threshold and NMS overlap give way to the plugin's "confidence" and "nms_iou"
    // parameters when these are set (>= 0).
    OnnxBoxDetector(ModelManifest manifest, const voirie::sdk::Parameters& p) : manifest_(std::move(manifest))
    {
        if (p.getDouble("confidence", -1) >= 0)
            manifest_.confidence = p.getDouble("confidence", -1);
        if (p.getDouble("nms_iou", -1) >= 0)
            manifest_.nms_iou = p.getDouble("nms_iou", -1);
        std::error_code ec;
        if (!std::filesystem::is_regular_file(manifest_.model, ec))
            throw std::invalid_argument("model file " + manifest_.model.string() + " does not exist");
        try {
            net_ = cv::dnn::readNetFromONNX(manifest_.model.string());
            net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
            net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
            // One pass on a blank input: a model OpenCV cannot run fails here, not on frame 1.
            cv::Mat blank(manifest_.height, manifest_.width, CV_8UC3, cv::Scalar::all(manifest_.pad_value));
            checkOutput(run(blank));
        } catch (const cv::Exception& e) {
            throw std::runtime_error("OpenCV " CV_VERSION " cannot load or run model " + manifest_.model.string() + ": " +
                                     firstLine(e.what()) +
                                     ". Export it at ONNX opset 12 with static input size and simplification "
                                     "(YOLOv5: export.py --opset 12 --simplify; YOLOv8: yolo export format=onnx "
                                     "opset=12 simplify=True), or use a YOLOv5 export, which OpenCV 4.6 runs");
        }
    }

    std::vector<voirie::sdk::Detection> detect(const voirie::sdk::Frame& frame) override
    {
        cv::Mat image = voirie::sdk::toMat(frame.image);
        if (frame.image.pixel_format == VOIRIE_PIXEL_RGB8)
            cv::cvtColor(image, image, cv::COLOR_RGB2BGR);
        else if (image.channels() == 1)
            cv::cvtColor(image, image, cv::COLOR_GRAY2BGR);
        else if (image.channels() == 4)
            cv::cvtColor(image, image, cv::COLOR_BGRA2BGR);
        // Letterbox: scale to fit, centre, pad; boxes come back through the inverse.
        const double scale = std::min(double(manifest_.width) / image.cols, double(manifest_.height) / image.rows);
        const int w = std::max(1, int(std::lround(image.cols * scale))), h = std::max(1, int(std::lround(image.rows * scale)));
        const int pad_x = (manifest_.width - w) / 2, pad_y = (manifest_.height - h) / 2;
        cv::Mat input(manifest_.height, manifest_.width, CV_8UC3, cv::Scalar::all(manifest_.pad_value));
        cv::resize(image, input(cv::Rect(pad_x, pad_y, w, h)), cv::Size(w, h), 0, 0, cv::INTER_LINEAR);
        const cv::Mat out = run(input);

        const int classes = int(manifest_.class_names.size());
        const int n = manifest_.yolov8 ? out.size[2] : out.size[1];
        const int stride = manifest_.yolov8 ? 1 : out.size[2];
        const float* data = reinterpret_cast<const float*>(out.data);
        auto at = [&](int candidate, int field) {
            return manifest_.yolov8 ? data[field * n + candidate] : data[candidate * stride + field];
        };
        std::map<int, std::vector<cv::Rect2d>> boxes;
        std::map<int, std::vector<float>> scores;
        for (int i = 0; i < n; ++i) {
            const int first_class = manifest_.yolov8 ? 4 : 5;
            const float objectness = manifest_.yolov8 ? 1.f : at(i, 4);
            int best = 0;
            for (int c = 1; c < classes; ++c)
                if (at(i, first_class + c) > at(i, first_class + best))
                    best = c;
            const float score = objectness * at(i, first_class + best);
            if (score < manifest_.confidence || manifest_.voirie_code[size_t(best)].empty())
                continue;
            const double cx = at(i, 0), cy = at(i, 1), bw = at(i, 2), bh = at(i, 3);
            cv::Rect2d box((cx - bw / 2 - pad_x) / scale, (cy - bh / 2 - pad_y) / scale, bw / scale, bh / scale);
            box &= cv::Rect2d(0, 0, image.cols, image.rows);
            if (box.width <= 0 || box.height <= 0)
                continue;
            boxes[best].push_back(box);
            scores[best].push_back(std::min(1.f, score));
        }
        std::vector<voirie::sdk::Detection> detections;
        for (auto& [c, list] : boxes) { // NMS per class
            std::vector<cv::Rect> integer; // OpenCV 4.6's NMSBoxes wants integer boxes: use 1/16 px
            for (const auto& b : list)
                integer.emplace_back(int(b.x * 16), int(b.y * 16), int(b.width * 16), int(b.height * 16));
            std::vector<int> keep;
            cv::dnn::NMSBoxes(integer, scores[c], float(manifest_.confidence), float(manifest_.nms_iou), keep);
            for (int k : keep) {
                voirie::sdk::Detection d;
                d.class_code = manifest_.voirie_code[size_t(c)];
                d.confidence = scores[c][size_t(k)];
                d.x = list[size_t(k)].x;
                d.y = list[size_t(k)].y;
                d.width = list[size_t(k)].width;
                d.height = list[size_t(k)].height;
                d.attributes = {{"model_class", double(c)}};
                detections.push_back(std::move(d));
            }
        }
        std::sort(detections.begin(), detections.end(), [](const voirie::sdk::Detection& a, const voirie::sdk::Detection& b) {
            return a.confidence > b.confidence;
        });
        return detections;
    }

private:
    cv::Mat run(const cv::Mat& input)
    {
        net_.setInput(cv::dnn::blobFromImage(input, manifest_.scale, cv::Size(), cv::Scalar(), manifest_.swap_rb, false));
        cv::Mat out = net_.forward();
        return out.isContinuous() ? out : out.clone();
    }

    void checkOutput(const cv::Mat& out) const
    {
        const int classes = int(manifest_.class_names.size());
        const bool ok = out.dims == 3 && out.size[0] == 1 &&
                        (manifest_.yolov8 ? out.size[1] == 4 + classes : out.size[2] == 5 + classes);
        if (ok)
            return;
        std::string shape = "[";
        for (int i = 0; i < out.dims; ++i)
            shape += (i ? "," : "") + std::to_string(out.size[i]);
        shape += "]";
        throw std::invalid_argument("model " + manifest_.model.string() + " outputs " + shape + " but its manifest says " +
                                    (manifest_.yolov8 ? "yolov8 layout [1,4+C,N]" : "yolov5 layout [1,N,5+C]") +
                                    " with C=" + std::to_string(classes) +
                                    " classes: the manifest's class_names or layout do not match the model");
    }

    static std::string firstLine(const std::string& text)
    {
        const auto end = text.find('\n');
        return end == std::string::npos ? text : text.substr(0, end);
    }

    ModelManifest manifest_;
    cv::dnn::Net net_;
};

} // namespace voirie::plugins
