// Reading an MP4/QuickTime file's box structure without trusting it: every size is checked
// against its parent and the file, every read is bounded, a damaged box ends the walk with a note
// instead of a crash. The embedded-telemetry readers (GoPro GPMF, dash-cam GPS boxes, text tracks)
// are built on it.
#pragma once

#include "voirie/core/base/result.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

struct Mp4Box {
    std::string type;     // four characters
    uint64_t begin = 0;   // where its header starts
    uint64_t payload = 0; // where its content starts
    uint64_t end = 0;     // one past its last byte (clipped to the parent when cut short)
    bool cut_short = false; // its header says it is larger than what holds it (a truncated file)
    uint64_t declared_size = 0;
    uint64_t payloadSize() const { return end - payload; }
};

class Mp4File {
public:
    // Fails only when the file cannot be opened.
    static Result<Mp4File> open(const std::filesystem::path& path);

    uint64_t size() const { return size_; }
    const std::filesystem::path& path() const { return path_; }

    // The boxes in [begin, end). A box larger than what is left ends the list, clipped and marked
    // `cut_short`; a header that cannot be read ends it too. Both set `damaged`.
    std::vector<Mp4Box> children(uint64_t begin, uint64_t end, bool* damaged = nullptr);
    std::vector<Mp4Box> topLevel(bool* damaged = nullptr) { return children(0, size_, damaged); }
    std::vector<Mp4Box> children(const Mp4Box& parent, bool* damaged = nullptr)
    {
        return children(parent.payload, parent.end, damaged);
    }
    // The first whole child of that type.
    std::optional<Mp4Box> child(const Mp4Box& parent, const std::string& type);

    // `size` bytes at `offset`; nothing when they lie past the end of the file or exceed `limit`.
    std::optional<std::string> read(uint64_t offset, uint64_t size, uint64_t limit = uint64_t(64) << 20);
    std::optional<std::string> payload(const Mp4Box& box, uint64_t limit = uint64_t(64) << 20)
    {
        return read(box.payload, box.payloadSize(), limit);
    }

private:
    Mp4File() = default;
    std::filesystem::path path_;
    std::unique_ptr<std::ifstream> in_;
    uint64_t size_ = 0;
};

// Big-endian and little-endian integers from a byte string; the caller checks the length.
uint64_t readBigEndian(const std::string& bytes, size_t at, int count);
uint64_t readLittleEndian(const std::string& bytes, size_t at, int count);
// A text field as a camera stored it: cut at its first NUL (the padding), unprintable bytes as '?'.
std::string printableText(const std::string& bytes);

} // namespace voirie
