// `voirie detect`: detector plugins on still images.
#include "cli_support.hpp"

#include "voirie/core/geo/camera_file.hpp"
#include "voirie/core/plugin_host/detector_set.hpp"
#include "voirie/core/plugin_host/plugin_parameters.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>

namespace voirie::cli {
namespace {

namespace fs = std::filesystem;

double rounded(double v) { return std::round(v * 1000.0) / 1000.0; }

} // namespace

int runDetect(const CommandLine& cl)
{
    po::options_description options("options");
    addPluginDirOption(options);
    options.add_options()
        ("plugins", po::value<std::string>(), "comma-separated plugin ids (default: the detectors marked default, see voirie plugins)")
        ("param", po::value<std::vector<std::string>>()->composing(), "plugin parameter PLUGIN_ID.NAME=VALUE (repeatable)")
        ("camera", po::value<std::string>(), "camera.json of the camera that took the images (plugins judge the ground with it)")
        ("json", "print JSON: {\"images\":[{\"path\",\"width\",\"height\",\"detections\":[...]}]}")
        ("input", po::value<std::vector<std::string>>()->required(), "images (jpg, png) or folders of them");
    po::positional_options_description positional;
    positional.add("input", -1);
    po::variables_map vm;
    if (!parseOptions(cl, "detect [--plugins id1,id2] [--param id.key=value] [--camera C] [--json] IMAGE_OR_DIR...", options,
                      positional, vm))
        return kExitOk;

    auto overrides = parseParameterOverrides(
        vm.count("param") ? vm["param"].as<std::vector<std::string>>() : std::vector<std::string>{});
    if (!overrides)
        throw UsageError(overrides.error());

    DetectorSetOptions set_options;
    set_options.plugin_dirs = checkedPluginDirs(
        vm.count("plugin-dir") ? vm["plugin-dir"].as<std::vector<std::string>>() : std::vector<std::string>{});
    if (vm.count("plugins"))
        set_options.ids = splitList(vm["plugins"].as<std::string>());
    set_options.parameters = *overrides;
    if (auto s = DetectorSet::checkParameters(set_options); !s)
        throw UsageError(s.error());
    auto set = DetectorSet::open(set_options);
    if (!set)
        throw RuntimeError(set.error());
    for (const auto& s : set->skipped())
        std::cerr << "voirie detect: skipping a plugin: " << s << "\n";
    auto& detectors = set->worker(0);

    std::optional<CameraModel> camera;
    if (vm.count("camera")) {
        auto c = readCameraFile(vm["camera"].as<std::string>());
        if (!c)
            throw RuntimeError(c.error());
        camera = *c;
    }
    const bool as_json = vm.count("json") != 0;
    nlohmann::ordered_json images = nlohmann::ordered_json::array();
    bool any_failure = false;
    int64_t index = 0;
    const auto files = expandImageInputs(vm["input"].as<std::vector<std::string>>());
    if (files.empty())
        throw RuntimeError("no jpg or png images were found in the given folders");
    for (const auto& file : files) {
        nlohmann::ordered_json entry;
        entry["path"] = file.string();
        std::error_code ec;
        cv::Mat image;
        if (fs::is_regular_file(file, ec))
            image = cv::imread(file.string(), cv::IMREAD_COLOR);
        if (image.empty()) {
            entry["error"] = fs::exists(file, ec) ? "cannot be read as an image (not a valid jpg or png?)"
                                                   : "does not exist";
            std::cerr << "voirie detect: " << file.string() << " " << entry["error"].get<std::string>() << "\n";
            any_failure = true;
            images.push_back(entry);
            continue;
        }
        entry["width"] = image.cols;
        entry["height"] = image.rows;
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        nlohmann::ordered_json plugin_errors = nlohmann::ordered_json::array();
        FrameContext context;
        context.frame_index = index++;
        context.camera = camera;
        for (auto& detector : detectors) {
            auto out = detector->detect(image, context);
            if (!out) {
                any_failure = true;
                plugin_errors.push_back(out.error());
                std::cerr << "voirie detect: " << file.string() << ": " << out.error() << "\n";
                continue;
            }
            for (const auto& reason : out->drop_reasons)
                std::cerr << "voirie detect: " << file.string() << ": " << reason << " (dropped)\n";
            for (const auto& d : out->detections) {
                nlohmann::ordered_json dj;
                dj["plugin"] = d.plugin_id;
                dj["class"] = d.class_code;
                dj["confidence"] = rounded(d.confidence);
                dj["box"] = {rounded(d.box.x), rounded(d.box.y), rounded(d.box.width), rounded(d.box.height)};
                if (d.shape == ShapeKind::Polygon || d.shape == ShapeKind::Polyline) {
                    auto& pts = dj[d.shape == ShapeKind::Polygon ? "polygon" : "polyline"] = nlohmann::ordered_json::array();
                    for (const auto& p : d.points)
                        pts.push_back({rounded(p.x), rounded(p.y)});
                }
                list.push_back(dj);
            }
        }
        entry["detections"] = list;
        if (!plugin_errors.empty())
            entry["plugin_errors"] = plugin_errors;
        if (!as_json) {
            std::cout << file.string() << " (" << image.cols << "x" << image.rows << "): " << list.size()
                      << " detection(s)\n";
            for (const auto& d : list)
                std::cout << "  " << d["class"].get<std::string>() << "  " << d["confidence"].get<double>() << "  box "
                          << d["box"].dump() << "  [" << d["plugin"].get<std::string>() << "]\n";
        }
        images.push_back(entry);
    }
    if (as_json) {
        nlohmann::ordered_json out;
        out["images"] = images;
        std::cout << out.dump() << "\n";
    }
    return any_failure ? kExitFailure : kExitOk;
}

} // namespace voirie::cli
