// Voirie plugin SDK — header-only C++ layer over plugin_abi.h for plugin authors.
//
// Write a class derived from voirie::sdk::Detector, then declare it once:
//
//   class MyDetector : public voirie::sdk::Detector {
//   public:
//       explicit MyDetector(const voirie::sdk::Parameters& params);
//       std::vector<voirie::sdk::Detection> detect(const voirie::sdk::Frame& frame) override;
//   };
//   VOIRIE_DETECTOR_PLUGIN(MyDetector, "my-detector", "1.0.0", VOIRIE_THREAD_INSTANCE_SAFE,
//                          "D40")
//
// An anonymizer (faces, plates) derives from voirie::sdk::Anonymizer and returns Regions:
//
//   VOIRIE_ANONYMIZER_PLUGIN(MyBlurrer, "my-blurrer", "1.0.0", VOIRIE_THREAD_INSTANCE_SAFE,
//                            "face", "plate")
//
// Everything this header compiles stays inside the plugin: the host only sees the C ABI.
// Every exception thrown by your code is caught here and turned into a status + last_error.
#pragma once

#include <voirie/plugin_abi.h>

#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace voirie::sdk {

// The parameters the host passed, typed as the manifest declares them.
class Parameters {
public:
    Parameters() = default;
    Parameters(const voirie_param* params, uint32_t count)
    {
        for (uint32_t i = 0; i < count; ++i) {
            const voirie_param& p = params[i];
            if (p.name == nullptr)
                continue;
            switch (p.type) {
            case VOIRIE_PARAM_BOOL: values_[p.name] = p.int_value != 0; break;
            case VOIRIE_PARAM_INT: values_[p.name] = p.int_value; break;
            case VOIRIE_PARAM_DOUBLE: values_[p.name] = p.double_value; break;
            case VOIRIE_PARAM_STRING:
                values_[p.name] = std::string(p.string_value ? p.string_value : "");
                break;
            default: break;
            }
        }
    }

    bool has(const std::string& name) const { return values_.count(name) != 0; }

    double getDouble(const std::string& name, double fallback) const
    {
        auto it = values_.find(name);
        if (it == values_.end())
            return fallback;
        if (auto* d = std::get_if<double>(&it->second))
            return *d;
        if (auto* i = std::get_if<int64_t>(&it->second))
            return static_cast<double>(*i);
        throw std::invalid_argument("parameter '" + name + "' is not a number");
    }
    int64_t getInt(const std::string& name, int64_t fallback) const
    {
        auto it = values_.find(name);
        if (it == values_.end())
            return fallback;
        if (auto* i = std::get_if<int64_t>(&it->second))
            return *i;
        throw std::invalid_argument("parameter '" + name + "' is not an integer");
    }
    bool getBool(const std::string& name, bool fallback) const
    {
        auto it = values_.find(name);
        if (it == values_.end())
            return fallback;
        if (auto* b = std::get_if<bool>(&it->second))
            return *b;
        throw std::invalid_argument("parameter '" + name + "' is not a boolean");
    }
    std::string getString(const std::string& name, const std::string& fallback) const
    {
        auto it = values_.find(name);
        if (it == values_.end())
            return fallback;
        if (auto* s = std::get_if<std::string>(&it->second))
            return *s;
        throw std::invalid_argument("parameter '" + name + "' is not a string");
    }

private:
    std::map<std::string, std::variant<bool, int64_t, double, std::string>> values_;
};

struct Point {
    double x = 0, y = 0;
};

enum class Shape { None = VOIRIE_SHAPE_NONE, Polyline = VOIRIE_SHAPE_POLYLINE, Polygon = VOIRIE_SHAPE_POLYGON };
enum class Severity {
    Unknown = VOIRIE_SEVERITY_UNKNOWN,
    Low = VOIRIE_SEVERITY_LOW,
    Medium = VOIRIE_SEVERITY_MEDIUM,
    High = VOIRIE_SEVERITY_HIGH
};

struct Detection {
    std::string class_code; // D00 D10 D20 D40 D43 D44 D50 repair
    double confidence = 0;
    double x = 0, y = 0, width = 0, height = 0; // box in pixels
    Shape shape = Shape::None;
    std::vector<Point> points;
    Severity severity = Severity::Unknown;
    std::vector<std::pair<std::string, double>> attributes;
};

// One frame as the host hands it: a read-only image view plus the frame's context.
struct Frame {
    const voirie_image_view& image;
    const voirie_frame_context& context;

