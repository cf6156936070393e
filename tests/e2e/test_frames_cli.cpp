// `voirie frames` on generated surveys: positions against the analytic path, timelines over
// several files, container times, photos, GeoPackage output, and every bad input. The tracks
// here are exact, so smoothing is off (--smooth-s 0): these check interpolation, not filtering.
#include "survey_fixtures.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;
using namespace voirie::test;

const std::string kVoirie = VOIRIE_CLI;

CommandResult voirie(const std::string& args) { return runCommand(shellQuoted(kVoirie) + " " + args); }

#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

// Checks every frame against the analytic path at its own time.
void expectOnPath(const nlohmann::json& frames, double video_start_s)
{
    Utm31 utm;
    ASSERT_FALSE(frames.empty());
    for (const auto& f : frames) {
        const double t = video_start_s + f["pts_ms"].get<double>() / 1000.0;
        const auto truth = pathAt(t);
        double e, n;
        utm.toUtm(f["lon"].get<double>(), f["lat"].get<double>(), e, n);
        EXPECT_LT(std::hypot(e - truth.e, n - truth.n), 0.5) << f.dump();
        EXPECT_NEAR(f["chainage_m"].get<double>(), truth.chainage, 0.005 * truth.chainage + 0.05) << f.dump();
    }
}

struct Survey {
    TempDir dir;
    Survey(int frames = 300, double track_from = -3, double track_to = 15)
    {
        writeVideo(dir / "v.mp4", frames);
        writeGpx(dir / "t.gpx", pathFixes(track_from, track_to));
    }
    std::string base() const
    {
        return "frames --smooth-s 0 --json --video " + shellQuoted(dir / "v.mp4") + " --track " + shellQuoted(dir / "t.gpx");
    }
};

TEST(FramesCli, PositionsMatchTheTruePathEveryThreeMetres)
{
    Survey s; // 10 s of video at 10 m/s, starting at kT0 + 2 s
    auto r = voirie(s.base() + " --video-start " + iso(kT0 + 2));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    const auto& frames = doc["frames"];
    EXPECT_GE(frames.size(), 33u);
    EXPECT_LE(frames.size(), 34u); // 100 m / 3 m
    expectOnPath(frames, 2);
    EXPECT_EQ(frames[0]["file"], (s.dir / "v.mp4").string());
    EXPECT_EQ(frames[0]["time"], "2026-05-04T10:20:02.000Z");
    for (const char* key : {"file", "time", "pts_ms", "lon", "lat", "heading_deg", "speed_mps", "chainage_m"})
        EXPECT_TRUE(frames[1].contains(key)) << key;
    for (size_t i = 1; i < frames.size(); ++i)
        EXPECT_GE(frames[i]["chainage_m"].get<double>() - frames[i - 1]["chainage_m"].get<double>(), 3.0);
    const auto& summary = doc["summary"];
    EXPECT_EQ(summary["frames_decoded"], 300);
    EXPECT_EQ(summary["frames_sampled"], frames.size());
    EXPECT_EQ(summary["videos"][0]["start_source"], "--video-start");
    EXPECT_EQ(summary["videos"][0]["partial"], false);
    EXPECT_EQ(summary["track"]["format"], "GPX");
    EXPECT_EQ(summary["track"]["fixes_used"], 19);
    EXPECT_CONTAINS(summary["camera"]["source"].get<std::string>(), "default dash-cam");
}

TEST(FramesCli, TimeOffsetEverySecondsAndEveryFrame)
{
    Survey s;
    // The camera clock runs 60 s behind the GPS: --time-offset puts it right.
    auto shifted = voirie(s.base() + " --video-start " + iso(kT0 - 58) + " --time-offset 60 --every-s 1");
    ASSERT_EQ(shifted.exit_code, 0) << shifted.err;
    auto doc = nlohmann::json::parse(shifted.out);
    EXPECT_EQ(doc["frames"].size(), 10u);
    expectOnPath(doc["frames"], 2);
    auto all = voirie(s.base() + " --video-start " + iso(kT0 + 2) + " --every-frame");
    ASSERT_EQ(all.exit_code, 0) << all.err;
    EXPECT_EQ(nlohmann::json::parse(all.out)["frames"].size(), 300u);
    auto both = voirie(s.base() + " --video-start " + iso(kT0 + 2) + " --every-frame --every-m 2");
    EXPECT_EQ(both.exit_code, 2);
}

