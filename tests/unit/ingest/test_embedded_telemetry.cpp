// GPS inside videos: GoPro GPMF payloads from real cameras (tests/data/telemetry, from
// gopro/gpmf-parser), a real GoPro MP4 without GPS, damaged 70mai dash-cam files (from
// mzdun/dashcam-gps), and MP4s with GPMF, Novatek and NMEA-text telemetry written here.
#include "survey_fixtures.hpp"

#include "voirie/core/base/time_format.hpp"
#include "voirie/core/ingest/embedded_telemetry.hpp"
#include "voirie/core/ingest/gpmf_parser.hpp"
#include "voirie/core/ingest/srt_telemetry.hpp"
#include "voirie/core/ingest/survey_reader.hpp"
#include "voirie/core/ingest/track_reader.hpp"
#include "voirie/core/ingest/video_gps_source.hpp"
#include "voirie/sample/mp4_gps_embedding.hpp"

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;
using namespace voirie;
using namespace voirie::test;

const fs::path kData = fs::path(VOIRIE_SOURCE_DIR) / "tests/data/telemetry";

// Fixes along the fixtures' path, 18 a second, as a GoPro records them.
std::vector<sample::EmbeddedFix> goproFixes(double from_s, double to_s)
{
    std::vector<sample::EmbeddedFix> out;
    for (const auto& f : pathFixes(from_s, to_s, 1.0 / 18))
        out.push_back({f.t, f.lat, f.lon, 35.0, 10.0});
    return out;
}

TEST(GpmfParser, ReadsAHero5PayloadWithA3dFix)
{
    const GpmfGps gps = parseGpmfPayload(readFile(kData / "gopro/hero5.raw"));
    EXPECT_FALSE(gps.damaged);
    ASSERT_TRUE(gps.has_gps_stream);
    EXPECT_EQ(gps.fix, 3);
    ASSERT_TRUE(gps.gpsu);
    EXPECT_NEAR(*gps.gpsu, *parseIso8601("2017-04-17T17:31:03Z"), 1.0);
    ASSERT_TRUE(gps.dop);
    EXPECT_NEAR(*gps.dop, 6.06, 1e-9); // GPSP 606: above the default limit of 500, dropped unless --max-dop is raised
    EXPECT_GE(gps.samples.size(), 15u); // 18 Hz, one second
    EXPECT_LE(gps.samples.size(), 20u);
    // The positions of one second of driving: all within metres of each other, on the Earth.
    for (const auto& s : gps.samples) {
        EXPECT_NEAR(s.lat, gps.samples.front().lat, 1e-3);
        EXPECT_NEAR(s.lon, gps.samples.front().lon, 1e-3);
        EXPECT_GT(std::abs(s.lat), 1.0);
        EXPECT_LE(std::abs(s.lat), 90.0);
    }
    EXPECT_NE(std::find(gps.streams.begin(), gps.streams.end(), "ACCL"), gps.streams.end());
}

TEST(GpmfParser, SaysWhenTheCameraHadNoFixOrNoGps)
{
    const GpmfGps hero6 = parseGpmfPayload(readFile(kData / "gopro/hero6.raw"));
    ASSERT_TRUE(hero6.has_gps_stream);
    EXPECT_EQ(hero6.fix, 0); // positions present, not to be used
    const GpmfGps ble = parseGpmfPayload(readFile(kData / "gopro/hero6+ble.raw"));
    EXPECT_TRUE(ble.has_gps_stream);
    EXPECT_EQ(ble.fix, 0);
    const GpmfGps karma = parseGpmfPayload(readFile(kData / "gopro/karma.raw"));
    EXPECT_FALSE(karma.has_gps_stream);
    EXPECT_FALSE(karma.streams.empty());
    const GpmfGps fusion = parseGpmfPayload(readFile(kData / "gopro/Fusion.raw"));
    ASSERT_TRUE(fusion.has_gps_stream);
    EXPECT_EQ(fusion.fix, 3);
    ASSERT_TRUE(fusion.gpsu);
    EXPECT_NEAR(*fusion.gpsu, *parseIso8601("2018-03-23T17:25:37Z"), 1.0);
}

