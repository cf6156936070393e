// Fuzz tests of the readers that parse what a camera or a logger wrote: thousands of mutations of
// a valid file (bytes flipped, box sizes set to edge values, cut anywhere, lines doubled or
// dropped) must give a value or a refusal, never a crash, a hang or a fix outside the world.
// Deterministic (fixed seeds), a few seconds in all; run under ASan they also catch overreads.
#include "survey_fixtures.hpp"

#include "voirie/core/ingest/camera_metadata.hpp"
#include "voirie/core/ingest/embedded_telemetry.hpp"
#include "voirie/core/ingest/gpmf_parser.hpp"
#include "voirie/core/ingest/mp4_creation_time.hpp"
#include "voirie/core/ingest/srt_telemetry.hpp"
#include "voirie/sample/mp4_gps_embedding.hpp"
#include "voirie/core/ingest/nmea_parser.hpp"
#include "voirie/core/ingest/track_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <future>
#include <random>

namespace {

using namespace voirie::test;
using Bytes = std::string;

void putBigEndian(Bytes& b, size_t at, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; --i, v >>= 8)
        b[at + size_t(i)] = char(v & 0xff);
}

Bytes box(const char* type, const Bytes& payload)
{
    Bytes b(8, '\0');
    putBigEndian(b, 0, payload.size() + 8, 4);
    b.replace(4, 4, type, 4);
    return b + payload;
}

// ftyp, moov { mvhd (version 0, creation time 2026-04-14T08:31:00Z), trak { tkhd } }, mdat.
Bytes smallMp4()
{
    Bytes mvhd(100, '\0');
    putBigEndian(mvhd, 4, uint64_t(1776155460.0 + 2082844800.0), 4);
    putBigEndian(mvhd, 12, 1000, 4); // timescale
    return box("ftyp", Bytes("isom\0\0\0\x01isomavc1", 16)) +
           box("moov", box("mvhd", mvhd) + box("trak", box("tkhd", Bytes(84, '\0')))) + box("mdat", Bytes(64, '\x5a'));
}

// The offsets of every box header in the small file, to aim mutations at the size fields.
std::vector<size_t> boxHeaders(const Bytes& b, size_t begin = 0, size_t end = std::string::npos)
{
    std::vector<size_t> at;
    end = std::min(end, b.size());
    for (size_t pos = begin; pos + 8 <= end;) {
        const size_t size = size_t(uint8_t(b[pos])) << 24 | size_t(uint8_t(b[pos + 1])) << 16 |
                            size_t(uint8_t(b[pos + 2])) << 8 | size_t(uint8_t(b[pos + 3]));
        at.push_back(pos);
        const std::string type = b.substr(pos + 4, 4);
        if (type == "moov" || type == "trak" || type == "mdia" || type == "minf" || type == "stbl")
            for (size_t child : boxHeaders(b, pos + 8, pos + size))
                at.push_back(child);
        pos += size;
    }
    return at;
}

Bytes mutate(const Bytes& valid, std::mt19937& rng, const std::vector<size_t>& size_fields)
{
    Bytes b = valid;
    std::uniform_int_distribution<int> kind(0, 5);
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    const int mutations = 1 + int(pick(4));
    for (int m = 0; m < mutations && !b.empty(); ++m) {
        switch (kind(rng)) {
        case 0: // flip a byte
            b[pick(b.size())] = char(rng());
            break;
        case 1: { // a box size at an edge: 0 (to the end), 1 (64-bit follows), tiny, huge
            const size_t at = size_fields[pick(size_fields.size())];
            if (at + 4 > b.size())
                break;
            const uint32_t edges[] = {0, 1, 7, 8, 9, 0x7fffffff, 0xffffffff, uint32_t(rng())};
            putBigEndian(b, at, edges[pick(8)], 4);
            break;
        }
        case 2: { // a 64-bit size that wraps the file offset around
            const size_t at = size_fields[pick(size_fields.size())];
            if (at + 16 > b.size())
                break;
            putBigEndian(b, at, 1, 4);
            const uint64_t wraps[] = {~uint64_t(0), ~uint64_t(0) - at, uint64_t(1) << 63, 16, uint64_t(rng()) << 32 | rng()};
            putBigEndian(b, at + 8, wraps[pick(5)], 8);
            break;
        }
        case 3: // cut anywhere
            b.resize(pick(b.size() + 1));
            break;
        case 4: // a stretch overwritten with zeros or garbage
        {
            const size_t at = pick(b.size()), n = std::min(b.size() - at, pick(48) + 1);
            for (size_t i = 0; i < n; ++i)
                b[at + i] = m % 2 ? '\0' : char(rng());
            break;
        }
        case 5: // bytes inserted (everything after shifts)
            b.insert(pick(b.size() + 1), Bytes(pick(16) + 1, char(rng())));
            break;
        }
    }
    return b;
}

