// Writing a file so that nothing half-written is ever left at its final path: write to a
// temporary sibling, rename over the target on commit(), remove the temporary otherwise.
#pragma once

#include "voirie/core/base/result.hpp"

#include <filesystem>

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
    // Renames the temporary over the target (atomic within one file system).
    Status commit();

private:
    AtomicOutput(std::filesystem::path target, std::filesystem::path temporary)
        : target_(std::move(target)), temporary_(std::move(temporary)) {}
    std::filesystem::path target_, temporary_;
    bool committed_ = false;
};

} // namespace voirie
