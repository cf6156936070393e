#include "voirie/core/ingest/mp4_creation_time.hpp"

#include <cstdint>
#include <fstream>
#include <string>

namespace voirie {
namespace {

constexpr double kSecondsFrom1904To1970 = 2082844800.0;

uint64_t bigEndian(const unsigned char* p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v = (v << 8) | p[i];
    return v;
}

// Finds the child box `type` within [begin, end) of the file; returns its payload range.
bool findBox(std::ifstream& in, uint64_t begin, uint64_t end, const char* type, uint64_t& payload,
             uint64_t& payload_end)
{
    uint64_t pos = begin;
    unsigned char header[16];
    while (pos + 8 <= end) {
        in.seekg(std::streamoff(pos));
        if (!in.read(reinterpret_cast<char*>(header), 8))
            return false;
        uint64_t size = bigEndian(header, 4);
        uint64_t header_size = 8;
        if (size == 1) { // 64-bit size follows
            if (!in.read(reinterpret_cast<char*>(header + 8), 8))
                return false;
            size = bigEndian(header + 8, 8);
            header_size = 16;
        } else if (size == 0) { // extends to the end
            size = end - pos;
        }
        if (size < header_size || size > end - pos) // compared so, a 64-bit size cannot wrap `pos` around
            return false;
        if (std::string(reinterpret_cast<char*>(header + 4), 4) == type) {
            payload = pos + header_size;
            payload_end = pos + size;
            return true;
        }
        pos += size;
    }
    return false;
}

} // namespace

std::optional<double> readMp4CreationTime(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    in.seekg(0, std::ios::end);
    const uint64_t file_size = uint64_t(in.tellg());
    uint64_t moov = 0, moov_end = 0, mvhd = 0, mvhd_end = 0;
    if (!findBox(in, 0, file_size, "moov", moov, moov_end) || !findBox(in, moov, moov_end, "mvhd", mvhd, mvhd_end))
        return std::nullopt;
    unsigned char data[12];
    in.seekg(std::streamoff(mvhd));
    if (mvhd_end - mvhd < 12 || !in.read(reinterpret_cast<char*>(data), 12))
        return std::nullopt;
    const int version = data[0];
    if (version > 1)
        return std::nullopt;
    const uint64_t created = version == 1 ? bigEndian(data + 4, 8) : bigEndian(data + 4, 4);
    if (created == 0)
        return std::nullopt;
    return double(created) - kSecondsFrom1904To1970;
}

bool startsLikeMp4(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    char header[8];
    if (!in.read(header, 8))
        return false;
    const std::string type(header + 4, 4);
    return type == "ftyp" || type == "mdat" || type == "free" || type == "skip" || type == "wide" || type == "moov";
}

bool writeMp4CreationTime(const std::filesystem::path& path, double unix_seconds)
{
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    if (!file)
        return false;
    file.seekg(0, std::ios::end);
    const uint64_t file_size = uint64_t(file.tellg());
    std::ifstream in(path, std::ios::binary);
    uint64_t moov = 0, moov_end = 0, mvhd = 0, mvhd_end = 0;
    if (!findBox(in, 0, file_size, "moov", moov, moov_end) || !findBox(in, moov, moov_end, "mvhd", mvhd, mvhd_end))
        return false;
    unsigned char version = 0;
    in.seekg(std::streamoff(mvhd));
    if (mvhd_end - mvhd < 8 || !in.read(reinterpret_cast<char*>(&version), 1) || version != 0)
        return false;
    const uint32_t value = uint32_t(unix_seconds + kSecondsFrom1904To1970);
    const char bytes[4] = {char(value >> 24), char(value >> 16), char(value >> 8), char(value)};
    file.seekp(std::streamoff(mvhd + 4)); // after version and flags
    file.write(bytes, 4);
    return bool(file);
}

} // namespace voirie