void writeBytes(const std::filesystem::path& path, const Bytes& b)
{
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(b.data(), std::streamsize(b.size()));
}

TEST(ParserFuzz, Mp4CreationTimeSurvivesThousandsOfMutations)
{
    TempDir dir;
    const Bytes valid = smallMp4();
    const auto path = dir / "m.mp4";
    writeBytes(path, valid);
    const auto intact = voirie::readMp4CreationTime(path);
    ASSERT_TRUE(intact.has_value());
    EXPECT_NEAR(*intact, 1776155460.0, 0.5);

    const auto headers = boxHeaders(valid);
    ASSERT_EQ(headers.size(), 6u); // ftyp, moov, mvhd, trak, tkhd, mdat
    std::mt19937 rng(20261206);
    const auto started = std::chrono::steady_clock::now();
    int read = 0, refused = 0;
    for (int i = 0; i < 3000; ++i) {
        const Bytes b = mutate(valid, rng, headers);
        writeBytes(path, b);
        const auto t = voirie::readMp4CreationTime(path); // must return, whatever the bytes
        (t ? read : refused)++;
        if (t)
            EXPECT_TRUE(std::isfinite(*t)) << "mutation " << i;
        if (i % 4 == 0) { // the writer walks the same boxes, and must not write outside them
            const bool wrote = voirie::writeMp4CreationTime(path, 1776155460.0);
            std::ifstream in(path, std::ios::binary | std::ios::ate);
            EXPECT_EQ(uint64_t(in.tellg()), b.size()) << "mutation " << i << (wrote ? " (written)" : "");
        }
    }
    EXPECT_GT(read, 0);
    EXPECT_GT(refused, 0);
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 60.0);
}

// A box whose 64-bit size wraps the file offset back to an earlier box: a reader that adds
// before comparing walks in a circle for ever (found by reading the code, kept as a case).
TEST(ParserFuzz, Mp4BoxSizeThatWrapsTheOffsetAroundIsRefused)
{
    TempDir dir;
    Bytes b = smallMp4();
    const auto headers = boxHeaders(b); // ftyp, moov, mvhd, trak, tkhd, mdat
    const size_t mvhd = headers[2], trak = headers[3];
    b.replace(mvhd + 4, 4, "free");            // the search passes over this box...
    putBigEndian(b, trak, 1, 4);                 // ...and trak says "64-bit size follows"
    putBigEndian(b, trak + 8, uint64_t(0) - (trak - mvhd), 8); // trak + size == mvhd (mod 2^64)
    writeBytes(dir / "wrap.mp4", b);
    auto reading = std::async(std::launch::async, [&] { return voirie::readMp4CreationTime(dir / "wrap.mp4"); });
    if (reading.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
        ADD_FAILURE() << "readMp4CreationTime walks in a circle on a wrapping box size";
        std::_Exit(1); // the reading thread cannot be stopped
    }
    EXPECT_FALSE(reading.get().has_value());
}

std::string nmeaLog(int fixes)
{
    std::string text;
    for (const auto& f : pathFixes(0, fixes))
        text += nmeaRmc(f) + "\r\n";
    return text;
}