TEST(GpmfParser, WhatItWritesItReadsBack)
{
    auto fixes = goproFixes(0, 0.95);
    const GpmfGps gps = parseGpmfPayload(sample::gpmfGpsPayload(fixes, 3, 1.4));
    ASSERT_EQ(gps.samples.size(), fixes.size());
    EXPECT_NEAR(*gps.gpsu, kT0, 0.002);
    EXPECT_NEAR(*gps.dop, 1.4, 1e-9);
    for (size_t i = 0; i < fixes.size(); ++i) {
        EXPECT_NEAR(gps.samples[i].lat, fixes[i].lat, 1e-7);
        EXPECT_NEAR(gps.samples[i].lon, fixes[i].lon, 1e-7);
        EXPECT_NEAR(gps.samples[i].speed_mps, 10.0, 1e-3);
    }
}

// A GPS9 stream (HERO11 and later): time, precision and fix per sample, described by TYPE.
TEST(GpmfParser, ReadsGps9WithItsOwnTimeFixAndPrecisionPerSample)
{
    auto big = [](std::string& b, uint64_t v, int n) {
        for (int i = n - 1; i >= 0; --i)
            b.push_back(char((v >> (8 * i)) & 0xff));
    };
    auto klv = [&](const char* key, char type, int size, int repeat, std::string data) {
        std::string b(key, 4);
        b.push_back(type);
        b.push_back(char(size));
        big(b, uint64_t(repeat), 2);
        data.resize((size_t(size * repeat) + 3) & ~size_t(3), '\0');
        return b + data;
    };
    std::string scal, type = "lllllllSS", samples;
    for (uint32_t s : {10000000u, 10000000u, 1000u, 1000u, 100u, 1u, 1000u, 100u, 1u})
        big(scal, s, 4);
    const double days = std::floor((kT0 - 946684800.0) / 86400.0), seconds = kT0 - 946684800.0 - days * 86400.0;
    const int fixes[] = {3, 0, 3};
    for (int i = 0; i < 3; ++i) {
        for (double v : {48.8566 * 1e7, 2.3522 * 1e7 + i, 35000.0, 10000.0, 1000.0})
            big(samples, uint32_t(int32_t(std::lround(v))), 4);
        big(samples, uint32_t(days), 4);
        big(samples, uint32_t(std::lround((seconds + i * 0.1) * 1000)), 4);
        big(samples, i == 2 ? 850 : 120, 2); // DOP x 100
        big(samples, uint64_t(fixes[i]), 2);
    }
    const std::string stream = klv("TYPE", 'c', 1, int(type.size()), type) + klv("SCAL", 'l', 4, 9, scal) +
                               klv("GPS9", '?', 32, 3, samples);
    const std::string payload = klv("DEVC", 0, 1, int(stream.size() + 8), klv("STRM", 0, 1, int(stream.size()), stream));
    const GpmfGps gps = parseGpmfPayload(payload);
    EXPECT_FALSE(gps.damaged);
    ASSERT_EQ(gps.samples.size(), 3u);
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(gps.samples[i].time);
        EXPECT_NEAR(*gps.samples[i].time, kT0 + i * 0.1, 1e-3);
        EXPECT_EQ(gps.samples[i].fix, fixes[i]);
        EXPECT_NEAR(gps.samples[i].lat, 48.8566, 1e-7);
    }
    EXPECT_NEAR(*gps.samples[2].dop, 8.5, 1e-9);
}

TEST(EmbeddedTelemetry, ARealGoProVideoWithoutGpsSaysSo)
{
    auto track = readEmbeddedTrack(kData / "gopro/karma-telemetry-only.mp4");
    ASSERT_FALSE(track);
    EXPECT_NE(track.error().find("GoPro telemetry but no GPS"), std::string::npos) << track.error();
    EXPECT_NE(track.error().find("ACCL"), std::string::npos) << track.error();
}

TEST(EmbeddedTelemetry, GpmfTrackPlacesTheVideoOnGpsTimeWhateverTheContainerSays)
{
    TempDir dir;
    const fs::path video = dir.path() / "GH010042.MP4";
    writeVideo(video, 90); // 3 s
    // The camera's clock is local time, UTC+8: GPS time must win.
    ASSERT_TRUE(setMp4CreationTime(video, kT0 + 8 * 3600));
    ASSERT_TRUE(sample::embedGpmf(video, goproFixes(0, 3.0), kT0));
    auto track = readEmbeddedTrack(video);
    ASSERT_TRUE(track) << track.error();
    ASSERT_TRUE(*track);
    const EmbeddedTrack& t = **track;
    EXPECT_EQ(t.format, "GoPro GPMF");
    EXPECT_TRUE(t.utc);
    EXPECT_NEAR(t.video_start, kT0, 0.01);
    EXPECT_GE(t.fixes.size(), 50u);
    EXPECT_EQ(t.counts.used(), int(t.fixes.size()));
    bool local_time_noted = false;
    for (const auto& note : t.notes)
        local_time_noted |= note.find("container clock is local time (UTC+8)") != std::string::npos;
    EXPECT_TRUE(local_time_noted);
    // The fixes are where the path was at their times.
    const auto truth = pathFixes(0, 3.0, 1.0 / 18);
    for (size_t i = 0; i < t.fixes.size() && i < truth.size(); i += 7) {
        EXPECT_NEAR(t.fixes[i].time, truth[i].t, 0.02);
        EXPECT_NEAR(t.fixes[i].lat, truth[i].lat, 1e-6);
    }
}

