#include "voirie/core/ingest/mp4_boxes.hpp"

namespace voirie {

uint64_t readBigEndian(const std::string& bytes, size_t at, int count)
{
    uint64_t v = 0;
    for (int i = 0; i < count; ++i)
        v = (v << 8) | uint8_t(bytes[at + size_t(i)]);
    return v;
}

uint64_t readLittleEndian(const std::string& bytes, size_t at, int count)
{
    uint64_t v = 0;
    for (int i = count - 1; i >= 0; --i)
        v = (v << 8) | uint8_t(bytes[at + size_t(i)]);
    return v;
}

std::string printableText(const std::string& bytes)
{
    std::string text = bytes.substr(0, bytes.find('\0'));
    for (char& c : text)
        if (uint8_t(c) < 0x20 || uint8_t(c) > 0x7e)
            c = '?';
    return text;
}

Result<Mp4File> Mp4File::open(const std::filesystem::path& path)
{
    Mp4File file;
    file.path_ = path;
    file.in_ = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!*file.in_)
        return fail("cannot open " + path.string());
    file.in_->seekg(0, std::ios::end);
    const auto size = file.in_->tellg();
    file.size_ = size > 0 ? uint64_t(size) : 0;
    return file;
}

std::optional<std::string> Mp4File::read(uint64_t offset, uint64_t size, uint64_t limit)
{
    if (offset > size_ || size > size_ - offset || size > limit)
        return std::nullopt;
    std::string bytes(size_t(size), '\0');
    in_->clear();
    in_->seekg(std::streamoff(offset));
    if (size > 0 && !in_->read(bytes.data(), std::streamsize(size)))
        return std::nullopt;
    return bytes;
}

std::vector<Mp4Box> Mp4File::children(uint64_t begin, uint64_t end, bool* damaged)
{
    std::vector<Mp4Box> boxes;
    end = std::min(end, size_);
    uint64_t pos = begin;
    // Fewer than 8 bytes left over is padding some writers leave; more is a box that does not fit.
    while (pos + 8 <= end) {
        auto header = read(pos, 8);
        if (!header)
            break;
        uint64_t size = readBigEndian(*header, 0, 4);
        uint64_t header_size = 8;
        if (size == 1) { // a 64-bit size follows
            auto large = read(pos + 8, 8);
            if (!large || pos + 16 > end)
                break;
            size = readBigEndian(*large, 0, 8);
            header_size = 16;
        } else if (size == 0) { // to the end of the enclosing box
            size = end - pos;
        }
        if (size < header_size || size > end - pos) { // compared so that a huge size cannot wrap around
            if (damaged)
                *damaged = true;
            if (size >= header_size)
                boxes.push_back({header->substr(4, 4), pos, pos + header_size, end, true, size});
            return boxes;
        }
        boxes.push_back({header->substr(4, 4), pos, pos + header_size, pos + size, false, size});
        pos += size;
    }
    return boxes;
}

std::optional<Mp4Box> Mp4File::child(const Mp4Box& parent, const std::string& type)
{
    for (auto& box : children(parent))
        if (box.type == type && !box.cut_short)
            return box;
    return std::nullopt;
}

} // namespace voirie