TEST(ParserFuzz, NmeaParserSurvivesThousandsOfMutations)
{
    const Bytes valid = nmeaLog(40);
    const auto intact = voirie::parseNmea(valid);
    ASSERT_EQ(intact.fixes.size(), 41u);
    std::mt19937 rng(7);
    std::vector<size_t> line_starts;
    for (size_t i = 0; i < valid.size(); ++i)
        if (valid[i] == '$')
            line_starts.push_back(i);
    for (int i = 0; i < 5000; ++i) {
        const Bytes b = mutate(valid, rng, line_starts);
        const auto track = voirie::parseNmea(b);
        EXPECT_LE(track.fixes.size(), size_t(std::count(b.begin(), b.end(), '$'))) << "mutation " << i;
        for (const auto& f : track.fixes) {
            ASSERT_TRUE(std::isfinite(f.lat) && std::isfinite(f.lon) && std::isfinite(f.time)) << "mutation " << i;
            ASSERT_LE(std::abs(f.lat), 90.0) << "mutation " << i;
            ASSERT_LE(std::abs(f.lon), 180.0) << "mutation " << i;
        }
    }
}

// Track files read through GDAL (GPX, CSV, GeoJSON) and Voirie's own NMEA reader, mutated as
// loggers damage them: a result or one sentence, never a crash; what is read is on the Earth.
TEST(ParserFuzz, TrackFilesSurviveMutations)
{
    TempDir dir;
    const auto fixes = pathFixes(0, 20);
    writeGpx(dir / "v.gpx", fixes);
    writeCsv(dir / "v.csv", fixes, "Timestamp,Latitude,Longitude,alt", false);
    writeGeoJsonPoints(dir / "v.geojson", fixes);
    writeFile(dir / "v.nmea", nmeaLog(20));
    std::mt19937 rng(11);
    int read = 0, refused = 0;
    for (const char* name : {"v.gpx", "v.csv", "v.geojson", "v.nmea"}) {
        std::ifstream in(dir / name, std::ios::binary);
        const Bytes valid((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::vector<size_t> line_starts{0};
        for (size_t i = 0; i + 1 < valid.size(); ++i)
            if (valid[i] == '\n')
                line_starts.push_back(i + 1);
        const auto mutated = dir / (std::string("m.") + std::filesystem::path(name).extension().string().substr(1));
        for (int i = 0; i < 250; ++i) {
            writeBytes(mutated, mutate(valid, rng, line_starts));
            const auto file = voirie::readTrackFile(mutated);
            if (!file) {
                ++refused;
                EXPECT_FALSE(file.error().empty());
                EXPECT_EQ(file.error().find('\n'), std::string::npos) << name << " mutation " << i << ": " << file.error();
                continue;
            }
            ++read;
            for (const auto& f : file->fixes) {
                ASSERT_TRUE(std::isfinite(f.lat) && std::isfinite(f.lon)) << name << " mutation " << i;
                ASSERT_LE(std::abs(f.lat), 90.0) << name << " mutation " << i;
                ASSERT_LE(std::abs(f.lon), 180.0) << name << " mutation " << i;
            }
        }
    }
    EXPECT_GT(read, 0);
    EXPECT_GT(refused, 0);
}

// ---- GPS inside videos ----

const std::filesystem::path kTelemetry = std::filesystem::path(VOIRIE_SOURCE_DIR) / "tests/data/telemetry";

// The offsets of a GPMF payload's KLV headers (nested ones too), to aim mutations at their
// type, struct size and repeat fields.
void klvHeaders(const Bytes& b, size_t begin, size_t end, std::vector<size_t>& at)
{
    for (size_t pos = begin; pos + 8 <= end;) {
        const size_t size = size_t(uint8_t(b[pos + 5])) * (size_t(uint8_t(b[pos + 6])) << 8 | uint8_t(b[pos + 7]));
        at.push_back(pos + 4);
        if (b[pos + 4] == 0)
            klvHeaders(b, pos + 8, std::min(end, pos + 8 + size), at);
        pos += 8 + ((size + 3) & ~size_t(3));
    }
}

TEST(ParserFuzz, GpmfPayloadsFromRealCamerasSurviveThousandsOfMutations)
{
    std::mt19937 rng(25);
    const auto started = std::chrono::steady_clock::now();
    for (const char* name : {"gopro/hero5.raw", "gopro/Fusion.raw", "gopro/karma.raw"}) {
        const Bytes valid = readFile(kTelemetry / name);
        std::vector<size_t> headers;
        klvHeaders(valid, 0, valid.size(), headers);
        ASSERT_GT(headers.size(), 10u) << name;
        for (int i = 0; i < 3000; ++i) {
            const Bytes b = mutate(valid, rng, headers);
            const auto gps = voirie::parseGpmfPayload(b); // must return, whatever the bytes
            EXPECT_LE(gps.samples.size(), b.size() / 20 + 1) << name << " mutation " << i;
        }
    }
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 60.0);
}

// Videos with each kind of telemetry, every box of their index and every record mutated: a
// track or one sentence, never a crash, a hang or a fix off the Earth.
TEST(ParserFuzz, EmbeddedTelemetrySurvivesThousandsOfMutations)
{
    TempDir dir;
    std::vector<voirie::sample::EmbeddedFix> fixes;
    for (const auto& f : pathFixes(0, 2, 1.0 / 18))
        fixes.push_back({f.t, f.lat, f.lon, 30, 10});
    std::vector<std::filesystem::path> valid_files;
    for (const char* kind : {"gpmf", "novatek", "nmea"}) {
        const auto path = dir / (std::string(kind) + ".mp4");
        writeVideo(path, 20, 10, {64, 48});
        voirie::Status made = voirie::Ok{};
        if (std::string(kind) == "gpmf")
            made = voirie::sample::embedGpmf(path, fixes, kT0);
        else if (std::string(kind) == "novatek")
            made = voirie::sample::embedNovatek(path, fixes, kT0, 2.0);
        else {
            std::vector<std::string> samples;
            for (const auto& f : pathFixes(0, 2))
                samples.push_back(nmeaRmc(f) + "\r\n" + nmeaGga(f) + "\r\n");
            made = voirie::sample::appendMp4Track(path, "text", "tx3g", samples, 1.0);
        }
        ASSERT_TRUE(made) << made.error();
        valid_files.push_back(path);
    }
    valid_files.push_back(kTelemetry / "70mai/NO20191130-120156-000121.MP4");

    std::mt19937 rng(2027);
    const auto started = std::chrono::steady_clock::now();
    const auto path = dir / "mutated.mp4";
    int tracks = 0, refusals = 0, nothing = 0;
    for (const auto& file : valid_files) {
        const Bytes valid = readFile(file);
        auto intact = voirie::readEmbeddedTrack(file);
        ASSERT_TRUE(intact && *intact) << file << ": " << (intact ? "" : intact.error());
        std::vector<size_t> targets = boxHeaders(valid);
        // Aim at the telemetry too: the GPMF KLVs, the Novatek records, the 70mai records.
        for (size_t at = valid.find("DEVC"); at != std::string::npos; at = valid.find("DEVC", at + 1))
            targets.push_back(at + 4);
        for (size_t at = valid.find("freeGPS "); at != std::string::npos; at = valid.find("freeGPS ", at + 1))
            targets.push_back(at + 44);
        for (int i = 0; i < 700; ++i) {
            const Bytes b = mutate(valid, rng, targets);
            writeBytes(path, b);
            auto track = voirie::readEmbeddedTrack(path);
            if (!track) {
                ++refusals;
                EXPECT_FALSE(track.error().empty());
                continue;
            }
            if (!*track) {
                ++nothing;
                continue;
            }
            ++tracks;
            for (const auto& f : (*track)->fixes) {
                ASSERT_TRUE(std::isfinite(f.lat) && std::isfinite(f.lon) && std::isfinite(f.time)) << file << " mutation " << i;
                ASSERT_LE(std::abs(f.lat), 90.0) << file << " mutation " << i;
                ASSERT_LE(std::abs(f.lon), 180.0) << file << " mutation " << i;
            }
        }
    }
    EXPECT_GT(tracks, 100);
    EXPECT_GT(refusals, 100);
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 60.0);
}

