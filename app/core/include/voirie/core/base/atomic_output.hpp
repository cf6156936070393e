// Writing a file so that nothing half-written is ever left at its final path: write to a
// temporary sibling, flush it to the disk and rename it over the target on commit(), remove the
// temporary otherwise. A failed write (a full disk) leaves the previous file as it was. Every
// file Voirie writes goes through here (exports of several files stage a folder the same way,
// export/staged_output.hpp, with syncToDisk()).
#pragma once

#include "voirie/core/base/result.hpp"

#include <filesystem>
#include <string_view>

namespace voirie {

class AtomicOutput {
public:
    // Refuses an existing target unless `overwrite`; checks the folder can be written.
    static Result<AtomicOutput> prepare(const std::filesystem::path& target, bool overwrite);
    AtomicOutput(AtomicOutput&& other) noexcept;
    AtomicOutput& operator=(AtomicOutput&&) = delete;
    ~AtomicOutput();

    const std::filesystem::path& temporaryPath() const { return temporary_; }
    const std::filesystem::path& target() const { return target_; }
    // Writes `bytes` as the temporary's whole content, every write checked.
    Status write(std::string_view bytes);
    // Removes the temporaries a killed writer of `target` left behind (a kill -9 runs no
    // destructor), with their SQLite journals.
    static void removeLeftovers(const std::filesystem::path& target);
    // Flushes the temporary to the disk (where a full disk shows at the latest), renames it over
    // the target (atomic within one file system) and flushes the folder entry.
    Status commit();

private:
    AtomicOutput(std::filesystem::path target, std::filesystem::path temporary)
        : target_(std::move(target)), temporary_(std::move(temporary)) {}
    std::filesystem::path target_, temporary_;
    bool committed_ = false;
};

// "cannot WHAT PATH: ..." for a write that failed with `error` (errno): one sentence, a full
// disk named as such.
std::string writeFailure(const std::filesystem::path& path, int error, const std::string& what = "write");

// Writes `bytes` as the whole content of `path` (created or truncated), every write checked; for
// files inside an output that is staged and committed as a whole.
Status writeWholeFile(const std::filesystem::path& path, std::string_view bytes);

// fsync of a file, or of every file in a folder and the folder itself.
Status syncToDisk(const std::filesystem::path& path);

} // namespace voirie