    int width() const { return image.width; }
    int height() const { return image.height; }
    bool hasCamera() const { return context.camera != nullptr; }
    bool has(uint32_t flag) const { return (context.flags & flag) != 0; }
};

class Detector {
public:
    virtual ~Detector() = default;
    virtual std::vector<Detection> detect(const Frame& frame) = 0;
};

// Personal data to blur: kind "face", "plate", "person" or "vehicle".
struct Region {
    std::string kind;
    double confidence = 0;
    double x = 0, y = 0, width = 0, height = 0; // box in pixels
    std::vector<Point> points;                  // optional outline
};

class Anonymizer {
public:
    virtual ~Anonymizer() = default;
    virtual std::vector<Region> anonymize(const Frame& frame) = 0;
};

namespace detail {

inline std::string& createError()
{
    thread_local std::string error;
    return error;
}

struct InstanceBox {
    std::unique_ptr<Detector> detector;
    std::unique_ptr<Anonymizer> anonymizer;
    std::string last_error;
};

// Runs `body`, turning every exception into a status and an error message.
template <class Body>
voirie_status guarded(std::string& error, Body&& body) noexcept
{
    try {
        error.clear();
        return body();
    } catch (const std::bad_alloc&) {
        error = "out of memory";
        return VOIRIE_OUT_OF_MEMORY;
    } catch (const std::invalid_argument& e) {
        error = e.what();
        return VOIRIE_INVALID_ARGUMENT;
    } catch (const std::exception& e) {
        error = e.what();
        return VOIRIE_ERROR;
    } catch (...) {
        error = "unknown exception";
        return VOIRIE_ERROR;
    }
}

template <class PluginT>
voirie_status create(const voirie_param* params, uint32_t count, voirie_instance* out)
{
    return guarded(createError(), [&]() -> voirie_status {
        if (out == nullptr)
            throw std::invalid_argument("create called without an output pointer");
        auto box = std::make_unique<InstanceBox>();
        if constexpr (std::is_base_of_v<Anonymizer, PluginT>)
            box->anonymizer = std::make_unique<PluginT>(Parameters(params, count));
        else
            box->detector = std::make_unique<PluginT>(Parameters(params, count));
        *out = box.release();
        return VOIRIE_OK;
    });
}

inline void destroy(voirie_instance instance) noexcept
{
    delete static_cast<InstanceBox*>(instance);
}

inline voirie_status emitAll(const std::vector<Detection>& detections,
                             const voirie_detection_sink& sink)
{
    std::vector<voirie_point> points;
    std::vector<voirie_attribute> attributes;
    for (const Detection& d : detections) {
        points.clear();
        for (const Point& p : d.points)
            points.push_back({p.x, p.y});
        attributes.clear();
        for (const auto& [name, value] : d.attributes)
            attributes.push_back({name.c_str(), value});
        voirie_detection out{};
        out.struct_size = sizeof(voirie_detection);
        out.class_code = d.class_code.c_str();
        out.confidence = d.confidence;
        out.box_x = d.x;
        out.box_y = d.y;
        out.box_w = d.width;
        out.box_h = d.height;
        out.shape_kind = static_cast<voirie_shape_kind>(d.shape);
        out.point_count = static_cast<uint32_t>(points.size());
        out.points = points.empty() ? nullptr : points.data();
        out.severity_hint = static_cast<voirie_severity>(d.severity);
        out.attribute_count = static_cast<uint32_t>(attributes.size());
        out.attributes = attributes.empty() ? nullptr : attributes.data();
        voirie_status status = sink.emit(sink.host_data, &out);
        if (status != VOIRIE_OK)
            return status;
    }
    return VOIRIE_OK;
}

inline voirie_status detect(voirie_instance instance, const voirie_image_view* image,
                            const voirie_frame_context* context,
                            const voirie_detection_sink* sink)
{
    if (instance == nullptr)
        return VOIRIE_INVALID_ARGUMENT;
    auto* box = static_cast<InstanceBox*>(instance);
    return guarded(box->last_error, [&]() -> voirie_status {
        if (image == nullptr || context == nullptr || sink == nullptr || sink->emit == nullptr)
            throw std::invalid_argument("detect called with a null image, context or sink");
        const Frame frame{*image, *context};
        return emitAll(box->detector->detect(frame), *sink);
    });
}

inline voirie_status emitRegions(const std::vector<Region>& regions, const voirie_region_sink& sink)
{
    std::vector<voirie_point> points;
    for (const Region& r : regions) {
        points.clear();
        for (const Point& p : r.points)
            points.push_back({p.x, p.y});
        voirie_region out{};
        out.struct_size = sizeof(voirie_region);
        out.kind = r.kind.c_str();
        out.confidence = r.confidence;
        out.box_x = r.x;
        out.box_y = r.y;
        out.box_w = r.width;
        out.box_h = r.height;
        out.point_count = static_cast<uint32_t>(points.size());
        out.points = points.empty() ? nullptr : points.data();
        voirie_status status = sink.emit(sink.host_data, &out);
        if (status != VOIRIE_OK)
            return status;
    }
    return VOIRIE_OK;
}

inline voirie_status anonymize(voirie_instance instance, const voirie_image_view* image,
                               const voirie_frame_context* context, const voirie_region_sink* sink)
{
    if (instance == nullptr)
        return VOIRIE_INVALID_ARGUMENT;
    auto* box = static_cast<InstanceBox*>(instance);
    return guarded(box->last_error, [&]() -> voirie_status {
        if (image == nullptr || context == nullptr || sink == nullptr || sink->emit == nullptr)
            throw std::invalid_argument("anonymize called with a null image, context or sink");
        const Frame frame{*image, *context};
        return emitRegions(box->anonymizer->anonymize(frame), *sink);
    });
}

inline const char* lastError(voirie_instance instance)
{
    if (instance == nullptr)
        return createError().c_str();
    return static_cast<InstanceBox*>(instance)->last_error.c_str();
}

} // namespace detail
} // namespace voirie::sdk