TEST(ParserFuzz, DjiSrtSurvivesThousandsOfMutations)
{
    Bytes valid;
    int n = 0;
    for (const auto& f : pathFixes(0, 30)) {
        char block[256];
        std::snprintf(block, sizeof block,
                      "%d\n00:00:%02d,000 --> 00:00:%02d,033\n2026-05-04 10:20:%02d.000\n[latitude: %.7f] [longitude: %.7f]\n\n",
                      n + 1, n, n, n, f.lat, f.lon);
        valid += block;
        ++n;
    }
    ASSERT_EQ(voirie::parseSrtTelemetry(valid).fixes.size(), 31u);
    std::vector<size_t> starts;
    for (size_t i = valid.find("-->"); i != std::string::npos; i = valid.find("-->", i + 1))
        starts.push_back(i - 13);
    std::mt19937 rng(11);
    for (int i = 0; i < 3000; ++i) {
        const Bytes b = mutate(valid, rng, starts);
        const auto t = voirie::parseSrtTelemetry(b);
        for (const auto& f : t.fixes) {
            ASSERT_TRUE(std::isfinite(f.lat) && std::isfinite(f.lon) && std::isfinite(f.time)) << "mutation " << i;
            ASSERT_LE(std::abs(f.lat), 90.0) << "mutation " << i;
        }
    }
}

} // namespace

