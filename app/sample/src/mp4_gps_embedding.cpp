#include "voirie/sample/mp4_gps_embedding.hpp"

#include "voirie/core/ingest/mp4_boxes.hpp"

#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>

namespace voirie::sample {
namespace fs = std::filesystem;
namespace {

using Bytes = std::string;

void putBig(Bytes& b, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; --i)
        b.push_back(char((v >> (8 * i)) & 0xff));
}

void putLittle(Bytes& b, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        b.push_back(char((v >> (8 * i)) & 0xff));
}

Bytes box(const char* type, const Bytes& payload)
{
    Bytes b;
    putBig(b, payload.size() + 8, 4);
    b.append(type, 4);
    return b + payload;
}

Bytes fullBox(const char* type, uint32_t flags, const Bytes& payload)
{
    Bytes b;
    putBig(b, flags, 4); // version 0
    return box(type, b + payload);
}

// A GPMF KLV: key, type, struct size, repeat, data padded to 32 bits.
Bytes klv(const char* key, char type, size_t struct_size, size_t repeat, Bytes data)
{
    Bytes b(key, 4);
    b.push_back(type);
    b.push_back(char(struct_size));
    putBig(b, repeat, 2);
    data.resize((struct_size * repeat + 3) & ~size_t(3), '\0'); // the declared size, padded
    return b + data;
}

// The movie box, which must be the file's last box.
Result<Mp4Box> lastMovieBox(const fs::path& mp4)
{
    auto file = Mp4File::open(mp4);
    if (!file)
        return fail(file.error());
    auto boxes = file->topLevel();
    if (boxes.empty() || boxes.back().type != "moov" || boxes.back().cut_short)
        return fail("the movie box of " + mp4.string() + " is not its last box: GPS cannot be appended");
    return boxes.back();
}

// Rewrites the movie box with `extra` appended to it (its size grown), then writes `after`.
Status rewriteMovie(const fs::path& mp4, const Mp4Box& moov, const Bytes& extra, const Bytes& after,
                    bool bump_next_track)
{
    auto file = Mp4File::open(mp4);
    if (!file)
        return fail(file.error());
    auto payload = file->payload(moov, uint64_t(256) << 20);
    if (!payload)
        return fail("cannot read the movie box of " + mp4.string());
    Bytes moov_payload = *payload;
    if (bump_next_track) // mvhd's next_track_ID (version 0), so that the new track's ID is free
        for (auto& child : file->children(moov))
            if (child.type == "mvhd" && child.payloadSize() >= 100) {
                const size_t at = size_t(child.payload - moov.payload) + 96;
                const uint32_t next = uint32_t(readBigEndian(moov_payload, at, 4));
                Bytes bumped;
                putBig(bumped, next + 1, 4);
                moov_payload.replace(at, 4, bumped);
            }
    Bytes out = box("moov", moov_payload + extra) + after;
    std::fstream stream(mp4, std::ios::in | std::ios::out | std::ios::binary);
    stream.seekp(std::streamoff(moov.begin));
    stream.write(out.data(), std::streamsize(out.size()));
    stream.flush();
    if (!stream)
        return fail("cannot write GPS into " + mp4.string());
    return Ok{};
}

uint32_t nextTrackId(const fs::path& mp4, const Mp4Box& moov)
{
    auto file = Mp4File::open(mp4);
    for (auto& child : file->children(moov))
        if (child.type == "mvhd" && child.payloadSize() >= 100)
            if (auto bytes = file->read(child.payload + 96, 4))
                return uint32_t(readBigEndian(*bytes, 0, 4));
    return 100;
}

} // namespace

std::string gpmfGpsPayload(const std::vector<EmbeddedFix>& fixes, int fix, double dop)
{
    Bytes stream;
    stream += klv("STNM", 'c', 1, 13, "GPS (Voirie)");
    Bytes gpsf;
    putBig(gpsf, uint32_t(fix), 4);
    stream += klv("GPSF", 'L', 4, 1, gpsf);
    if (!fixes.empty()) {
        const double whole = std::floor(fixes.front().time);
        const time_t t = time_t(whole);
        std::tm utc{};
        gmtime_r(&t, &utc);
        char text[32];
        std::snprintf(text, sizeof text, "%02d%02d%02d%02d%02d%02d.%03d", utc.tm_year % 100, utc.tm_mon + 1, utc.tm_mday,
                      utc.tm_hour, utc.tm_min, utc.tm_sec, int(std::lround((fixes.front().time - whole) * 1000)) % 1000);
        stream += klv("GPSU", 'U', 16, 1, Bytes(text, 16));
    }
    Bytes gpsp;
    putBig(gpsp, uint16_t(std::lround(dop * 100)), 2);
    stream += klv("GPSP", 'S', 2, 1, gpsp);
    Bytes scal;
    for (uint32_t s : {10000000u, 10000000u, 1000u, 1000u, 100u})
        putBig(scal, s, 4);
    stream += klv("SCAL", 'l', 4, 5, scal);
    Bytes samples;
    for (const auto& f : fixes)
        for (double v : {f.lat * 1e7, f.lon * 1e7, f.alt_m * 1000, f.speed_mps * 1000, f.speed_mps * 100})
            putBig(samples, uint32_t(int32_t(std::lround(v))), 4);
    stream += klv("GPS5", 'l', 20, fixes.size(), samples);
    Bytes device = klv("DVNM", 'c', 1, 7, "Voirie") + klv("STRM", 0, 1, stream.size(), stream);
    return klv("DEVC", 0, 1, device.size(), device);
}