// Declares the plugin's entry point. Use once per plugin, in one source file, at global scope.
// ID and VERSION must equal the manifest's; the trailing arguments are the class codes.
#define VOIRIE_DETECTOR_PLUGIN(DETECTOR_CLASS, ID, VERSION, THREAD_SAFETY, ...)                  \
    extern "C" VOIRIE_PLUGIN_EXPORT const voirie_plugin_descriptor* voirie_plugin_entry(          \
        uint32_t host_api_major, uint32_t /*host_api_minor*/)                                    \
    {                                                                                             \
        static const char* const classes[] = {__VA_ARGS__};                                       \
        static const voirie_plugin_descriptor descriptor = {                                      \
            sizeof(voirie_plugin_descriptor),                                                     \
            VOIRIE_API_MAJOR,                                                                     \
            0, /* detectors need nothing newer than API 1.0 */                                    \
            VOIRIE_KIND_DETECTOR,                                                                 \
            ID,                                                                                   \
            VERSION,                                                                              \
            static_cast<uint32_t>(sizeof(classes) / sizeof(classes[0])),                          \
            classes,                                                                              \
            THREAD_SAFETY,                                                                        \
            &voirie::sdk::detail::create<DETECTOR_CLASS>,                                         \
            &voirie::sdk::detail::destroy,                                                        \
            &voirie::sdk::detail::detect,                                                         \
            &voirie::sdk::detail::lastError,                                                      \
            nullptr,                                                                              \
        };                                                                                        \
        return host_api_major == VOIRIE_API_MAJOR ? &descriptor : nullptr;                        \
    }

// Declares an anonymizer plugin's entry point (API 1.1); the trailing arguments are the region
// kinds it finds ("face", "plate", "person", "vehicle").
#define VOIRIE_ANONYMIZER_PLUGIN(ANONYMIZER_CLASS, ID, VERSION, THREAD_SAFETY, ...)              \
    extern "C" VOIRIE_PLUGIN_EXPORT const voirie_plugin_descriptor* voirie_plugin_entry(          \
        uint32_t host_api_major, uint32_t host_api_minor)                                        \
    {                                                                                             \
        static const char* const kinds[] = {__VA_ARGS__};                                         \
        static const voirie_plugin_descriptor descriptor = {                                      \
            sizeof(voirie_plugin_descriptor),                                                     \
            VOIRIE_API_MAJOR,                                                                     \
            1,                                                                                    \
            VOIRIE_KIND_ANONYMIZER,                                                               \
            ID,                                                                                   \
            VERSION,                                                                              \
            static_cast<uint32_t>(sizeof(kinds) / sizeof(kinds[0])),                              \
            kinds,                                                                                \
            THREAD_SAFETY,                                                                        \
            &voirie::sdk::detail::create<ANONYMIZER_CLASS>,                                       \
            &voirie::sdk::detail::destroy,                                                        \
            nullptr,                                                                              \
            &voirie::sdk::detail::lastError,                                                      \
            &voirie::sdk::detail::anonymize,                                                      \
        };                                                                                        \
        return host_api_major == VOIRIE_API_MAJOR && host_api_minor >= 1 ? &descriptor : nullptr; \
    }
