#include "voirie/core/ingest/mp4_tracks.hpp"

#include "voirie/core/ingest/mp4_creation_time.hpp"

#include <algorithm>

namespace voirie {
namespace {

// Sample tables larger than this are not telemetry tracks (a day of 1 kHz samples fits).
constexpr uint64_t kMaxTableBytes = uint64_t(256) << 20;
// Nor are tracks with more samples: ten hours of a subtitle per frame at 60 fps is 2.2 million.
// Bounds the memory a forged count can ask for (24 bytes a sample).
constexpr uint32_t kMaxSamples = 1u << 22;

// A box type for a message: what is not printable ASCII shown as '?'.
std::string printable(std::string type)
{
    for (char& c : type)
        if (c < 32 || c > 126)
            c = '?';
    return type;
}

struct Table {
    std::string bytes;
    uint32_t entries = 0;
};

// A full box's payload (version and flags first), and its entry count at `count_at`, checked to
// fit `entry_size` bytes each.
std::optional<Table> readTable(Mp4File& file, const std::optional<Mp4Box>& box, size_t count_at, size_t entry_size,
                               std::string& problem)
{
    if (!box)
        return std::nullopt;
    auto bytes = file.payload(*box, kMaxTableBytes);
    if (!bytes || bytes->size() < count_at + 4) {
        problem = "'" + box->type + "' box is cut short";
        return std::nullopt;
    }
    const uint32_t entries = uint32_t(readBigEndian(*bytes, count_at, 4));
    Table t{std::move(*bytes), entries};
    if (entry_size > 0 && uint64_t(t.entries) * entry_size > t.bytes.size() - count_at - 4) {
        problem = "'" + box->type + "' box claims " + std::to_string(t.entries) + " entries but holds fewer";
        return std::nullopt;
    }
    return t;
}

void readSampleTable(Mp4File& file, const Mp4Box& stbl, Mp4Track& track)
{
    std::string& problem = track.problem;
    if (auto stsd = file.child(stbl, "stsd")) {
        auto bytes = file.read(stsd->payload, std::min<uint64_t>(stsd->payloadSize(), 16));
        if (bytes && bytes->size() >= 16)
            track.format = bytes->substr(12, 4);
    }
    auto stts = readTable(file, file.child(stbl, "stts"), 4, 8, problem);
    auto stsc = readTable(file, file.child(stbl, "stsc"), 4, 12, problem);
    auto stco = readTable(file, file.child(stbl, "stco"), 4, 4, problem);
    auto co64 = stco ? std::nullopt : readTable(file, file.child(stbl, "co64"), 4, 8, problem);
    auto stsz_box = file.child(stbl, "stsz");
    auto stsz = readTable(file, stsz_box, 8, 0, problem);
    if (!stts || !stsc || (!stco && !co64) || !stsz) {
        if (problem.empty())
            problem = "its sample table is incomplete";
        return;
    }
    const uint32_t fixed_size = uint32_t(readBigEndian(stsz->bytes, 4, 4));
    const uint32_t count = stsz->entries;
    if (fixed_size == 0 && uint64_t(count) * 4 > stsz->bytes.size() - 12) {
        problem = "'stsz' box claims " + std::to_string(count) + " samples but holds fewer";
        return;
    }
    if (count > kMaxSamples) {
        problem = "'stsz' box claims " + std::to_string(count) + " samples, more than a telemetry track holds";
        return;
    }
    if (fixed_size != 0 && uint64_t(count) * fixed_size > file.size()) { // samples of one size: they must fit the file
        problem = "'stsz' box claims " + std::to_string(count) + " samples of " + std::to_string(fixed_size) +
                  " bytes, more than the file holds";
        return;
    }
    if (track.timescale <= 0) {
        problem = "its media header has no time scale";
        return;
    }
    const bool wide = !stco;
    const Table& chunks = wide ? *co64 : *stco;
    track.samples.reserve(std::min<uint32_t>(count, 1u << 16));

    // Chunk by chunk, as stsc runs say how many samples each holds.
    uint32_t sample = 0;
    for (uint32_t run = 0; run < stsc->entries && sample < count; ++run) {
        const uint32_t first_chunk = uint32_t(readBigEndian(stsc->bytes, 8 + size_t(run) * 12, 4));
        const uint32_t per_chunk = uint32_t(readBigEndian(stsc->bytes, 12 + size_t(run) * 12, 4));
        const uint32_t next_first = run + 1 < stsc->entries
                                        ? uint32_t(readBigEndian(stsc->bytes, 8 + size_t(run + 1) * 12, 4))
                                        : chunks.entries + 1;
        if (first_chunk < 1 || next_first < first_chunk || per_chunk == 0) {
            problem = "'stsc' box is inconsistent";
            break;
        }
        for (uint32_t chunk = first_chunk; chunk < next_first && chunk <= chunks.entries && sample < count; ++chunk) {
            uint64_t offset = wide ? readBigEndian(chunks.bytes, 8 + size_t(chunk - 1) * 8, 8)
                                   : readBigEndian(chunks.bytes, 8 + size_t(chunk - 1) * 4, 4);
            for (uint32_t k = 0; k < per_chunk && sample < count; ++k, ++sample) {
                const uint32_t size = fixed_size ? fixed_size : uint32_t(readBigEndian(stsz->bytes, 12 + size_t(sample) * 4, 4));
                track.samples.push_back({offset, size, 0, 0});
                offset += size;
            }
        }
    }
    if (track.samples.size() < count && problem.empty())
        problem = "its chunk tables place " + std::to_string(track.samples.size()) + " of " + std::to_string(count) + " samples";

    // Times from the stts runs.
    uint64_t ticks = 0;
    size_t i = 0;
    for (uint32_t run = 0; run < stts->entries && i < track.samples.size(); ++run) {
        const uint32_t n = uint32_t(readBigEndian(stts->bytes, 8 + size_t(run) * 8, 4));
        const uint32_t delta = uint32_t(readBigEndian(stts->bytes, 12 + size_t(run) * 8, 4));
        for (uint32_t k = 0; k < n && i < track.samples.size(); ++k, ++i) {
            track.samples[i].start_s = double(ticks) / track.timescale;
            track.samples[i].duration_s = double(delta) / track.timescale;
            ticks += delta;
        }
    }
    if (i < track.samples.size()) {
        if (problem.empty())
            problem = "its time table covers " + std::to_string(i) + " of " + std::to_string(track.samples.size()) + " samples";
        track.samples.resize(i);
    }
}

} // namespace

Mp4Movie readMp4Movie(Mp4File& file)
{
    Mp4Movie movie;
    bool damaged = false;
    movie.top_level = file.topLevel(&damaged);
    for (const auto& box : movie.top_level) {
        if (box.cut_short)
            movie.problems.push_back("its '" + printable(box.type) + "' box is cut short (" + std::to_string(box.end - box.begin) +
                                     " of " + std::to_string(box.declared_size) +
                                     " bytes): the file was not closed properly or was truncated");
        if (box.type == "moov" && !movie.moov && !box.cut_short)
            movie.moov = box;
    }
    if (damaged && movie.problems.empty())
        movie.problems.push_back("a top-level box has an impossible size");
    if (!movie.moov)
        return movie;
    movie.creation_time = readMovieCreationTime(file, *movie.moov);
    bool moov_damaged = false;
    for (auto& box : file.children(*movie.moov, &moov_damaged)) {
        if (box.type != "trak" || box.cut_short)
            continue;
        Mp4Track track;
        auto mdia = file.child(box, "mdia");
        if (!mdia) {
            track.problem = "it has no media box";
            movie.tracks.push_back(std::move(track));
            continue;
        }
        if (auto hdlr = file.child(*mdia, "hdlr")) {
            auto bytes = file.read(hdlr->payload, std::min<uint64_t>(hdlr->payloadSize(), 12));
            if (bytes && bytes->size() >= 12)
                track.handler = bytes->substr(8, 4);
        }
        if (auto mdhd = file.child(*mdia, "mdhd")) {
            auto bytes = file.read(mdhd->payload, std::min<uint64_t>(mdhd->payloadSize(), 24));
            if (bytes && bytes->size() >= 24)
                track.timescale = double(readBigEndian(*bytes, (*bytes)[0] == 1 ? 20 : 12, 4));
        }
        auto minf = file.child(*mdia, "minf");
        auto stbl = minf ? file.child(*minf, "stbl") : std::nullopt;
        const bool media = track.handler == "vide" || track.handler == "soun"; // large tables, never telemetry
        if (!stbl)
            track.problem = "it has no sample table";
        else if (!media)
            readSampleTable(file, *stbl, track);
        movie.tracks.push_back(std::move(track));
    }
    if (moov_damaged)
        movie.problems.push_back("the movie box holds a damaged box");
    return movie;
}

} // namespace voirie
