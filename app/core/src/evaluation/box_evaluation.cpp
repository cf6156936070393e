#include "voirie/core/evaluation/box_evaluation.hpp"

#include <cpl_conv.h>
#include <cpl_minixml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>

namespace voirie {
namespace {

struct Box {
    std::string cls;
    double confidence;
    double xywh[4];
};

Result<std::map<std::string, std::vector<Box>>> readBoxes(const std::filesystem::path& path, const char* what)
{
    std::ifstream in(path);
    if (!in)
        return fail(std::string(what) + " " + path.string() + " cannot be read");
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
        return fail(std::string(what) + " " + path.string() + " is not valid JSON: " + e.what());
    }
    if (!doc.contains("images") || !doc["images"].is_array())
        return fail(std::string(what) + " " + path.string() +
                    " does not have the shape of `voirie detect --json` ({\"images\":[...]})");
    std::map<std::string, std::vector<Box>> out;
    for (const auto& image : doc["images"]) {
        if (!image.contains("path"))
            return fail(std::string(what) + " " + path.string() + " has an image entry without \"path\"");
        const std::string name = std::filesystem::path(image["path"].get<std::string>()).filename().string();
        if (out.count(name))
            return fail(std::string(what) + " " + path.string() + " lists two images named " + name +
                        "; images are paired by file name");
        auto& boxes = out[name];
        for (const auto& d : image.value("detections", nlohmann::json::array())) {
            if (!d.contains("class") || !d.contains("box") || d["box"].size() != 4)
                return fail(std::string(what) + " " + path.string() + ": a detection in " + name +
                            " lacks \"class\" or a 4-number \"box\"");
            Box b;
            b.cls = d["class"].get<std::string>();
            b.confidence = d.value("confidence", 1.0);
            for (int i = 0; i < 4; ++i)
                b.xywh[i] = d["box"][size_t(i)].get<double>();
            boxes.push_back(b);
        }
    }
    return out;
}

// CRDDC's four classes; VOC names are mapped onto Voirie's codes ("Repair" -> "repair").
bool scoredClass(const std::string& cls) { return cls == "D00" || cls == "D10" || cls == "D20" || cls == "D40"; }

std::string vocClass(std::string name)
{
    if (name == "Repair" || name == "REPAIR")
        return "repair";
    return name;
}

// A folder of Pascal VOC annotations, read with GDAL's XML parser.
Result<std::map<std::string, std::vector<Box>>> readVocFolder(const std::filesystem::path& folder)
{
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(folder, ec))
        if (e.path().extension() == ".xml")
            files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (files.empty())
        return fail("truth folder " + folder.string() + " holds no Pascal VOC annotation (.xml)");
    std::map<std::string, std::vector<Box>> out;
    for (const auto& file : files) {
        std::unique_ptr<CPLXMLNode, decltype(&CPLDestroyXMLNode)> doc(CPLParseXMLFile(file.string().c_str()),
                                                                        &CPLDestroyXMLNode);
        const CPLXMLNode* annotation = doc ? CPLGetXMLNode(doc.get(), "=annotation") : nullptr;
        if (annotation == nullptr)
            return fail("truth " + file.string() + " is not a Pascal VOC annotation (no <annotation>)");
        std::string name = CPLGetXMLValue(annotation, "filename", "");
        if (name.empty())
            name = file.stem().string() + ".jpg";
        name = std::filesystem::path(name).filename().string();
        if (out.count(name))
            return fail("truth folder " + folder.string() + " describes " + name + " twice");
        auto& boxes = out[name];
        for (const CPLXMLNode* o = annotation->psChild; o != nullptr; o = o->psNext) {
            if (o->eType != CXT_Element || std::string(o->pszValue) != "object")
                continue;
            const std::string cls = vocClass(CPLGetXMLValue(o, "name", ""));
            const char* coords[] = {"bndbox.xmin", "bndbox.ymin", "bndbox.xmax", "bndbox.ymax"};
            double v[4];
            for (int i = 0; i < 4; ++i) {
                const char* text = CPLGetXMLValue(o, coords[i], nullptr);
                if (text == nullptr)
                    return fail("truth " + file.string() + ": an object without <" + std::string(coords[i] + 7) + ">");
                v[i] = CPLAtof(text);
            }
            if (cls.empty() || v[2] < v[0] || v[3] < v[1])
                return fail("truth " + file.string() + ": an object without a <name> or with an inverted box");
            boxes.push_back({cls, 1.0, {v[0], v[1], v[2] - v[0], v[3] - v[1]}});
        }
    }
    return out;
}

} // namespace

double boxIou(const double a[4], const double b[4])
{
    const double x0 = std::max(a[0], b[0]), y0 = std::max(a[1], b[1]);
    const double x1 = std::min(a[0] + a[2], b[0] + b[2]), y1 = std::min(a[1] + a[3], b[1] + b[3]);
    const double inter = std::max(0.0, x1 - x0) * std::max(0.0, y1 - y0);
    const double uni = a[2] * a[3] + b[2] * b[3] - inter;
    return uni > 0 ? inter / uni : 0.0;
}

Result<BoxEvaluation> evaluateBoxes(const std::filesystem::path& detections_path, const std::filesystem::path& truth_path,
                                    double iou_threshold)
{
    auto detected = readBoxes(detections_path, "detections");
    if (!detected)
        return fail(detected.error());
    std::error_code ec;
    auto truth = std::filesystem::is_directory(truth_path, ec) ? readVocFolder(truth_path) : readBoxes(truth_path, "truth");
    if (!truth)
        return fail(truth.error());
    BoxEvaluation eval;
    for (const auto& [name, true_boxes] : *truth) {
        ++eval.images;
        auto found = detected->find(name);
        std::vector<Box> dets = found == detected->end() ? std::vector<Box>{} : found->second;
        if (found == detected->end())
            ++eval.images_missing;
        std::stable_sort(dets.begin(), dets.end(), [](const Box& a, const Box& b) { return a.confidence > b.confidence; });
        std::vector<bool> used(true_boxes.size(), false);
        for (const auto& d : dets) {
            int best = -1;
            double best_iou = iou_threshold;
            for (size_t t = 0; t < true_boxes.size(); ++t) {
                if (used[t] || true_boxes[t].cls != d.cls)
                    continue;
                const double iou = boxIou(d.xywh, true_boxes[t].xywh);
                if (iou >= best_iou) {
                    best_iou = iou;
                    best = int(t);
                }
            }
            if (best >= 0) {
                used[size_t(best)] = true;
                ++eval.scores.classes[d.cls].tp;
            } else {
                ++eval.scores.classes[d.cls].fp;
            }
        }
        for (size_t t = 0; t < true_boxes.size(); ++t)
            if (!used[t])
                ++eval.scores.classes[true_boxes[t].cls].fn;
    }
    // Detections on images that are not in the truth are not scored (nothing is known there).
    for (auto it = eval.scores.classes.begin(); it != eval.scores.classes.end();)
        if (scoredClass(it->first)) {
            ++it;
        } else {
            eval.apart.classes[it->first] = it->second;
            it = eval.scores.classes.erase(it);
        }
    return eval;
}

} // namespace voirie
