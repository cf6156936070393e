/* A plugin written in plain C11 against plugin_abi.h alone: one transverse crack per frame. */
#include <voirie/plugin_abi.h>

#include <stdlib.h>

static const char* const classes[] = {"D10"};
static int instance_token;

static voirie_status create(const voirie_param* params, uint32_t count, voirie_instance* out)
{
    (void)params;
    (void)count;
    *out = &instance_token;
    return VOIRIE_OK;
}

static void destroy(voirie_instance instance) { (void)instance; }

static voirie_status detect(voirie_instance instance, const voirie_image_view* image,
                            const voirie_frame_context* context, const voirie_detection_sink* sink)
{
    (void)instance;
    (void)context;
    voirie_point line[2] = {{image->width * 0.25, image->height * 0.8}, {image->width * 0.75, image->height * 0.8}};
    voirie_attribute width = {"width_px", 3.0};
    voirie_detection d = {0};
    d.struct_size = sizeof d;
    d.class_code = "D10";
    d.confidence = 0.5;
    d.box_x = line[0].x;
    d.box_y = line[0].y - 2;
    d.box_w = line[1].x - line[0].x;
    d.box_h = 4;
    d.shape_kind = VOIRIE_SHAPE_POLYLINE;
    d.point_count = 2;
    d.points = line;
    d.attribute_count = 1;
    d.attributes = &width;
    return sink->emit(sink->host_data, &d);
}

static const char* last_error(voirie_instance instance)
{
    (void)instance;
    return "";
}

/* As a plugin built against the API 1.0 header declares itself: its descriptor ends at
 * last_error (the host must not read `anonymize`, added in 1.1). */
static const voirie_plugin_descriptor descriptor = {
    offsetof(voirie_plugin_descriptor, anonymize), VOIRIE_API_MAJOR, 0, VOIRIE_KIND_DETECTOR,
    "c-plain", "1.0.0", 1, classes, VOIRIE_THREAD_FULLY_SAFE,
    create, destroy, detect, last_error, NULL,
};

VOIRIE_PLUGIN_EXPORT const voirie_plugin_descriptor* voirie_plugin_entry(uint32_t major, uint32_t minor)
{
    (void)minor;
    return major == VOIRIE_API_MAJOR ? &descriptor : NULL;
}