std::string gpmfSettingsPayload(const std::string& model, const std::string& lens_mode, double diagonal_fov_deg)
{
    Bytes dvid;
    putBig(dvid, 1, 4);
    Bytes zfov;
    const float f = float(diagonal_fov_deg);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    putBig(zfov, bits, 4);
    const Bytes device = klv("DVID", 'L', 4, 1, dvid) + klv("DVNM", 'c', 1, 15, "Global Settings") +
                         klv("MINF", 'c', 1, model.size(), model) + klv("VFOV", 'c', 1, lens_mode.size(), lens_mode) +
                         klv("ZFOV", 'f', 4, 1, zfov);
    return klv("DEVC", 0, 1, device.size(), device);
}

Status embedGoProSettings(const fs::path& mp4, const std::string& model, const std::string& lens_mode, double diagonal_fov_deg)
{
    auto moov = lastMovieBox(mp4);
    if (!moov)
        return fail(moov.error());
    return rewriteMovie(mp4, *moov, box("udta", box("GPMF", gpmfSettingsPayload(model, lens_mode, diagonal_fov_deg))), {},
                        false);
}

Status appendMp4Track(const fs::path& mp4, const std::string& handler, const std::string& format,
                      const std::vector<std::string>& samples, double sample_duration_s)
{
    auto moov = lastMovieBox(mp4);
    if (!moov)
        return fail(moov.error());
    const uint32_t timescale = 1000;
    const uint32_t delta = uint32_t(std::lround(sample_duration_s * timescale));
    const uint32_t duration = delta * uint32_t(samples.size());
    const uint32_t track_id = nextTrackId(mp4, *moov);

    // Sizes are known before offsets; the offsets depend on the track's own size, which does not
    // depend on their values (32-bit stco): build once with zeros to measure, then for real.
    auto build = [&](uint64_t mdat_data_start) {
        Bytes tkhd;
        putBig(tkhd, 0, 4); putBig(tkhd, 0, 4);
        putBig(tkhd, track_id, 4); putBig(tkhd, 0, 4);
        putBig(tkhd, duration, 4); // in the movie's time scale; close enough for a metadata track
        tkhd += Bytes(8, '\0');
        putBig(tkhd, 0, 2); putBig(tkhd, 0, 2); putBig(tkhd, 0, 2); putBig(tkhd, 0, 2);
        for (uint32_t m : {0x00010000u, 0u, 0u, 0u, 0x00010000u, 0u, 0u, 0u, 0x40000000u})
            putBig(tkhd, m, 4);
        putBig(tkhd, 0, 4); putBig(tkhd, 0, 4);
        Bytes mdhd;
        putBig(mdhd, 0, 4); putBig(mdhd, 0, 4);
        putBig(mdhd, timescale, 4); putBig(mdhd, duration, 4);
        putBig(mdhd, 0x55c4, 2); putBig(mdhd, 0, 2); // language "und"
        Bytes hdlr;
        putBig(hdlr, 0, 4);
        hdlr += handler.substr(0, 4);
        hdlr += Bytes(12, '\0');
        hdlr += Bytes("Voirie GPS\0", 11);
        Bytes url = fullBox("url ", 1, {});
        Bytes dref;
        putBig(dref, 1, 4);
        Bytes entry(6, '\0');
        putBig(entry, 1, 2); // data reference index
        Bytes stsd;
        putBig(stsd, 1, 4);
        stsd += box(format.substr(0, 4).c_str(), entry);
        Bytes stts, stsc, stsz, stco;
        putBig(stts, 1, 4); putBig(stts, samples.size(), 4); putBig(stts, delta, 4);
        putBig(stsc, 1, 4); putBig(stsc, 1, 4); putBig(stsc, 1, 4); putBig(stsc, 1, 4);
        putBig(stsz, 0, 4); putBig(stsz, samples.size(), 4);
        putBig(stco, samples.size(), 4);
        uint64_t offset = mdat_data_start;
        for (const auto& s : samples) {
            putBig(stsz, s.size(), 4);
            putBig(stco, offset, 4);
            offset += s.size();
        }
        Bytes stbl = fullBox("stsd", 0, stsd) + fullBox("stts", 0, stts) + fullBox("stsc", 0, stsc) +
                     fullBox("stsz", 0, stsz) + fullBox("stco", 0, stco);
        Bytes minf = fullBox("nmhd", 0, {}) + box("dinf", fullBox("dref", 0, dref + url)) + box("stbl", stbl);
        Bytes mdia = fullBox("mdhd", 0, mdhd) + fullBox("hdlr", 0, hdlr) + box("minf", minf);
        return box("trak", fullBox("tkhd", 3, tkhd) + box("mdia", mdia));
    };
    const Bytes measured = build(0);
    const uint64_t mdat_data_start = moov->end + measured.size() + 8;
    if (mdat_data_start > 0xffffffffull)
        return fail(mp4.string() + " is too large to append GPS to (over 4 GB)");
    Bytes mdat_payload;
    for (const auto& s : samples)
        mdat_payload += s;
    return rewriteMovie(mp4, *moov, build(mdat_data_start), box("mdat", mdat_payload), true);
}