TEST(EmbeddedTelemetry, FixesWithoutAFixOrWithPoorPrecisionAreDroppedAndCounted)
{
    TempDir dir;
    const fs::path video = dir.path() / "GH010043.MP4";
    writeVideo(video, 90);
    auto fixes = goproFixes(0, 3.0);
    std::vector<std::string> payloads;
    for (int s = 0; s < 3; ++s) {
        std::vector<sample::EmbeddedFix> second(fixes.begin() + s * 18, fixes.begin() + std::min<size_t>(fixes.size(), size_t(s + 1) * 18));
        // second 0: no fix; second 1: DOP 9 (GPSP 900); second 2: fine
        payloads.push_back(sample::gpmfGpsPayload(second, s == 0 ? 0 : 3, s == 1 ? 9.0 : 1.2));
    }
    ASSERT_TRUE(sample::appendMp4Track(video, "meta", "gpmd", payloads, 1.0));
    auto track = readEmbeddedTrack(video);
    ASSERT_TRUE(track && *track) << (track ? "" : track.error());
    EXPECT_EQ((*track)->counts.dropped_no_fix, 18);
    EXPECT_EQ((*track)->counts.dropped_precision, 18);
    EXPECT_EQ((*track)->fixes.size(), 18u);
    EXPECT_NEAR((*track)->video_start, kT0, 0.01); // timed by the payload that had a fix
    // A looser limit keeps the imprecise second.
    auto loose = readEmbeddedTrack(video, TelemetryOptions{10.0});
    ASSERT_TRUE(loose && *loose);
    EXPECT_EQ((*loose)->fixes.size(), 36u);
}

TEST(EmbeddedTelemetry, NoFixAtAllIsOneSentence)
{
    TempDir dir;
    const fs::path video = dir.path() / "GH010044.MP4";
    writeVideo(video, 30);
    const auto fixes = goproFixes(0, 0.9);
    ASSERT_TRUE(sample::appendMp4Track(video, "meta", "gpmd", {sample::gpmfGpsPayload(fixes, 0)}, 1.0));
    auto track = readEmbeddedTrack(video);
    ASSERT_FALSE(track);
    EXPECT_NE(track.error().find("not one usable fix"), std::string::npos) << track.error();
    EXPECT_NE(track.error().find(std::to_string(fixes.size()) + " without a fix"), std::string::npos) << track.error();
}

TEST(EmbeddedTelemetry, ReadsNovatekRecordsAndNmeaInATextTrack)
{
    TempDir dir;
    const fs::path novatek = dir.path() / "2026_0504_102000_001.MP4";
    writeVideo(novatek, 150); // 5 s
    auto fixes = goproFixes(0, 6);
    ASSERT_TRUE(sample::embedNovatek(novatek, fixes, kT0, 5.0));
    auto n = readEmbeddedTrack(novatek);
    ASSERT_TRUE(n && *n) << (n ? "" : n.error());
    EXPECT_EQ((*n)->format, "Novatek GPS boxes");
    EXPECT_EQ((*n)->fixes.size(), 6u);
    EXPECT_NEAR((*n)->video_start, kT0, 0.01);
    const auto truth = pathFixes(0, 6);
    for (size_t i = 0; i < (*n)->fixes.size(); ++i) {
        EXPECT_NEAR((*n)->fixes[i].time, truth[i].t, 1e-6);
        EXPECT_NEAR((*n)->fixes[i].lat, truth[i].lat, 1e-5); // floats in DDMM.MMMM: decimetres
        EXPECT_NEAR((*n)->fixes[i].lon, truth[i].lon, 1e-5);
    }

    const fs::path text = dir.path() / "dashcam.mp4";
    writeVideo(text, 150);
    std::vector<std::string> samples;
    for (const auto& f : pathFixes(2, 7)) { // media time 0 is kT0 + 2 on the NMEA clock
        const std::string nmea = nmeaRmc(f) + "\r\n" + nmeaGga(f) + "\r\n";
        std::string sample(2, '\0');
        sample[0] = char(nmea.size() >> 8);
        sample[1] = char(nmea.size() & 0xff);
        samples.push_back(sample + nmea);
    }
    ASSERT_TRUE(sample::appendMp4Track(text, "text", "tx3g", samples, 1.0));
    auto t = readEmbeddedTrack(text);
    ASSERT_TRUE(t && *t) << (t ? "" : t.error());
    EXPECT_EQ((*t)->format, "NMEA text track");
    EXPECT_EQ((*t)->fixes.size(), 6u);
    EXPECT_NEAR((*t)->video_start, kT0 + 2, 0.01);
}