// A video with a GoPro's settings box (lens mode, diagonal field of view) and its telemetry track,
// mutated everywhere: camera metadata or none, never a crash, a hang or a field of view that
// is not a number of degrees.
TEST(ParserFuzz, CameraMetadataSurvivesThousandsOfMutations)
{
    TempDir dir;
    const auto valid_path = dir / "gopro.mp4";
    writeVideo(valid_path, 20, 10, {64, 48});
    std::vector<voirie::sample::EmbeddedFix> fixes;
    for (const auto& f : pathFixes(0, 2, 1.0 / 18))
        fixes.push_back({f.t, f.lat, f.lon, 30, 10});
    auto made = voirie::sample::embedGoProSettings(valid_path, "HERO8 Black", "W", 148.34);
    ASSERT_TRUE(made) << made.error();
    made = voirie::sample::embedGpmf(valid_path, fixes, kT0);
    ASSERT_TRUE(made) << made.error();
    const Bytes valid = readFile(valid_path);
    const auto intact = voirie::readCameraMetadata(valid_path);
    ASSERT_EQ(intact.gopro.lens_mode, "W");

    std::vector<size_t> targets = boxHeaders(valid);
    for (size_t at = valid.find("DEVC"); at != std::string::npos; at = valid.find("DEVC", at + 1))
        klvHeaders(valid, at, valid.size(), targets);
    std::mt19937 rng(48);
    const auto started = std::chrono::steady_clock::now();
    const auto path = dir / "mutated.mp4";
    int with_lens = 0;
    for (int i = 0; i < 2000; ++i) {
        writeBytes(path, mutate(valid, rng, targets));
        const auto metadata = voirie::readCameraMetadata(path);
        if (metadata.gopro.diagonal_fov_deg) {
            ++with_lens;
            ASSERT_TRUE(*metadata.gopro.diagonal_fov_deg > 1 && *metadata.gopro.diagonal_fov_deg < 360) << "mutation " << i;
        }
        EXPECT_LE(metadata.gopro.model.size(), valid.size()) << "mutation " << i;
    }
    EXPECT_GT(with_lens, 500); // most mutations leave the settings readable
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 60.0);
}
