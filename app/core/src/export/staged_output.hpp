#pragma once

#include "voirie/core/base/atomic_output.hpp"
#include "voirie/core/base/result.hpp"

#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace voirie {

// A temporary sibling of the output (file or folder), flushed to the disk and renamed over it on
// success, removed otherwise, so that nothing half-written is ever left at the output path. The
// folder form of AtomicOutput (base/atomic_output.hpp), for exports of many files.
class StagedOutput {
public:
    StagedOutput(std::filesystem::path target, bool folder) : target_(std::move(target)), folder_(folder)
    {
        std::random_device rd;
        staging_ = target_.parent_path() /
                   ("." + target_.filename().string() + ".partial-" + std::to_string(rd() % 1000000));
        if (!folder_)
            staging_ += target_.extension(); // drivers recognise the extension
    }
    ~StagedOutput()
    {
        if (!committed_) {
            std::error_code ec;
            std::filesystem::remove_all(staging_, ec);
            std::filesystem::remove_all(sidecar(staging_), ec);
        }
    }
    const std::filesystem::path& path() const { return staging_; }
    // The folder of evidence chips for a single-file output: `<stem>_chips` beside it.
    static std::filesystem::path sidecar(const std::filesystem::path& file) { return file.parent_path() / (file.stem().string() + "_chips"); }

    Status commit(bool with_sidecar)
    {
        std::error_code ec;
        std::vector<std::pair<std::filesystem::path, std::filesystem::path>> moves{{staging_, target_}};
        if (with_sidecar)
            moves.emplace_back(sidecar(staging_), sidecar(target_));
        for (const auto& [from, to] : moves)
            if (std::filesystem::exists(from, ec))
                if (auto s = syncToDisk(from); !s)
                    return s;
        for (const auto& [from, to] : moves) {
            // Keep the previous output aside until the new one is in place.
            const std::filesystem::path backup = to.string() + ".previous";
            std::filesystem::remove_all(backup, ec);
            const bool had = std::filesystem::exists(to, ec);
            if (had) {
                std::filesystem::rename(to, backup, ec);
                if (ec)
                    return fail("cannot replace " + to.string() + ": " + ec.message());
            }
            std::filesystem::rename(from, to, ec);
            if (ec) {
                if (had)
                    std::filesystem::rename(backup, to, ec);
                return fail("cannot move the export into place at " + to.string() + ": " + ec.message());
            }
            std::filesystem::remove_all(backup, ec);
        }
        committed_ = true;
        return Ok{};
    }

private:
    std::filesystem::path target_, staging_;
    bool folder_;
    bool committed_ = false;
};

} // namespace voirie
