// road-boxes: Voirie's own box detector for the RDD2022 classes (D00 longitudinal, D10 transverse,
// D20 alligator cracks, D40 potholes, repairs), trained on real road photos by
// tools/train/train_boxnet.py and shipped beside the plugin (model/road-boxes.json and .onnx).
#include "../common/onnx_box_detector.hpp"
#include "../common/plugin_folder.hpp"

namespace {

voirie::plugins::ModelManifest manifestOf(const voirie::sdk::Parameters& p)
{
    std::string path = p.getString("model", "");
    if (path.empty())
        path = (voirie::plugins::pluginFolder() / "model" / "road-boxes.json").string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw std::invalid_argument("road-boxes model manifest " + path + " does not exist (set road-boxes.model to "
                                    "the road-boxes.json a training wrote, or reinstall the plugin with its model/)");
    return voirie::plugins::readModelManifest(path);
}

class RoadBoxes : public voirie::plugins::OnnxBoxDetector {
public:
    explicit RoadBoxes(const voirie::sdk::Parameters& p) : OnnxBoxDetector(manifestOf(p), p) {}
};

} // namespace

VOIRIE_DETECTOR_PLUGIN(RoadBoxes, "road-boxes", "1.0.0", VOIRIE_THREAD_INSTANCE_SAFE, "D00", "D10", "D20", "D40", "repair")
