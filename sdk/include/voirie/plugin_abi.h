/*
 * Voirie plugin ABI — plain C (C11), the only thing that crosses between the host and a plugin.
 *
 * Rules (see DESIGN.md "Plugin boundary"):
 *  - One exported entry function, VOIRIE_ENTRY_SYMBOL, returns a descriptor.
 *  - Every struct that crosses starts with its own size (`struct_size`) and only ever grows at
 *    the end: a reader checks `struct_size` before touching a field added in a later minor version.
 *  - Status codes, never exceptions; after a failure `last_error` says why, in one sentence.
 *  - No STL, no OpenCV, no C++ types: images cross as a raw view, geo context as plain numbers.
 *  - Pointers handed to a plugin are valid only for the duration of the call; pointers a plugin
 *    hands back (detections, strings) are copied by the host before the call returns.
 */
#ifndef VOIRIE_PLUGIN_ABI_H
#define VOIRIE_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A host accepts a plugin with the same major and a minor not newer than its own. A plugin
 * declares the lowest minor it needs: 1.0 for detectors, 1.1 for anonymizers (added in 1.1). */
#define VOIRIE_API_MAJOR 1
#define VOIRIE_API_MINOR 1

#define VOIRIE_ENTRY_SYMBOL "voirie_plugin_entry"

#if defined(_WIN32)
#define VOIRIE_PLUGIN_EXPORT __declspec(dllexport)
#else
#define VOIRIE_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* ---- status codes -------------------------------------------------------------------------- */
typedef int32_t voirie_status;
#define VOIRIE_OK 0
#define VOIRIE_ERROR 1                /* generic failure; last_error says what */
#define VOIRIE_INVALID_ARGUMENT 2     /* a parameter or input the plugin cannot work with */
#define VOIRIE_UNSUPPORTED 3          /* e.g. a pixel format the plugin does not handle */
#define VOIRIE_OUT_OF_MEMORY 4

/* ---- images -------------------------------------------------------------------------------- */
typedef int32_t voirie_pixel_format;
#define VOIRIE_PIXEL_BGR8 1  /* 3 bytes per pixel, B,G,R (the host's default) */
#define VOIRIE_PIXEL_RGB8 2
#define VOIRIE_PIXEL_GRAY8 3
#define VOIRIE_PIXEL_BGRA8 4

typedef struct voirie_image_view {
    uint32_t struct_size;
    voirie_pixel_format pixel_format;
    int32_t width;
    int32_t height;
    int64_t stride_bytes; /* bytes from one row to the next, >= width * bytes per pixel */
    const uint8_t* data;  /* top-left pixel; read-only */
} voirie_image_view;

/* ---- frame context -------------------------------------------------------------------------- */
/* The camera's intrinsics and mounting. Pixel coordinates: origin top-left, x right, y down. */
typedef struct voirie_camera {
    uint32_t struct_size;
    double fx, fy; /* focal lengths in pixels, for this frame's size */
    double cx, cy; /* principal point in pixels */
    double height_m;  /* lens height above the road plane */
    double pitch_deg; /* downward tilt, positive looks at the road */
    double roll_deg;  /* clockwise roll seen from behind the camera */
} voirie_camera;

/* Bits of voirie_frame_context.flags saying which fields are known. */
#define VOIRIE_CONTEXT_HAS_TIME 0x1u
#define VOIRIE_CONTEXT_HAS_POSITION 0x2u /* lon, lat */
#define VOIRIE_CONTEXT_HAS_HEADING 0x4u  /* heading_deg, speed_mps */
#define VOIRIE_CONTEXT_HAS_CHAINAGE 0x8u

typedef struct voirie_frame_context {
    uint32_t struct_size;
    uint32_t flags;
    int64_t frame_index;  /* index of the frame in its survey, or -1 for a still image */
    double time_unix_s;   /* UTC seconds since 1970 */
    double lon, lat;      /* WGS 84 degrees */
    double heading_deg;   /* direction of travel, degrees clockwise from north */
    double speed_mps;
    double chainage_m;    /* distance travelled along the track */
    const voirie_camera* camera; /* NULL when the camera is unknown */
} voirie_frame_context;

/* ---- parameters ---------------------------------------------------------------------------- */
/* The host hands every parameter the manifest declares, with defaults filled in and values
 * already type- and range-checked against the manifest. */
typedef int32_t voirie_param_type;
#define VOIRIE_PARAM_BOOL 1
#define VOIRIE_PARAM_INT 2
#define VOIRIE_PARAM_DOUBLE 3
#define VOIRIE_PARAM_STRING 4

typedef struct voirie_param {
    uint32_t struct_size;
    const char* name;
    voirie_param_type type;
    int64_t int_value;        /* BOOL (0/1) and INT */
    double double_value;      /* DOUBLE */
    const char* string_value; /* STRING */
} voirie_param;

/* ---- detections ---------------------------------------------------------------------------- */
typedef struct voirie_point {
    double x, y; /* pixels */
} voirie_point;

