#include "voirie/core/base/atomic_output.hpp"

#include <cstring>
#include <random>
#include <unistd.h>

namespace voirie {
namespace fs = std::filesystem;

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
    fs::path temporary = folder / ("." + target.stem().string() + ".partial-" + std::to_string(rd() % 1000000) +
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

Status AtomicOutput::commit()
{
    std::error_code ec;
    fs::rename(temporary_, target_, ec);
    if (ec)
        return fail("cannot move the finished file into place at " + target_.string() + ": " + ec.message());
    committed_ = true;
    return Ok{};
}

} // namespace voirie
