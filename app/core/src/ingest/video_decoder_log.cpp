#include "voirie/core/ingest/video_decoder_log.hpp"

#include <dlfcn.h>

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace voirie {
namespace {

constexpr int kAvLogError = 16;   // AV_LOG_ERROR
constexpr int kAvLogWarning = 24; // AV_LOG_WARNING
constexpr size_t kKept = 8;

std::atomic<bool> g_verbose{false};
std::mutex g_mutex;
VideoDecoderMessages g_messages;

extern "C" void onFfmpegLog(void*, int level, const char* format, va_list args)
{
    if (level > kAvLogWarning)
        return;
    char line[512];
    std::vsnprintf(line, sizeof(line), format, args);
    std::string text(line);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    if (g_verbose)
        std::fprintf(stderr, "FFmpeg: %s\n", text.c_str());
    if (level > kAvLogError || text.empty())
        return;
    std::lock_guard lock(g_mutex);
    ++g_messages.errors;
    if (g_messages.first.size() < kKept)
        g_messages.first.push_back(std::move(text));
}

using SetCallback = void (*)(void (*)(void*, int, const char*, va_list));

} // namespace

void captureVideoDecoderMessages()
{
    static std::once_flag once;
    std::call_once(once, [] {
        // The libavutil OpenCV's FFmpeg backend uses: the same instance, so its callback is ours.
        for (const char* soname : {"libavutil.so.57", "libavutil.so.58", "libavutil.so.56", "libavutil.so.59"}) {
            void* lib = dlopen(soname, RTLD_NOW | RTLD_NOLOAD);
            if (lib == nullptr)
                continue;
            if (auto set = reinterpret_cast<SetCallback>(dlsym(lib, "av_log_set_callback")))
                set(onFfmpegLog);
            dlclose(lib); // NOLOAD took a reference; the library stays loaded by OpenCV
            return;
        }
    });
}

void setVideoDecoderMessagesVerbose(bool verbose)
{
    g_verbose = verbose;
    captureVideoDecoderMessages();
}

int64_t videoDecoderErrorsSoFar()
{
    std::lock_guard lock(g_mutex);
    return g_messages.errors;
}

VideoDecoderMessages takeVideoDecoderMessages()
{
    std::lock_guard lock(g_mutex);
    VideoDecoderMessages out = std::move(g_messages);
    g_messages = {};
    return out;
}

} // namespace voirie