TEST(EmbeddedTelemetry, Damaged70maiFilesGiveASentenceOrFixesNeverACrash)
{
    int with_fixes = 0, refused = 0, without = 0;
    for (const auto& entry : fs::directory_iterator(kData / "70mai")) {
        if (entry.path().extension() != ".MP4")
            continue;
        auto track = readEmbeddedTrack(entry.path());
        if (!track) {
            ++refused;
            EXPECT_NE(track.error().find(entry.path().string()), std::string::npos) << track.error();
        } else if (*track) {
            ++with_fixes;
            EXPECT_FALSE((*track)->utc); // 70mai keeps no GPS time
            for (const auto& f : (*track)->fixes) {
                EXPECT_NEAR(f.lat, 52.19, 0.05); // where these files were recorded
                EXPECT_NEAR(f.lon, 20.79, 0.05);
            }
        } else {
            ++without;
        }
    }
    EXPECT_EQ(with_fixes, 2); // the two whole GPS boxes among them
    EXPECT_GT(refused, 20);
    // The one that kept a whole box: its positions are timed from its name (the camera's clock).
    auto whole = readEmbeddedTrack(kData / "70mai/NO20191130-120156-000121.MP4");
    ASSERT_TRUE(whole && *whole);
    EXPECT_EQ((*whole)->fixes.size(), 61u);
    EXPECT_EQ((*whole)->counts.dropped_no_fix, 59);
    EXPECT_NEAR((*whole)->fixes.front().time, *parseIso8601("2019-11-30T12:01:56Z"), 1e-6);
    // A box cut short by the end of the file is named as such.
    auto cut = readEmbeddedTrack(kData / "70mai/NO20191130-120256-000122.MP4");
    ASSERT_FALSE(cut);
    EXPECT_NE(cut.error().find("cut short"), std::string::npos) << cut.error();
}

TEST(EmbeddedTelemetry, ContainerClockAgainstGpsTime)
{
    EXPECT_EQ(describeContainerClock(kT0 + 8 * 3600 + 40, kT0), "container clock is local time (UTC+8)");
    EXPECT_EQ(describeContainerClock(kT0 - 5 * 3600 - 600, kT0), "container clock is local time (UTC-5)");
    EXPECT_EQ(describeContainerClock(kT0 + 37, kT0), std::nullopt);
    EXPECT_EQ(describeContainerClock(kT0 + 1800, kT0), "container clock is off by 1800.0 s");
}

TEST(SrtTelemetry, ReadsDjiSubtitlesOldAndNew)
{
    const std::string srt = "1\n00:00:00,000 --> 00:00:00,033\n<font size=\"28\">FrameCnt: 1, DiffTime: 33ms\n"
                            "2026-05-04 10:20:05.000\n[iso: 100] [latitude: 48.856600] [longitude: 2.352200] "
                            "[rel_alt: 1.300 abs_alt: 40.0] </font>\n\n"
                            "2\n00:00:01,000 --> 00:00:01,033\n2026-05-04 10:20:06.000\n"
                            "[latitude: 48.856700] [longitude: 2.352300]\n\n"
                            "3\n00:00:02,000 --> 00:00:02,033\n2026-05-04 10:20:07\nGPS(2.352400,48.856800,40) "
                            "BAROMETER:40.0\n\n"
                            "4\n00:00:03,000 --> 00:00:03,033\nno position here\n";
    ASSERT_TRUE(looksLikeSrt(srt));
    EXPECT_FALSE(looksLikeSrt("$GPRMC,1,2\n"));
    const SrtTelemetry t = parseSrtTelemetry(srt);
    EXPECT_EQ(t.subtitles, 4);
    EXPECT_EQ(t.without_position, 1);
    ASSERT_EQ(t.fixes.size(), 3u);
    EXPECT_NEAR(t.fixes[2].lat, 48.8568, 1e-9);
    EXPECT_NEAR(t.fixes[2].lon, 2.3524, 1e-9);
    ASSERT_TRUE(t.video_start);
    EXPECT_NEAR(*t.video_start, *parseIso8601("2026-05-04T10:20:05Z"), 1e-6);
}