TEST(FramesCli, SeveralFilesFormOneTimelineAndContainerTimesAreUsed)
{
    TempDir dir;
    writeVideo(dir / "a.mp4", 90);
    writeVideo(dir / "b.mp4", 90);
    writeGpx(dir / "t.gpx", pathFixes(0, 20));
    const std::string files = " --video " + shellQuoted(dir / "a.mp4") + " --video " + shellQuoted(dir / "b.mp4") +
                              " --track " + shellQuoted(dir / "t.gpx") + " --json --every-frame";
    auto follows = voirie("frames --smooth-s 0" + files + " --video-start " + iso(kT0 + 1));
    ASSERT_EQ(follows.exit_code, 0) << follows.err;
    auto doc = nlohmann::json::parse(follows.out);
    ASSERT_EQ(doc["frames"].size(), 180u);
    EXPECT_EQ(doc["frames"][90]["file"], (dir / "b.mp4").string());
    EXPECT_EQ(doc["frames"][90]["time"], "2026-05-04T10:20:04.000Z"); // 1 s + 90 frames at 30 fps
    EXPECT_EQ(doc["summary"]["videos"][1]["start_source"], "follows previous file");

    // Container times: b was started 10 s after a (a pause in recording).
    ASSERT_TRUE(setMp4CreationTime(dir / "a.mp4", kT0 + 1));
    ASSERT_TRUE(setMp4CreationTime(dir / "b.mp4", kT0 + 11));
    auto container = voirie("frames --smooth-s 0" + files);
    ASSERT_EQ(container.exit_code, 0) << container.err;
    doc = nlohmann::json::parse(container.out);
    EXPECT_EQ(doc["summary"]["videos"][0]["start_source"], "container");
    EXPECT_EQ(doc["frames"][0]["time"], "2026-05-04T10:20:01.000Z");
    EXPECT_EQ(doc["frames"][90]["time"], "2026-05-04T10:20:11.000Z");
}

TEST(FramesCli, NoStartTimeAndNonOverlappingTimesExplainThemselves)
{
    Survey s;
    auto no_start = voirie(s.base());
    EXPECT_EQ(no_start.exit_code, 1);
    EXPECT_CONTAINS(no_start.err, "has no recording time in its container; give --video-start");

    auto apart = voirie(s.base() + " --video-start " + iso(kT0 + 3600));
    EXPECT_EQ(apart.exit_code, 1);
    EXPECT_CONTAINS(apart.err, "does not overlap the track's 2026-05-04T10:19:57.000Z to 2026-05-04T10:20:15.000Z");
    EXPECT_CONTAINS(apart.err, "--time-offset -3603.0 would align their starts");

    auto bad_time = voirie(s.base() + " --video-start tomorrow");
    EXPECT_EQ(bad_time.exit_code, 2);
    EXPECT_CONTAINS(bad_time.err, "ISO 8601");
}

TEST(FramesCli, GapsSkipFramesAndCountThem)
{
    TempDir dir;
    writeVideo(dir / "v.mp4", 300);
    auto fixes = pathFixes(0, 4);
    auto later = pathFixes(10, 14); // 6 s without fixes
    fixes.insert(fixes.end(), later.begin(), later.end());
    writeGpx(dir / "t.gpx", fixes);
    auto r = voirie("frames --smooth-s 0 --json --every-frame --video " + shellQuoted(dir / "v.mp4") + " --track " +
                    shellQuoted(dir / "t.gpx") + " --video-start " + iso(kT0));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["summary"]["track"]["segments"], 2);
    EXPECT_EQ(doc["summary"]["frames_skipped_in_gaps"], 179); // (4, 10) s exclusive at 30 fps
    EXPECT_EQ(doc["summary"]["frames_outside_track"], 0);
    for (const auto& f : doc["frames"]) {
        const double t = f["pts_ms"].get<double>() / 1000.0;
        EXPECT_TRUE(t <= 4.0 || t >= 10.0) << f.dump();
    }
}