typedef int32_t voirie_shape_kind;
#define VOIRIE_SHAPE_NONE 0     /* box only */
#define VOIRIE_SHAPE_POLYLINE 1 /* e.g. a crack's centre line */
#define VOIRIE_SHAPE_POLYGON 2  /* e.g. a pothole or alligator area outline */

typedef int32_t voirie_severity;
#define VOIRIE_SEVERITY_UNKNOWN 0
#define VOIRIE_SEVERITY_LOW 1
#define VOIRIE_SEVERITY_MEDIUM 2
#define VOIRIE_SEVERITY_HIGH 3

typedef struct voirie_attribute {
    const char* name; /* e.g. "width_px" */
    double value;
} voirie_attribute;

typedef struct voirie_detection {
    uint32_t struct_size;
    const char* class_code; /* RDD vocabulary: D00 D10 D20 D40 D43 D44 D50 repair */
    double confidence;      /* [0, 1] */
    double box_x, box_y, box_w, box_h; /* pixels, top-left origin, inside the frame */
    voirie_shape_kind shape_kind;
    uint32_t point_count;
    const voirie_point* points; /* point_count points, or NULL */
    voirie_severity severity_hint;
    uint32_t attribute_count;
    const voirie_attribute* attributes;
} voirie_detection;

/* The host's receiver: the plugin calls emit once per detection; the host copies it at once. */
typedef struct voirie_detection_sink {
    uint32_t struct_size;
    void* host_data;
    voirie_status (*emit)(void* host_data, const voirie_detection* detection);
} voirie_detection_sink;

/* ---- regions to blur (anonymizers, API 1.1) ------------------------------------------------ */
/* A region of personal data: kind "face", "plate", "person" or "vehicle". The host blurs the box
 * (or the polygon, when given) with a margin around it, irreversibly, before any image leaves. */
typedef struct voirie_region {
    uint32_t struct_size;
    const char* kind;
    double confidence;                 /* [0, 1] */
    double box_x, box_y, box_w, box_h; /* pixels, top-left origin */
    uint32_t point_count;              /* optional outline, 0 for the box alone */
    const voirie_point* points;
} voirie_region;

typedef struct voirie_region_sink {
    uint32_t struct_size;
    void* host_data;
    voirie_status (*emit)(void* host_data, const voirie_region* region);
} voirie_region_sink;

/* ---- the descriptor ------------------------------------------------------------------------ */
typedef int32_t voirie_plugin_kind;
#define VOIRIE_KIND_DETECTOR 1   /* finds road damage: detect() */
#define VOIRIE_KIND_ANONYMIZER 2 /* finds faces, plates...: anonymize() (API 1.1) */

/* How the host may call into the plugin from several threads. */
typedef int32_t voirie_thread_safety;
#define VOIRIE_THREAD_UNSAFE 0        /* one call at a time into the whole plugin */
#define VOIRIE_THREAD_INSTANCE_SAFE 1 /* instances are independent; one thread per instance */
#define VOIRIE_THREAD_FULLY_SAFE 2    /* one instance may be called from many threads at once */

typedef void* voirie_instance;

typedef struct voirie_plugin_descriptor {
    uint32_t struct_size;
    uint32_t api_major; /* VOIRIE_API_MAJOR the plugin was built against */
    uint32_t api_minor;
    voirie_plugin_kind kind;
    const char* id;      /* must equal the manifest's id */
    const char* version; /* must equal the manifest's version */
    uint32_t class_count;
    const char* const* classes; /* the class codes the plugin may emit */
    voirie_thread_safety thread_safety;

    /* Creates an instance from the given parameters; on failure returns non-OK and sets the
     * error readable through last_error(NULL) on the same thread. */
    voirie_status (*create)(const voirie_param* params, uint32_t param_count,
                            voirie_instance* out_instance);
    void (*destroy)(voirie_instance instance);
    /* Detectors: detects damage in one frame; calls sink->emit for each detection. NULL for
     * anonymizers. */
    voirie_status (*detect)(voirie_instance instance, const voirie_image_view* image,
                            const voirie_frame_context* context,
                            const voirie_detection_sink* sink);
    /* The last failure of this instance (or of create on this thread when instance is NULL).
     * Never NULL; the empty string when there is none. */
    const char* (*last_error)(voirie_instance instance);
    /* API 1.1. Anonymizers: finds personal data in one frame; calls sink->emit for each region.
     * NULL for detectors. */
    voirie_status (*anonymize)(voirie_instance instance, const voirie_image_view* image,
                               const voirie_frame_context* context,
                               const voirie_region_sink* sink);
} voirie_plugin_descriptor;

/* The exported entry: the host passes its own API version, the plugin returns its descriptor
 * (static storage, valid for the life of the process) or NULL when it cannot serve this host. */
typedef const voirie_plugin_descriptor* (*voirie_plugin_entry_fn)(uint32_t host_api_major,
                                                                  uint32_t host_api_minor);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VOIRIE_PLUGIN_ABI_H */