Status embedGpmf(const fs::path& mp4, const std::vector<EmbeddedFix>& fixes, double video_start)
{
    std::vector<std::string> payloads;
    std::vector<EmbeddedFix> second;
    double second_start = video_start;
    for (const auto& f : fixes) {
        if (f.time < video_start)
            continue;
        while (f.time >= second_start + 1.0) {
            payloads.push_back(gpmfGpsPayload(second));
            second.clear();
            second_start += 1.0;
        }
        second.push_back(f);
    }
    if (!second.empty())
        payloads.push_back(gpmfGpsPayload(second));
    return appendMp4Track(mp4, "meta", "gpmd", payloads, 1.0);
}

Status embedNovatek(const fs::path& mp4, const std::vector<EmbeddedFix>& fixes, double video_start, double duration_s)
{
    auto moov = lastMovieBox(mp4);
    if (!moov)
        return fail(moov.error());
    constexpr size_t kRecordBox = 128;
    std::vector<Bytes> records;
    for (int s = 0; s <= int(std::ceil(duration_s)); ++s) {
        const double t = video_start + s;
        const EmbeddedFix* nearest = nullptr;
        for (const auto& f : fixes)
            if (!nearest || std::abs(f.time - t) < std::abs(nearest->time - t))
                nearest = &f;
        if (!nearest)
            break;
        Bytes r;
        putBig(r, kRecordBox, 4);
        r += "freeGPS ";
        r.resize(48, '\0');
        const time_t whole = time_t(std::floor(t));
        std::tm utc{};
        gmtime_r(&whole, &utc);
        for (int v : {utc.tm_hour, utc.tm_min, utc.tm_sec, utc.tm_year - 100, utc.tm_mon + 1, utc.tm_mday})
            putLittle(r, uint32_t(v), 4);
        r += 'A';
        r += nearest->lat >= 0 ? 'N' : 'S';
        r += nearest->lon >= 0 ? 'E' : 'W';
        r += '\0';
        auto ddmm = [](double deg) {
            deg = std::abs(deg);
            return float(std::floor(deg) * 100 + (deg - std::floor(deg)) * 60);
        };
        for (float v : {ddmm(nearest->lat), ddmm(nearest->lon), float(nearest->speed_mps / 0.514444), 0.0f}) {
            uint32_t bits;
            std::memcpy(&bits, &v, 4);
            putLittle(r, bits, 4);
        }
        r.resize(kRecordBox, '\0');
        records.push_back(r);
    }
    // The `gps ` index: 8 bytes (version, count) then (offset, size) of each record box.
    Bytes index;
    putBig(index, 0x00000101, 4);
    putBig(index, records.size(), 4);
    const uint64_t index_size = 8 + index.size() + 8 * records.size();
    uint64_t offset = moov->end + index_size;
    Bytes after;
    for (const auto& r : records) {
        putBig(index, offset, 4);
        putBig(index, r.size(), 4);
        offset += r.size();
        after += r;
    }
    return rewriteMovie(mp4, *moov, box("gps ", index), after, false);
}

} // namespace voirie::sample