TEST(FramesCli, TrackFormatsAndNmeaProblems)
{
    Survey s;
    auto fixes = pathFixes(-3, 15);
    std::string nmea;
    for (const auto& f : fixes)
        nmea += nmeaRmc(f) + "\n" + nmeaGga(f) + "\n";
    writeFile(s.dir / "t.nmea", nmea);
    writeCsv(s.dir / "t.csv", fixes, "time,lat,lon,alt", true);
    for (const char* track : {"t.nmea", "t.csv"}) {
        auto r = voirie("frames --smooth-s 0 --json --video " + shellQuoted(s.dir / "v.mp4") + " --track " +
                        shellQuoted(s.dir / track) + " --video-start " + iso(kT0 + 2));
        ASSERT_EQ(r.exit_code, 0) << track << ": " << r.err;
        expectOnPath(nlohmann::json::parse(r.out)["frames"], 2);
    }

    std::string corrupt;
    for (const auto& f : fixes) {
        auto line = nmeaRmc(f);
        line.back() = line.back() == 'F' ? 'E' : 'F';
        corrupt += line + "\n";
    }
    writeFile(s.dir / "bad.nmea", corrupt);
    auto bad = voirie("frames --smooth-s 0 --video " + shellQuoted(s.dir / "v.mp4") + " --track " + shellQuoted(s.dir / "bad.nmea") +
                      " --video-start " + iso(kT0));
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_CONTAINS(bad.err, "has no usable fix: 19 sentences, 19 with a bad or missing checksum");

    writeGpx(s.dir / "one.gpx", pathFixes(0, 0));
    auto one = voirie("frames --smooth-s 0 --video " + shellQuoted(s.dir / "v.mp4") + " --track " + shellQuoted(s.dir / "one.gpx") +
                      " --video-start " + iso(kT0));
    EXPECT_EQ(one.exit_code, 1);
    EXPECT_CONTAINS(one.err, "has 1 valid fix(es)");

    writeFile(s.dir / "t.xyz", "\x01\x02 binary junk");
    auto unknown = voirie("frames --smooth-s 0 --video " + shellQuoted(s.dir / "v.mp4") + " --track " + shellQuoted(s.dir / "t.xyz") +
                          " --video-start " + iso(kT0));
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_CONTAINS(unknown.err, "is not in a format Voirie reads");

    writeFile(s.dir / "cols.csv", "a,b,c\n1,2,3\n");
    auto cols = voirie("frames --smooth-s 0 --video " + shellQuoted(s.dir / "v.mp4") + " --track " + shellQuoted(s.dir / "cols.csv") +
                       " --video-start " + iso(kT0));
    EXPECT_EQ(cols.exit_code, 1);
    EXPECT_CONTAINS(cols.err, "cannot identify the latitude, longitude, time column(s)");
}

TEST(FramesCli, BrokenVideosAreNamed)
{
    Survey s;
    writeFile(s.dir / "text.mp4", "this is not a video");
    auto text = voirie("frames --smooth-s 0 --video " + shellQuoted(s.dir / "text.mp4") + " --track " + shellQuoted(s.dir / "t.gpx") +
                       " --video-start " + iso(kT0));
    EXPECT_EQ(text.exit_code, 1);
    EXPECT_CONTAINS(text.err, "video " + (s.dir / "text.mp4").string() + " cannot be opened: it is not a video");
    EXPECT_EQ(text.err.find("recording is cut"), std::string::npos) << text.err; // not taken for a cut recording

    // A container that declares frames none of which decode.
    writeVideo(s.dir / "empty.mp4", 30);
    std::string empty = readFile(s.dir / "empty.mp4");
    const auto media = empty.find("mdat");
    ASSERT_NE(media, std::string::npos);
    for (size_t i = media + 4; i < empty.size() && empty.compare(i, 4, "moov") != 0; ++i)
        empty[i] = 0;
    writeFile(s.dir / "empty.mp4", empty);
    auto no_frames = voirie("frames --smooth-s 0 --video " + shellQuoted(s.dir / "empty.mp4") + " --track " +
                            shellQuoted(s.dir / "t.gpx") + " --video-start " + iso(kT0));
    EXPECT_EQ(no_frames.exit_code, 1);
    EXPECT_CONTAINS(no_frames.err, "empty.mp4");

    auto missing = voirie("frames --smooth-s 0 --video " + shellQuoted(s.dir / "none.mp4") + " --track " + shellQuoted(s.dir / "t.gpx") +
                          " --video-start " + iso(kT0));
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_CONTAINS(missing.err, "none.mp4 does not exist");

    // Truncated: the container (moov at the end for OpenCV's writer) survives only if we cut the
    // media data; cut bytes out of the middle of mdat so the index promises more than decodes.
    std::string data = readFile(s.dir / "v.mp4");
    const auto mdat = data.find("mdat");
    ASSERT_NE(mdat, std::string::npos);
    const auto moov = data.find("moov");
    ASSERT_NE(moov, std::string::npos);
    if (moov > mdat) { // zero the second half of the media data: frames there fail to decode
        for (size_t i = mdat + (moov - mdat) / 2; i < moov - 8; ++i)
            data[i] = 0;
    }
    writeFile(s.dir / "cut.mp4", data);
    auto cut = voirie("frames --smooth-s 0 --json --every-frame --video " + shellQuoted(s.dir / "cut.mp4") + " --track " +
                      shellQuoted(s.dir / "t.gpx") + " --video-start " + iso(kT0 + 2));
    // Damaged MPEG-4 part 2 frames may still "decode" as grey: then the file is reported whole;
    // either way the run must not crash and must report what it decoded.
    ASSERT_TRUE(cut.exit_code == 0 || cut.exit_code == 1) << cut.err;
    auto doc = nlohmann::json::parse(cut.out);
    EXPECT_GT(doc["summary"]["videos"][0]["frames_decoded"].get<int>(), 0);
    if (doc["summary"]["videos"][0]["partial"].get<bool>()) {
        EXPECT_EQ(cut.exit_code, 1);
        EXPECT_CONTAINS(cut.err, "decoding stopped before the end");
    }
}

