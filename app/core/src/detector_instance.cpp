#include "voirie/core/detector_instance.hpp"

#include "voirie/core/camera_file.hpp"
#include "voirie/core/camera_geometry.hpp"
#include "voirie/core/crash_reporter.hpp"
#include "voirie/core/damage_classes.hpp"

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

std::vector<voirie_param> toAbi(const std::map<std::string, ParameterValue>& values)
{
    std::vector<voirie_param> params;
    for (const auto& [name, value] : values) {
        voirie_param p{};
        p.struct_size = sizeof(voirie_param);
        p.name = name.c_str();
        if (auto* b = std::get_if<bool>(&value)) {
            p.type = VOIRIE_PARAM_BOOL;
            p.int_value = *b ? 1 : 0;
        } else if (auto* i = std::get_if<int64_t>(&value)) {
            p.type = VOIRIE_PARAM_INT;
            p.int_value = *i;
            p.double_value = static_cast<double>(*i);
        } else if (auto* d = std::get_if<double>(&value)) {
            p.type = VOIRIE_PARAM_DOUBLE;
            p.double_value = *d;
        } else {
            p.type = VOIRIE_PARAM_STRING;
            p.string_value = std::get<std::string>(value).c_str();
        }
        params.push_back(p);
    }
    return params;
}

std::string statusName(voirie_status s)
{
    switch (s) {
    case VOIRIE_ERROR: return "error";
    case VOIRIE_INVALID_ARGUMENT: return "invalid argument";
    case VOIRIE_UNSUPPORTED: return "unsupported";
    case VOIRIE_OUT_OF_MEMORY: return "out of memory";
    default: return "status " + std::to_string(s);
    }
}

std::string lastErrorOf(const voirie_plugin_descriptor& d, voirie_instance instance)
{
    const char* text = d.last_error(instance);
    std::string message = (text && *text) ? text : "no reason given";
    return message;
}

// Locks what the plugin's declared thread safety requires for one call.
class CallLock {
public:
    CallLock(const PluginLibrary& library, std::mutex& instance_mutex)
    {
        switch (library.manifest().thread_safety) {
        case ThreadSafety::Unsafe: lock_ = std::unique_lock(library.pluginWideMutex()); break;
        case ThreadSafety::InstanceSafe: lock_ = std::unique_lock(instance_mutex); break;
        case ThreadSafety::FullySafe: break;
        }
    }

private:
    std::unique_lock<std::mutex> lock_;
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
    const auto& d = library->descriptor();
    const auto& m = library->manifest();
    auto params = toAbi(parameters);
    voirie_instance handle = nullptr;
    voirie_status status = VOIRIE_ERROR;
    {
        std::unique_lock<std::mutex> lock;
        if (m.thread_safety == ThreadSafety::Unsafe)
            lock = std::unique_lock(library->pluginWideMutex());
        CrashActivity activity("plugin '" + m.id + "' (" + m.libraryPath().string() + ") while creating an instance");
        try {
            status = d.create(params.data(), static_cast<uint32_t>(params.size()), &handle);
        } catch (...) {
            return fail("plugin '" + m.id + "' threw an exception through the C boundary while creating an instance");
        }
        if (status != VOIRIE_OK)
            return fail("plugin '" + m.id + "' could not create an instance (" + statusName(status) +
                        "): " + lastErrorOf(d, nullptr));
    }
    if (handle == nullptr)
        return fail("plugin '" + m.id + "' reported success creating an instance but returned none");
    return std::unique_ptr<DetectorInstance>(new DetectorInstance(std::move(library), handle));
}

DetectorInstance::~DetectorInstance()
{
    CallLock lock(*library_, instance_mutex_);
    library_->descriptor().destroy(handle_);
}

Result<DetectOutput> DetectorInstance::detect(const cv::Mat& image, const FrameContext& context)
{
    const auto& m = library_->manifest();
    if (image.empty() || image.depth() != CV_8U)
        return fail("plugin '" + m.id + "' was given an empty or non-8-bit image");
    cv::Mat bgr;
    if (image.channels() == 3)
        bgr = image;
    else if (image.channels() == 1)
        cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
    else if (image.channels() == 4)
        cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
    else
        return fail("plugin '" + m.id + "' was given an image with " + std::to_string(image.channels()) + " channels");

    voirie_image_view view{};
    view.struct_size = sizeof(view);
    view.pixel_format = VOIRIE_PIXEL_BGR8;
    view.width = bgr.cols;
    view.height = bgr.rows;
    view.stride_bytes = static_cast<int64_t>(bgr.step[0]);
    view.data = bgr.data;

    voirie_camera camera{};
    voirie_frame_context ctx{};
    ctx.struct_size = sizeof(ctx);
    ctx.frame_index = context.frame_index;
    if (context.time_unix_s) {
        ctx.flags |= VOIRIE_CONTEXT_HAS_TIME;
        ctx.time_unix_s = *context.time_unix_s;
    }
    if (context.position) {
        ctx.flags |= VOIRIE_CONTEXT_HAS_POSITION;
        ctx.lon = context.position->lon;
        ctx.lat = context.position->lat;
    }
    if (context.heading_deg) {
        ctx.flags |= VOIRIE_CONTEXT_HAS_HEADING;
        ctx.heading_deg = *context.heading_deg;
        ctx.speed_mps = context.speed_mps.value_or(0);
    }
    if (context.chainage_m) {
        ctx.flags |= VOIRIE_CONTEXT_HAS_CHAINAGE;
        ctx.chainage_m = *context.chainage_m;
    }
    if (context.camera) {
        // Intrinsics follow the frame when its size differs from the calibrated size.
        camera = toAbiCamera(scaledTo(*context.camera, bgr.cols, bgr.rows));
        ctx.camera = &camera;
    }

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
