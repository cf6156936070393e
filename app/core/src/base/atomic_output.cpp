#include "voirie/core/base/atomic_output.hpp"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <vector>

namespace voirie {
namespace fs = std::filesystem;
namespace {

// fsync of one file or folder entry.
int syncOne(const fs::path& path, bool folder)
{
    const int fd = ::open(path.c_str(), (folder ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return errno;
    const int result = ::fsync(fd) == 0 ? 0 : errno;
    ::close(fd);
    // Some file systems cannot sync a folder; that is not a failed write.
    return folder && (result == EINVAL || result == EBADF) ? 0 : result;
}

// The start of a temporary's name beside `target`: ".NAME.partial-" (what prepare() makes and
// removeLeftovers() looks for).
std::string temporaryPrefix(const fs::path& target) { return "." + target.stem().string() + ".partial-"; }

// Writes `bytes` as the whole of `file`, every write checked; failures name `named` (the target
// a temporary stands for).
Status writeBytes(const fs::path& file, const fs::path& named, std::string_view bytes)
{
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail(writeFailure(named, errno));
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const int error = n < 0 ? errno : ENOSPC;
            ::close(fd);
            return fail(writeFailure(named, error));
        }
        bytes.remove_prefix(size_t(n));
    }
    if (::close(fd) != 0)
        return fail(writeFailure(named, errno));
    return Ok{};
}

} // namespace

std::string writeFailure(const fs::path& path, int error, const std::string& what)
{
    const std::string cannot = "cannot " + what + " " + path.string();
    const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    if (error == ENOSPC || error == EDQUOT) {
        std::string free_space;
        struct statvfs s{};
        // Worth saying only when it shows the disk is full (a quota can be hit with space left).
        if (::statvfs(folder.c_str(), &s) == 0 && (unsigned long long)(s.f_bavail) * s.f_frsize < 1024 * 1024)
            free_space = " (" + std::to_string((unsigned long long)(s.f_bavail) * s.f_frsize / 1024) + " KB free)";
        return cannot + ": the disk is full" + (error == EDQUOT ? " for this user (quota)" : "") +
               free_space + "; free some space and run it again";
    }
    if (error == EROFS)
        return cannot + ": the disk is read-only";
    if (error == EACCES || error == EPERM)
        return cannot + ": permission denied";
    return cannot + ": " + std::strerror(error);
}

Status syncToDisk(const fs::path& path)
{
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        for (const auto& entry : fs::recursive_directory_iterator(path, ec))
            if (entry.is_regular_file(ec))
                if (const int e = syncOne(entry.path(), false); e != 0)
                    return fail(writeFailure(entry.path(), e));
        if (const int e = syncOne(path, true); e != 0)
            return fail(writeFailure(path, e));
        return Ok{};
    }
    if (const int e = syncOne(path, false); e != 0)
        return fail(writeFailure(path, e));
    return Ok{};
}

Result<AtomicOutput> AtomicOutput::prepare(const fs::path& target, bool overwrite)
{
    std::error_code ec;
    if (fs::exists(target, ec) && !overwrite)
        return fail(target.string() + " already exists; pass --overwrite to replace it");
    if (fs::is_directory(target, ec))
        return fail(target.string() + " is a folder, not a file");
    fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    if (!fs::is_directory(folder, ec))
        return fail("cannot write " + target.string() + ": folder " + folder.string() + " does not exist");
    if (::access(folder.c_str(), W_OK) != 0)
        return fail("cannot write " + target.string() + ": folder " + folder.string() + " is not writable (" +
                    std::strerror(errno) + ")");
    std::random_device rd;
    // The temporary keeps the target's extension so that format drivers recognise it.
    fs::path temporary = folder / (temporaryPrefix(target) + std::to_string(rd() % 1000000) +
                                   target.extension().string());
    return AtomicOutput(target, temporary);
}

AtomicOutput::AtomicOutput(AtomicOutput&& other) noexcept
    : target_(std::move(other.target_)), temporary_(std::move(other.temporary_)), committed_(other.committed_)
{
    other.committed_ = true; // the moved-from object owns nothing
}

AtomicOutput::~AtomicOutput()
{
    if (committed_)
        return;
    std::error_code ec;
    fs::remove(temporary_, ec);
    // Sidecars some drivers write next to the file (journals, shapefile parts).
    for (const char* suffix : {"-journal", "-wal", "-shm"})
        fs::remove(temporary_.string() + suffix, ec);
}

void AtomicOutput::removeLeftovers(const fs::path& target)
{
    const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    const std::string prefix = temporaryPrefix(target);
    std::error_code ec;
    std::vector<fs::path> stale;
    for (const auto& entry : fs::directory_iterator(folder, ec))
        if (entry.path().filename().string().rfind(prefix, 0) == 0)
            stale.push_back(entry.path());
    for (const auto& p : stale)
        fs::remove(p, ec);
}

Status AtomicOutput::write(std::string_view bytes) { return writeBytes(temporary_, target_, bytes); }

Status writeWholeFile(const fs::path& path, std::string_view bytes) { return writeBytes(path, path, bytes); }

Status AtomicOutput::commit()
{
    std::error_code ec;
    if (!fs::exists(temporary_, ec))
        return fail("cannot write " + target_.string() + ": nothing was written");
    if (const int e = syncOne(temporary_, false); e != 0)
        return fail(writeFailure(target_, e));
    fs::rename(temporary_, target_, ec);
    if (ec)
        return fail("cannot move the finished file into place at " + target_.string() + ": " + ec.message());
    committed_ = true;
    const fs::path folder = target_.parent_path().empty() ? fs::path(".") : target_.parent_path();
    syncOne(folder, true); // the rename is durable; the file itself already is
    return Ok{};
}

} // namespace voirie
