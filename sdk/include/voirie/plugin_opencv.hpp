// Optional helper for plugins that use OpenCV: wraps the host's image view as a cv::Mat header
// without copying. Include it only in plugins that link OpenCV themselves.
#pragma once

#include <voirie/plugin_abi.h>

#include <opencv2/core.hpp>
#include <stdexcept>

namespace voirie::sdk {

// A read-only cv::Mat over the frame's pixels; valid only during the detect call.
inline cv::Mat toMat(const voirie_image_view& view)
{
    int type = 0;
    switch (view.pixel_format) {
    case VOIRIE_PIXEL_BGR8:
    case VOIRIE_PIXEL_RGB8: type = CV_8UC3; break;
    case VOIRIE_PIXEL_GRAY8: type = CV_8UC1; break;
    case VOIRIE_PIXEL_BGRA8: type = CV_8UC4; break;
    default: throw std::invalid_argument("unsupported pixel format");
    }
    if (view.data == nullptr || view.width <= 0 || view.height <= 0)
        throw std::invalid_argument("empty image");
    return cv::Mat(view.height, view.width, type, const_cast<uint8_t*>(view.data),
                   static_cast<size_t>(view.stride_bytes));
}

} // namespace voirie::sdk
