#include "voirie/core/plugin_host/anonymizer_instance.hpp"

#include "plugin_call.hpp"

#include "voirie/core/vocabulary/damage_classes.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace voirie {
namespace {

constexpr size_t kMaxReasonsKept = 5;

struct RegionCollector {
    const PluginManifest* manifest;
    double width, height;
    AnonymizeOutput* out;

    void drop(const std::string& reason)
    {
        ++out->dropped;
        if (out->drop_reasons.size() < kMaxReasonsKept)
            out->drop_reasons.push_back("plugin '" + manifest->id + "' emitted an invalid region: " + reason);
    }

    voirie_status accept(const voirie_region* r)
    {
        if (r == nullptr)
            return drop("a null region"), VOIRIE_OK;
        if (r->struct_size < offsetof(voirie_region, points) + sizeof(r->points))
            return drop("struct_size " + std::to_string(r->struct_size) + " is too small"), VOIRIE_OK;
        const std::string kind = r->kind ? r->kind : "";
        if (!isRegionKind(kind))
            return drop("unknown kind \"" + kind + "\""), VOIRIE_OK;
        if (std::find(manifest->classes.begin(), manifest->classes.end(), kind) == manifest->classes.end())
            return drop("kind " + kind + " is not among the kinds its manifest declares"), VOIRIE_OK;
        if (!std::isfinite(r->confidence) || r->confidence < 0 || r->confidence > 1)
            return drop("confidence " + std::to_string(r->confidence) + " is outside [0, 1]"), VOIRIE_OK;
        const double box[] = {r->box_x, r->box_y, r->box_w, r->box_h};
        if (!std::all_of(std::begin(box), std::end(box), [](double v) { return std::isfinite(v); }) || r->box_w <= 0 ||
            r->box_h <= 0)
            return drop("its box is not finite or has no area"), VOIRIE_OK;
        const double x0 = std::max(0.0, r->box_x), y0 = std::max(0.0, r->box_y);
        const double x1 = std::min(width, r->box_x + r->box_w), y1 = std::min(height, r->box_y + r->box_h);
        if (x1 <= x0 || y1 <= y0)
            return drop("its box lies outside the frame"), VOIRIE_OK;
        if (r->point_count > 100000 || (r->point_count > 0 && r->points == nullptr))
            return drop("its point list is invalid"), VOIRIE_OK;
        BlurRegion region{kind, r->confidence, {x0, y0, x1 - x0, y1 - y0}, {}, manifest->id};
        for (uint32_t i = 0; i < r->point_count; ++i) {
            if (!std::isfinite(r->points[i].x) || !std::isfinite(r->points[i].y))
                return drop("point " + std::to_string(i) + " of its outline is not finite"), VOIRIE_OK;
            region.points.push_back({r->points[i].x, r->points[i].y});
        }
        out->regions.push_back(std::move(region));
        return VOIRIE_OK;
    }

    static voirie_status emit(void* self, const voirie_region* r)
    {
        try {
            return static_cast<RegionCollector*>(self)->accept(r);
        } catch (...) {
            return VOIRIE_OUT_OF_MEMORY;
        }
    }
};

} // namespace

Result<std::unique_ptr<AnonymizerInstance>>
AnonymizerInstance::create(std::shared_ptr<const PluginLibrary> library,
                           const std::map<std::string, ParameterValue>& parameters)
{
    if (library->manifest().kind != "anonymizer")
        return fail("plugin '" + library->manifest().id + "' is a " + library->manifest().kind + ", not an anonymizer");
    auto handle = createPluginInstance(*library, parameters);
    if (!handle)
        return fail(handle.error());
    return std::unique_ptr<AnonymizerInstance>(new AnonymizerInstance(std::move(library), *handle));
}

AnonymizerInstance::~AnonymizerInstance()
{
    CallLock lock(*library_, instance_mutex_);
    library_->descriptor().destroy(handle_);
}

Result<AnonymizeOutput> AnonymizerInstance::anonymize(const cv::Mat& image, const FrameContext& context)
{
    const auto& m = library_->manifest();
    auto frame = AbiFrame::make(m, image, context);
    if (!frame)
        return fail(frame.error());
    const voirie_frame_context ctx = frame->context();
    AnonymizeOutput output;
    RegionCollector collector{&m, double(frame->bgr.cols), double(frame->bgr.rows), &output};
    voirie_region_sink sink{sizeof(sink), &collector, &RegionCollector::emit};
    const auto& d = library_->descriptor();
    voirie_status status = VOIRIE_ERROR;
    {
        CallLock lock(*library_, instance_mutex_);
        CrashActivity activity("plugin '" + m.id + "' (" + m.libraryPath().string() + ") while anonymizing frame " +
                               std::to_string(context.frame_index));
        try {
            status = d.anonymize(handle_, &frame->view, &ctx, &sink);
        } catch (...) {
            return fail("plugin '" + m.id + "' threw an exception through the C boundary while anonymizing");
        }
        if (status != VOIRIE_OK)
            return fail("plugin '" + m.id + "' failed while anonymizing (" + statusName(status) +
                        "): " + lastErrorOf(d, handle_));
    }
    return output;
}

} // namespace voirie