TEST(FramesCli, TruncatedFileIsReportedPartial)
{
    TempDir dir;
    // Faststart-free MP4 cut short: FFmpeg cannot open it at all (the index is at the end)...
    writeVideo(dir / "v.mp4", 120);
    writeGpx(dir / "t.gpx", pathFixes(0, 10));
    std::string data = readFile(dir / "v.mp4");
    writeFile(dir / "head.mp4", data.substr(0, data.size() / 2));
    auto head = voirie("frames --smooth-s 0 --video " + shellQuoted(dir / "head.mp4") + " --track " + shellQuoted(dir / "t.gpx") +
                       " --video-start " + iso(kT0));
    EXPECT_EQ(head.exit_code, 1);
    EXPECT_CONTAINS(head.err, "head.mp4");
    // ...while an AVI cut in half still opens, declares 120 frames and decodes only some.
    cv::VideoWriter writer((dir / "v.avi").string(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 30,
                           cv::Size(320, 240));
    for (int i = 0; i < 120; ++i)
        writer.write(cv::Mat(240, 320, CV_8UC3, cv::Scalar::all(i)));
    writer.release();
    std::string avi = readFile(dir / "v.avi");
    writeFile(dir / "cut.avi", avi.substr(0, avi.size() / 2));
    auto cut = voirie("frames --smooth-s 0 --json --every-frame --video " + shellQuoted(dir / "cut.avi") + " --track " +
                      shellQuoted(dir / "t.gpx") + " --video-start " + iso(kT0));
    if (cut.exit_code == 1 && cut.out.empty()) { // this FFmpeg refuses the cut AVI outright: still named
        EXPECT_CONTAINS(cut.err, "cut.avi");
        return;
    }
    EXPECT_EQ(cut.exit_code, 1) << cut.err;
    auto doc = nlohmann::json::parse(cut.out);
    const auto& v = doc["summary"]["videos"][0];
    EXPECT_TRUE(v["partial"].get<bool>()) << v.dump();
    EXPECT_LT(v["frames_decoded"].get<int>(), 120);
    EXPECT_GT(v["frames_decoded"].get<int>(), 0);
    EXPECT_CONTAINS(cut.err, "decoding stopped before the end");
}

TEST(FramesCli, PhotosWithExifGps)
{
    TempDir dir;
    fs::create_directories(dir / "photos");
    GDALAllRegister();
    auto fixes = pathFixes(0, 30, 0.5); // a photo every 5 m
    for (size_t i = 0; i < fixes.size(); ++i) {
        GDALDatasetUniquePtr mem(GetGDALDriverManager()->GetDriverByName("MEM")->Create("", 64, 48, 3, GDT_Byte, nullptr));
        auto dms = [](double v) {
            v = std::abs(v);
            const int d = int(v), m = int((v - d) * 60);
            return "(" + std::to_string(d) + ") (" + std::to_string(m) + ") (" + std::to_string((v - d - m / 60.0) * 3600) + ")";
        };
        const auto t = static_cast<std::time_t>(fixes[i].t);
        std::tm u{};
        gmtime_r(&t, &u);
        char date[16], time[40];
        std::snprintf(date, sizeof(date), "%04d:%02d:%02d", u.tm_year + 1900, u.tm_mon + 1, u.tm_mday);
        std::snprintf(time, sizeof(time), "(%d) (%d) (%.2f)", u.tm_hour, u.tm_min, u.tm_sec + (fixes[i].t - double(t)));
        mem->SetMetadataItem("EXIF_GPSLatitude", dms(fixes[i].lat).c_str());
        mem->SetMetadataItem("EXIF_GPSLatitudeRef", "N");
        mem->SetMetadataItem("EXIF_GPSLongitude", dms(fixes[i].lon).c_str());
        mem->SetMetadataItem("EXIF_GPSLongitudeRef", "E");
        mem->SetMetadataItem("EXIF_GPSDateStamp", date);
        mem->SetMetadataItem("EXIF_GPSTimeStamp", time);
        char name[32];
        std::snprintf(name, sizeof(name), "IMG_%04zu.jpg", i);
        GDALDatasetUniquePtr(GetGDALDriverManager()->GetDriverByName("JPEG")->CreateCopy(
            (dir / "photos" / name).string().c_str(), mem.get(), FALSE, nullptr, nullptr, nullptr));
    }
    writeFile(dir / "photos" / "notes.jpg", "not a jpeg");
    auto r = voirie("frames --json --photos " + shellQuoted(dir / "photos"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["summary"]["source"], "photos");
    EXPECT_EQ(doc["summary"]["photos_unreadable"], 1);
    EXPECT_EQ(doc["summary"]["track"]["format"], "EXIF");
    ASSERT_EQ(doc["frames"].size(), fixes.size());
    Utm31 utm;
    for (size_t i = 0; i < fixes.size(); ++i) {
        double e, n;
        utm.toUtm(doc["frames"][i]["lon"].get<double>(), doc["frames"][i]["lat"].get<double>(), e, n);
        const auto truth = pathAt(fixes[i].t - kT0);
        EXPECT_LT(std::hypot(e - truth.e, n - truth.n), 0.5) << i;
    }
}

TEST(FramesCli, WritesTrackAndFramesToGeoPackage)
{
    Survey s;
    const auto out = s.dir / "frames.gpkg";
    const std::string args = "frames --smooth-s 0 --video " + shellQuoted(s.dir / "v.mp4") + " --track " + shellQuoted(s.dir / "t.gpx") +
                             " --video-start " + iso(kT0 + 2) + " --out " + shellQuoted(out);
    auto r = voirie(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(out.string().c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(ds);
    OGRLayer* frames = ds->GetLayerByName("frames");
    OGRLayer* track = ds->GetLayerByName("track");
    ASSERT_TRUE(frames && track);
    EXPECT_GE(frames->GetFeatureCount(), 33);
    EXPECT_EQ(track->GetFeatureCount(), 1);
    EXPECT_EQ(frames->GetSpatialRef()->GetAuthorityCode(nullptr), std::string("4326"));
    OGRFeatureUniquePtr first(frames->GetNextFeature());
    EXPECT_NEAR(first->GetFieldAsDouble("chainage_m"), 20.0, 0.5);
    EXPECT_EQ(std::string(first->GetFieldAsString("file")), "v.mp4");

    auto again = voirie(args);
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_CONTAINS(again.err, "already exists; pass --overwrite");
    EXPECT_EQ(voirie(args + " --overwrite").exit_code, 0);
    auto unwritable = voirie("frames --smooth-s 0 --video " + shellQuoted(s.dir / "v.mp4") + " --track " + shellQuoted(s.dir / "t.gpx") +
                             " --video-start " + iso(kT0 + 2) + " --out /nonexistent/dir/x.gpkg");
    EXPECT_EQ(unwritable.exit_code, 1);
    EXPECT_CONTAINS(unwritable.err, "folder /nonexistent/dir does not exist");
    for (const auto& entry : fs::directory_iterator(s.dir.path()))
        EXPECT_EQ(entry.path().filename().string().find(".partial-"), std::string::npos) << "temporary left behind";
}

} // namespace
