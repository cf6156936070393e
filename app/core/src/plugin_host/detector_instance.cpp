#include "voirie/core/plugin_host/detector_instance.hpp"

#include "plugin_call.hpp"

#include "voirie/core/geo/camera_file.hpp"
#include "voirie/core/geo/camera_geometry.hpp"
#include "voirie/core/plugin_host/crash_reporter.hpp"
#include "voirie/core/vocabulary/damage_classes.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <mutex>

namespace voirie {
namespace {

constexpr double kEdgeTolerancePx = 0.5;     // sub-pixel rounding at the frame edge is fine
constexpr uint32_t kMaxPointsPerShape = 100000;
constexpr size_t kMaxReasonsKept = 5;

// Receives detections across the C boundary, validates and copies each at once.
struct Collector {
    const PluginManifest* manifest;
    double width, height;
    DetectOutput* out;

    void drop(std::string reason)
    {
        ++out->dropped;
        if (out->drop_reasons.size() < kMaxReasonsKept)
            out->drop_reasons.push_back("plugin '" + manifest->id + "' emitted an invalid detection: " +
                                        std::move(reason));
    }

    bool insideFrame(double x, double y) const
    {
        return x >= -kEdgeTolerancePx && y >= -kEdgeTolerancePx && x <= width + kEdgeTolerancePx &&
               y <= height + kEdgeTolerancePx;
    }

    voirie_status accept(const voirie_detection* d)
    {
        if (d == nullptr)
            return drop("a null detection"), VOIRIE_OK;
        if (d->struct_size < offsetof(voirie_detection, attributes) + sizeof(d->attributes))
            return drop("struct_size " + std::to_string(d->struct_size) + " is too small"), VOIRIE_OK;
        if (d->class_code == nullptr || std::strlen(d->class_code) == 0)
            return drop("no class code"), VOIRIE_OK;
        const std::string code = d->class_code;
        if (!isKnownDamageClass(code))
            return drop("unknown class \"" + code + "\""), VOIRIE_OK;
        if (std::find(manifest->classes.begin(), manifest->classes.end(), code) == manifest->classes.end())
            return drop("class " + code + " is not among the classes its manifest declares"), VOIRIE_OK;
        if (!std::isfinite(d->confidence) || d->confidence < 0 || d->confidence > 1)
            return drop("confidence " + std::to_string(d->confidence) + " is outside [0, 1]"), VOIRIE_OK;
        const double box[] = {d->box_x, d->box_y, d->box_w, d->box_h};
        if (!std::all_of(std::begin(box), std::end(box), [](double v) { return std::isfinite(v); }))
            return drop("its box is not finite (NaN or infinity)"), VOIRIE_OK;
        if (d->box_w <= 0 || d->box_h <= 0)
            return drop("its box has no area"), VOIRIE_OK;
        if (!insideFrame(d->box_x, d->box_y) || !insideFrame(d->box_x + d->box_w, d->box_y + d->box_h))
            return drop("its box lies outside the " + std::to_string(int(width)) + "x" +
                        std::to_string(int(height)) + " frame"),
                   VOIRIE_OK;
        if (d->shape_kind < VOIRIE_SHAPE_NONE || d->shape_kind > VOIRIE_SHAPE_POLYGON)
            return drop("unknown shape kind " + std::to_string(d->shape_kind)), VOIRIE_OK;
        if (d->severity_hint < VOIRIE_SEVERITY_UNKNOWN || d->severity_hint > VOIRIE_SEVERITY_HIGH)
            return drop("unknown severity " + std::to_string(d->severity_hint)), VOIRIE_OK;
        if (d->point_count > kMaxPointsPerShape || (d->point_count > 0 && d->points == nullptr))
            return drop("its point list is invalid"), VOIRIE_OK;
        const uint32_t min_points = d->shape_kind == VOIRIE_SHAPE_POLYGON   ? 3
                                    : d->shape_kind == VOIRIE_SHAPE_POLYLINE ? 2
                                                                             : 0;
        if (d->point_count < min_points)
            return drop("a " + std::string(min_points == 3 ? "polygon" : "polyline") + " needs at least " +
                        std::to_string(min_points) + " points"),
                   VOIRIE_OK;

        Detection out;
        out.plugin_id = manifest->id;
        out.plugin_version = manifest->version;
        out.class_code = code;
        out.confidence = d->confidence;
        out.box = {d->box_x, d->box_y, d->box_w, d->box_h};
        out.shape = d->shape_kind == VOIRIE_SHAPE_NONE ? ShapeKind::None : static_cast<ShapeKind>(d->shape_kind);
        out.severity_hint = static_cast<Severity>(d->severity_hint);
        if (out.shape != ShapeKind::None) {
            out.points.reserve(d->point_count);
            for (uint32_t i = 0; i < d->point_count; ++i) {
                const voirie_point p = d->points[i];
                if (!std::isfinite(p.x) || !std::isfinite(p.y) || !insideFrame(p.x, p.y))
                    return drop("point " + std::to_string(i) + " of its shape is not finite or lies "
                                "outside the frame"),
                           VOIRIE_OK;
                out.points.push_back({p.x, p.y});
            }
        }
        if (d->attribute_count > 0 && d->attributes == nullptr)
            return drop("its attribute list is invalid"), VOIRIE_OK;
        for (uint32_t i = 0; i < d->attribute_count; ++i) {
            const voirie_attribute& a = d->attributes[i];
            if (a.name == nullptr || !std::isfinite(a.value))
                return drop("attribute " + std::to_string(i) + " has no name or a non-finite value"), VOIRIE_OK;
            out.attributes.emplace_back(a.name, a.value);
        }
        this->out->detections.push_back(std::move(out));
        return VOIRIE_OK;
    }

