// Any YOLO-family object detector exported to ONNX, run through OpenCV DNN, described by a small
// model manifest so that a model trained on RDD2022 (D00/D10/D20/D40) plugs in without code.
#include "../common/onnx_box_detector.hpp"

namespace {

voirie::plugins::ModelManifest manifestOf(const voirie::sdk::Parameters& p)
{
    const std::string path = p.getString("model", "");
    if (path.empty())
        throw std::invalid_argument("onnx-yolo needs a model: set --param onnx-yolo.model=PATH to a model manifest "
                                    "(JSON; see plugins/onnx-yolo/README.md)");
    return voirie::plugins::readModelManifest(path);
}

class OnnxYolo : public voirie::plugins::OnnxBoxDetector {
public:
    explicit OnnxYolo(const voirie::sdk::Parameters& p) : OnnxBoxDetector(manifestOf(p), p) {}
};

} // namespace

VOIRIE_DETECTOR_PLUGIN(OnnxYolo, "onnx-yolo", "1.0.0", VOIRIE_THREAD_INSTANCE_SAFE, "D00", "D10", "D20", "D40", "D43",
                       "D44", "D50", "repair")
