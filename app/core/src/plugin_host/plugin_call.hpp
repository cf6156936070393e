// What every call into a plugin needs, whatever its kind: parameters across the C boundary,
// the frame as an image view and context, the locks its thread safety asks for, and sentences
// for its failures. Private to app/core.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/geo/camera_file.hpp"
#include "voirie/core/geo/camera_geometry.hpp"
#include "voirie/core/plugin_host/crash_reporter.hpp"
#include "voirie/core/plugin_host/plugin_library.hpp"
#include "voirie/core/vocabulary/frame_context.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace voirie {

inline std::vector<voirie_param> toAbi(const std::map<std::string, ParameterValue>& values)
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

inline std::string statusName(voirie_status s)
{
    switch (s) {
    case VOIRIE_ERROR: return "error";
    case VOIRIE_INVALID_ARGUMENT: return "invalid argument";
    case VOIRIE_UNSUPPORTED: return "unsupported";
    case VOIRIE_OUT_OF_MEMORY: return "out of memory";
    default: return "status " + std::to_string(s);
    }
}

inline std::string lastErrorOf(const voirie_plugin_descriptor& d, voirie_instance instance)
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


// Creates an instance with every declared parameter; one sentence when the plugin refuses.
inline Result<voirie_instance> createPluginInstance(const PluginLibrary& library,
                                                   const std::map<std::string, ParameterValue>& parameters)
{
    const auto& d = library.descriptor();
    const auto& m = library.manifest();
    auto params = toAbi(parameters);
    voirie_instance handle = nullptr;
    voirie_status status = VOIRIE_ERROR;
    {
        std::unique_lock<std::mutex> lock;
        if (m.thread_safety == ThreadSafety::Unsafe)
            lock = std::unique_lock(library.pluginWideMutex());
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
    return handle;
}

// A frame as plugins see it: 8-bit BGR pixels in a view, and the context as plain numbers.
struct AbiFrame {
    cv::Mat bgr;
    voirie_image_view view{};
    voirie_camera camera{};
    voirie_frame_context ctx{};

    static Result<AbiFrame> make(const PluginManifest& m, const cv::Mat& image, const FrameContext& context)
    {
        if (image.empty() || image.depth() != CV_8U)
            return fail("plugin '" + m.id + "' was given an empty or non-8-bit image");
        AbiFrame f;
        if (image.channels() == 3)
            f.bgr = image;
        else if (image.channels() == 1)
            cv::cvtColor(image, f.bgr, cv::COLOR_GRAY2BGR);
        else if (image.channels() == 4)
            cv::cvtColor(image, f.bgr, cv::COLOR_BGRA2BGR);
        else
            return fail("plugin '" + m.id + "' was given an image with " + std::to_string(image.channels()) +
                        " channels");
        f.view.struct_size = sizeof(f.view);
        f.view.pixel_format = VOIRIE_PIXEL_BGR8;
        f.view.width = f.bgr.cols;
        f.view.height = f.bgr.rows;
        f.view.stride_bytes = static_cast<int64_t>(f.bgr.step[0]);
        f.view.data = f.bgr.data;
        f.ctx.struct_size = sizeof(f.ctx);
        f.ctx.frame_index = context.frame_index;
        if (context.time_unix_s) {
            f.ctx.flags |= VOIRIE_CONTEXT_HAS_TIME;
            f.ctx.time_unix_s = *context.time_unix_s;
        }
        if (context.position) {
            f.ctx.flags |= VOIRIE_CONTEXT_HAS_POSITION;
            f.ctx.lon = context.position->lon;
            f.ctx.lat = context.position->lat;
        }
        if (context.heading_deg) {
            f.ctx.flags |= VOIRIE_CONTEXT_HAS_HEADING;
            f.ctx.heading_deg = *context.heading_deg;
            f.ctx.speed_mps = context.speed_mps.value_or(0);
        }
        if (context.chainage_m) {
            f.ctx.flags |= VOIRIE_CONTEXT_HAS_CHAINAGE;
            f.ctx.chainage_m = *context.chainage_m;
        }
        if (context.camera) // intrinsics follow the frame when its size differs from the calibrated size
            f.camera = toAbiCamera(scaledTo(*context.camera, f.bgr.cols, f.bgr.rows));
        f.has_camera = context.camera.has_value();
        return f;
    }
    // The context, pointing at this frame's camera (valid while this object lives, unmoved).
    voirie_frame_context context() const
    {
        voirie_frame_context c = ctx;
        c.camera = has_camera ? &camera : nullptr;
        return c;
    }
    bool has_camera = false;
};

} // namespace voirie
