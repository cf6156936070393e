/* Returns an error status from detect, with a reason in last_error. */
#include <voirie/plugin_abi.h>
#include <stddef.h>

static const char* const classes[] = {"D40"};
static int token;
static voirie_status create(const voirie_param* p, uint32_t n, voirie_instance* out) { (void)p; (void)n; *out = &token; return VOIRIE_OK; }
static void destroy(voirie_instance i) { (void)i; }
static voirie_status detect(voirie_instance i, const voirie_image_view* im, const voirie_frame_context* c, const voirie_detection_sink* s)
{
    (void)i; (void)im; (void)c; (void)s;
    return VOIRIE_ERROR;
}
static const char* last_error(voirie_instance i) { return i ? "sensor calibration missing" : ""; }
static const voirie_plugin_descriptor descriptor = {
    sizeof(voirie_plugin_descriptor), VOIRIE_API_MAJOR, 0, VOIRIE_KIND_DETECTOR,
    "error-status", "1.0.0", 1, classes, VOIRIE_THREAD_UNSAFE, create, destroy, detect, last_error, NULL};
VOIRIE_PLUGIN_EXPORT const voirie_plugin_descriptor* voirie_plugin_entry(uint32_t major, uint32_t minor)
{ (void)major; (void)minor; return &descriptor; }
