/* Its manifest says API 1.0 but the binary was built for API 2.0. */
#include <voirie/plugin_abi.h>
#include <stddef.h>
static const char* const classes[] = {"D40"};
static voirie_status create(const voirie_param* p, uint32_t n, voirie_instance* out) { (void)p; (void)n; *out = NULL; return VOIRIE_ERROR; }
static void destroy(voirie_instance i) { (void)i; }
static voirie_status detect(voirie_instance i, const voirie_image_view* im, const voirie_frame_context* c, const voirie_detection_sink* s)
{ (void)i; (void)im; (void)c; (void)s; return VOIRIE_ERROR; }
static const char* last_error(voirie_instance i) { (void)i; return ""; }
static const voirie_plugin_descriptor descriptor = {
    sizeof(voirie_plugin_descriptor), 2, 0, VOIRIE_KIND_DETECTOR,
    "binary-api2", "1.0.0", 1, classes, VOIRIE_THREAD_UNSAFE, create, destroy, detect, last_error};
VOIRIE_PLUGIN_EXPORT const voirie_plugin_descriptor* voirie_plugin_entry(uint32_t major, uint32_t minor)
{ (void)major; (void)minor; return &descriptor; }
