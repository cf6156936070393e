#include "voirie/core/geo/gdal_error_trap.hpp"

#include "voirie/core/base/atomic_output.hpp"

#include <cpl_error.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>

namespace voirie {
namespace {

std::atomic<bool> g_verbose{false};
std::atomic<bool> g_disk_full_seen{false}; // since the last gdalWriteFailure()

void note(const char* message)
{
    if (message != nullptr && saysDiskFull(message))
        g_disk_full_seen = true;
}

void CPL_STDCALL defaultHandler(CPLErr type, CPLErrorNum, const char* message)
{
    note(message);
    if (g_verbose || type == CE_Fatal)
        std::fprintf(stderr, "GDAL: %s\n", message);
}

} // namespace

void setGdalMessagesVerbose(bool verbose)
{
    g_verbose = verbose;
    CPLSetErrorHandler(defaultHandler);
}

bool saysDiskFull(const std::string& message)
{
    std::string lower(message);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return lower.find("disk is full") != std::string::npos || lower.find("no space left") != std::string::npos ||
           lower.find("disk full") != std::string::npos;
}

std::string gdalWriteFailure(const std::string& what, const std::filesystem::path& file)
{
    const bool said_full = g_disk_full_seen.exchange(false) || saysDiskFull(CPLGetLastErrorMsg());
    struct statvfs room{};
    const auto folder = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
    const bool no_room = ::statvfs(folder.c_str(), &room) == 0 &&
                         (unsigned long long)(room.f_bavail) * room.f_frsize < 64 * 1024;
    if (said_full || no_room)
        return writeFailure(file, ENOSPC, what);
    const std::string reason = CPLGetLastErrorMsg();
    if (reason.find("disk I/O error") != std::string::npos)
        return "cannot " + what + " " + file.string() +
               ": the disk refused the write (disk full, a file-size limit or a failing disk; SQLite says \"" + reason + "\")";
    return "cannot " + what + " " + file.string() + ": " + (reason.empty() ? "GDAL gave no reason" : reason);
}

std::string gdalWriteReason()
{
    const std::string reason = CPLGetLastErrorMsg();
    if (g_disk_full_seen.exchange(false) || saysDiskFull(reason))
        return "the disk is full";
    return reason.empty() ? "GDAL gave no reason" : reason;
}

GdalErrorTrap::GdalErrorTrap()
{
    CPLPushErrorHandlerEx(
        [](CPLErr type, CPLErrorNum code, const char* message) {
            auto* self = static_cast<GdalErrorTrap*>(CPLGetErrorHandlerUserData());
            if (self != nullptr)
                self->handle(int(type), int(code), message);
        },
        this);
}

GdalErrorTrap::~GdalErrorTrap() { CPLPopErrorHandler(); }

void GdalErrorTrap::handle(int type, int, const char* message)
{
    note(message);
    if (g_verbose)
        std::fprintf(stderr, "GDAL: %s\n", message);
    if (type >= int(CE_Failure) && message != nullptr && errors_.size() < 100)
        errors_.emplace_back(message);
}

bool GdalErrorTrap::sawDiskFull() const
{
    return std::any_of(errors_.begin(), errors_.end(), [](const std::string& e) { return saysDiskFull(e); });
}

std::string GdalErrorTrap::reason() const
{
    for (const auto& e : errors_)
        if (saysDiskFull(e))
            return "the disk is full (" + e + ")";
    return errors_.empty() ? std::string() : errors_.front();
}

} // namespace voirie
