/* Compiled as strict C11: the ABI header must be plain C, and every struct that crosses the
 * boundary must start with its size (so it can grow at the end). */
#include <voirie/plugin_abi.h>

#include <stddef.h>

_Static_assert(offsetof(voirie_image_view, struct_size) == 0, "image view starts with its size");
_Static_assert(offsetof(voirie_camera, struct_size) == 0, "camera starts with its size");
_Static_assert(offsetof(voirie_frame_context, struct_size) == 0, "context starts with its size");
_Static_assert(offsetof(voirie_param, struct_size) == 0, "param starts with its size");
_Static_assert(offsetof(voirie_detection, struct_size) == 0, "detection starts with its size");
_Static_assert(offsetof(voirie_detection_sink, struct_size) == 0, "sink starts with its size");
_Static_assert(offsetof(voirie_plugin_descriptor, struct_size) == 0, "descriptor starts with its size");

int voirie_abi_c11_api_major(void) { return VOIRIE_API_MAJOR; }
