#include "voirie/core/ingest/mp4_creation_time.hpp"

#include <fstream>
#include <string>

namespace voirie {
namespace {

constexpr double kSecondsFrom1904To1970 = 2082844800.0;

// The whole moov box and its mvhd, walked with the bounded box reader.
std::optional<Mp4Box> movieHeader(Mp4File& file, std::optional<Mp4Box>* moov_out = nullptr)
{
    for (const auto& box : file.topLevel())
        if (box.type == "moov" && !box.cut_short) {
            if (moov_out)
                *moov_out = box;
            return file.child(box, "mvhd");
        }
    return std::nullopt;
}

} // namespace

std::optional<double> readMovieCreationTime(Mp4File& file, const Mp4Box& moov)
{
    auto mvhd = file.child(moov, "mvhd");
    if (!mvhd || mvhd->payloadSize() < 12)
        return std::nullopt;
    auto data = file.read(mvhd->payload, 12);
    if (!data || uint8_t((*data)[0]) > 1)
        return std::nullopt;
    const uint64_t created = (*data)[0] == 1 ? readBigEndian(*data, 4, 8) : readBigEndian(*data, 4, 4);
    if (created == 0)
        return std::nullopt;
    return double(created) - kSecondsFrom1904To1970;
}

std::optional<double> readMp4CreationTime(const std::filesystem::path& path)
{
    auto file = Mp4File::open(path);
    if (!file)
        return std::nullopt;
    std::optional<Mp4Box> moov;
    if (!movieHeader(*file, &moov))
        return std::nullopt;
    return readMovieCreationTime(*file, *moov);
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
    uint64_t at = 0;
    {
        auto file = Mp4File::open(path);
        if (!file)
            return false;
        auto mvhd = movieHeader(*file);
        if (!mvhd || mvhd->payloadSize() < 8)
            return false;
        auto version = file->read(mvhd->payload, 1);
        if (!version || (*version)[0] != 0)
            return false;
        at = mvhd->payload + 4; // after version and flags
    }
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    if (!file)
        return false;
    const uint32_t value = uint32_t(unix_seconds + kSecondsFrom1904To1970);
    const char bytes[4] = {char(value >> 24), char(value >> 16), char(value >> 8), char(value)};
    file.seekp(std::streamoff(at));
    file.write(bytes, 4);
    return bool(file);
}

} // namespace voirie