    static voirie_status emit(void* self, const voirie_detection* d)
    {
        try {
            return static_cast<Collector*>(self)->accept(d);
        } catch (...) { // never let a host exception cross into plugin code
            return VOIRIE_OUT_OF_MEMORY;
        }
    }
};

} // namespace

DetectorInstance::DetectorInstance(std::shared_ptr<const PluginLibrary> library, voirie_instance handle)
    : library_(std::move(library)), handle_(handle)
{
}

Result<std::unique_ptr<DetectorInstance>>
DetectorInstance::create(std::shared_ptr<const PluginLibrary> library,
                         const std::map<std::string, ParameterValue>& parameters)
{
    if (library->manifest().kind != "detector")
        return fail("plugin '" + library->manifest().id + "' is an " + library->manifest().kind + ", not a detector");
    auto handle = createPluginInstance(*library, parameters);
    if (!handle)
        return fail(handle.error());
    return std::unique_ptr<DetectorInstance>(new DetectorInstance(std::move(library), *handle));
}

DetectorInstance::~DetectorInstance()
{
    CallLock lock(*library_, instance_mutex_);
    library_->descriptor().destroy(handle_);
}

Result<DetectOutput> DetectorInstance::detect(const cv::Mat& image, const FrameContext& context)
{
    const auto& m = library_->manifest();
    auto frame = AbiFrame::make(m, image, context);
    if (!frame)
        return fail(frame.error());
    const cv::Mat& bgr = frame->bgr;
    const voirie_image_view view = frame->view;
    const voirie_frame_context ctx = frame->context();

    DetectOutput output;
    Collector collector{&m, double(bgr.cols), double(bgr.rows), &output};
    voirie_detection_sink sink{sizeof(sink), &collector, &Collector::emit};
    const auto& d = library_->descriptor();
    voirie_status status = VOIRIE_ERROR;
    {
        CallLock lock(*library_, instance_mutex_);
        CrashActivity activity("plugin '" + m.id + "' (" + m.libraryPath().string() + ") while detecting on frame " +
                               std::to_string(context.frame_index));
        try {
            status = d.detect(handle_, &view, &ctx, &sink);
        } catch (...) {
            return fail("plugin '" + m.id + "' threw an exception through the C boundary during detection");
        }
        if (status != VOIRIE_OK)
            return fail("plugin '" + m.id + "' failed during detection (" + statusName(status) +
                        "): " + lastErrorOf(d, handle_));
    }
    return output;
}

} // namespace voirie