// The no-track path, end to end through the survey reader: telemetry first, then a sidecar, then
// one sentence naming what was looked for.
TEST(VideoGpsSource, TelemetryThenSidecarThenASentence)
{
    TempDir dir;
    const fs::path video = dir.path() / "GH010050.MP4";
    writeVideo(video, 120);
    IngestOptions options;
    options.videos = {video};

    auto none = SurveyReader::open(options);
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().find("no GPS found for video"), std::string::npos) << none.error();
    EXPECT_NE(none.error().find(".gpx"), std::string::npos) << none.error();
    EXPECT_NE(none.error().find("--track"), std::string::npos) << none.error();

    // A sidecar (its content decides the format, not its name: NMEA in a .log).
    std::string nmea;
    for (const auto& f : pathFixes(-2, 8))
        nmea += nmeaRmc(f) + "\n";
    writeFile(dir.path() / "GH010050.log", nmea);
    ASSERT_TRUE(setMp4CreationTime(video, kT0));
    auto sidecar = SurveyReader::open(options);
    ASSERT_TRUE(sidecar) << sidecar.error();
    EXPECT_EQ((*sidecar)->summary().track_source, "sidecar");
    EXPECT_EQ((*sidecar)->summary().track_format, "NMEA");

    // Telemetry inside the video wins over the sidecar.
    ASSERT_TRUE(sample::embedGpmf(video, goproFixes(0, 4), kT0));
    auto embedded = SurveyReader::open(options);
    ASSERT_TRUE(embedded) << embedded.error();
    const IngestSummary& s = (*embedded)->summary();
    EXPECT_EQ(s.track_source, "video telemetry");
    EXPECT_EQ(s.track_format, "GoPro GPMF");
    ASSERT_TRUE(s.telemetry);
    EXPECT_GT(s.telemetry->positions_read, 60);
    int frames = 0;
    while (auto frame = (*embedded)->next()) {
        ++frames;
        // Each frame where the path was at its time (the fixes are exact here).
        double e, n, e_true, n_true;
        Utm31 utm;
        utm.toUtm(frame->lon, frame->lat, e, n);
        const auto p = pathAt(frame->time - kT0);
        e_true = p.e, n_true = p.n;
        EXPECT_NEAR(e, e_true, 0.3);
        EXPECT_NEAR(n, n_true, 0.3);
    }
    EXPECT_GT(frames, 5);
    EXPECT_EQ((*embedded)->summary().videos.front().start_source, "its GPS telemetry");
}

TEST(VideoGpsSource, ChaptersFormOneRecordingAndAChapterWithoutGpsIsRefused)
{
    TempDir dir;
    const fs::path first = dir.path() / "GH010060.MP4", second = dir.path() / "GH020060.MP4";
    writeVideo(first, 60);
    writeVideo(second, 60);
    ASSERT_TRUE(sample::embedGpmf(first, goproFixes(0, 2), kT0));
    auto alone = readVideoGps({first, second});
    ASSERT_FALSE(alone);
    EXPECT_NE(alone.error().find("GH020060.MP4 holds no GPS telemetry"), std::string::npos) << alone.error();
    ASSERT_TRUE(sample::embedGpmf(second, goproFixes(2, 4), kT0 + 2));
    auto both = readVideoGps({first, second});
    ASSERT_TRUE(both && *both) << (both ? "" : both.error());
    ASSERT_EQ((*both)->file_starts.size(), 2u);
    EXPECT_NEAR((*both)->file_starts[1] - (*both)->file_starts[0], 2.0, 0.01);
    EXPECT_GE((*both)->fixes.size(), 70u);
    EXPECT_TRUE(std::is_sorted((*both)->fixes.begin(), (*both)->fixes.end(),
                               [](const GpsFix& a, const GpsFix& b) { return a.time < b.time; }));
}

} // namespace
