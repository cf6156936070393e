#include "survey_fixtures.hpp"

#include "voirie/core/geo/camera_file.hpp"
#include "voirie/core/ingest/mp4_creation_time.hpp"
#include "voirie/core/ingest/track_reader.hpp"

#include <gtest/gtest.h>

namespace {

using namespace voirie::test;

void expectSameFixes(const voirie::TrackFile& file, const std::vector<Fix>& fixes)
{
    ASSERT_EQ(file.fixes.size(), fixes.size()) << file.format;
    for (size_t i = 0; i < fixes.size(); ++i) {
        EXPECT_NEAR(file.fixes[i].time, fixes[i].t, 1e-3) << file.format << " fix " << i;
        EXPECT_NEAR(file.fixes[i].lon, fixes[i].lon, 1e-8);
        EXPECT_NEAR(file.fixes[i].lat, fixes[i].lat, 1e-8);
    }
}

TEST(TrackReader, ReadsEveryFormat)
{
    TempDir dir;
    auto fixes = pathFixes(0, 12);
    writeGpx(dir / "t.gpx", fixes);
    writeGeoJsonPoints(dir / "t.geojson", fixes);
    writeKmlPoints(dir / "t.kml", fixes);
    writeCsv(dir / "iso.csv", fixes, "Timestamp,Latitude,Longitude,alt", false);
    writeCsv(dir / "epoch.csv", fixes, "unix_time,lat,lng,alt", true);
    std::string nmea;
    for (const auto& f : fixes)
        nmea += nmeaRmc(f) + "\n";
    writeFile(dir / "t.nmea", nmea);
    for (const char* name : {"t.gpx", "t.geojson", "t.kml", "iso.csv", "epoch.csv", "t.nmea"}) {
        auto file = voirie::readTrackFile(dir / name);
        ASSERT_TRUE(file.ok()) << name << ": " << file.error();
        expectSameFixes(*file, fixes);
    }
    EXPECT_EQ(voirie::readTrackFile(dir / "t.gpx")->format, "GPX");
    EXPECT_EQ(voirie::readTrackFile(dir / "t.nmea")->format, "NMEA");
    EXPECT_EQ(voirie::readTrackFile(dir / "iso.csv")->format, "CSV");
}

TEST(TrackReader, GeoJsonLineWithCoordTimes)
{
    TempDir dir;
    auto fixes = pathFixes(0, 3);
    std::string coords, times;
    for (size_t i = 0; i < fixes.size(); ++i) {
        coords += (i ? "," : "") + std::string("[") + std::to_string(fixes[i].lon) + "," + std::to_string(fixes[i].lat) + "]";
        times += (i ? ",\"" : "\"") + iso(fixes[i].t) + "\"";
    }
    writeFile(dir / "line.geojson", "{\"type\":\"Feature\",\"properties\":{\"coordTimes\":[" + times +
                                        "]},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[" + coords + "]}}");
    auto file = voirie::readTrackFile(dir / "line.geojson");
    ASSERT_TRUE(file.ok()) << file.error();
    ASSERT_EQ(file->fixes.size(), 4u);
    EXPECT_NEAR(file->fixes[3].time, fixes[3].t, 1e-3);
}

TEST(TrackReader, CsvColumnsOverrideAndUnidentifiable)
{
    TempDir dir;
    auto fixes = pathFixes(0, 3);
    writeCsv(dir / "odd.csv", fixes, "when_utc,northing_deg,easting_deg,alt", false);
    auto unknown = voirie::readTrackFile(dir / "odd.csv");
    ASSERT_FALSE(unknown.ok());
    EXPECT_NE(unknown.error().find("cannot identify the latitude, longitude, time column(s)"), std::string::npos)
        << unknown.error();
    EXPECT_NE(unknown.error().find("when_utc, northing_deg, easting_deg, alt"), std::string::npos);
    EXPECT_NE(unknown.error().find("--track-columns"), std::string::npos);

    auto columns = voirie::parseTrackColumns("lat=northing_deg,lon=easting_deg,time=when_utc");
    ASSERT_TRUE(columns.ok());
    auto file = voirie::readTrackFile(dir / "odd.csv", *columns);
    ASSERT_TRUE(file.ok()) << file.error();
    expectSameFixes(*file, fixes);

    auto absent = voirie::readTrackFile(dir / "odd.csv", *voirie::parseTrackColumns("lat=nope"));
    ASSERT_FALSE(absent.ok());
    EXPECT_NE(absent.error().find("no column named 'nope'"), std::string::npos);
    EXPECT_FALSE(voirie::parseTrackColumns("height=h").ok());
}

TEST(TrackReader, UnknownFormatAndMissingFile)
{
    TempDir dir;
    writeFile(dir / "track.bin", std::string("\x01\x02\x03garbage\xff", 11));
    auto garbage = voirie::readTrackFile(dir / "track.bin");
    ASSERT_FALSE(garbage.ok());
    EXPECT_NE(garbage.error().find("is not in a format Voirie reads"), std::string::npos) << garbage.error();
    auto missing = voirie::readTrackFile(dir / "nope.gpx");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().find("does not exist"), std::string::npos);
}

TEST(CameraFile, ReadsValidatesAndDefaults)
{
    TempDir dir;
    writeFile(dir / "hfov.json", R"({"width":1280,"height":720,"hfov_deg":90,"height_m":1.4,"pitch_deg":11})");
    auto hfov = voirie::readCameraFile(dir / "hfov.json");
    ASSERT_TRUE(hfov.ok()) << hfov.error();
    EXPECT_NEAR(hfov->fx, 640.0, 1e-9);
    EXPECT_DOUBLE_EQ(hfov->cx, 640);
    EXPECT_DOUBLE_EQ(hfov->height_m, 1.4);
    writeFile(dir / "fx.json", R"({"width":1920,"height":1080,"fx":1000,"fy":1010,"cx":950,"cy":530,"height_m":1.2,"pitch_deg":14,"roll_deg":1})");
    auto fx = voirie::readCameraFile(dir / "fx.json");
    ASSERT_TRUE(fx.ok()) << fx.error();
    EXPECT_DOUBLE_EQ(fx->fy, 1010);
    auto half = voirie::scaledTo(*fx, 960, 540);
    EXPECT_DOUBLE_EQ(half.fx, 500);
    EXPECT_DOUBLE_EQ(half.cy, 265);

    auto errorOf = [&](const std::string& json) {
        writeFile(dir / "bad.json", json);
        auto c = voirie::readCameraFile(dir / "bad.json");
        EXPECT_FALSE(c.ok()) << json;
        return c.ok() ? std::string() : c.error();
    };
    EXPECT_NE(errorOf(R"({"height":720,"hfov_deg":90,"height_m":1.3,"pitch_deg":12})").find("\"width\""), std::string::npos);
    EXPECT_NE(errorOf(R"({"width":1280,"height":720,"height_m":1.3,"pitch_deg":12})").find("hfov_deg"), std::string::npos);
    EXPECT_NE(errorOf(R"({"width":1280,"height":720,"hfov_deg":90,"pitch_deg":12})").find("height_m"), std::string::npos);
    EXPECT_NE(errorOf(R"({"width":1280,"height":720,"hfov_deg":90,"height_m":1.3,"pitch_deg":95})").find("pitch_deg"),
              std::string::npos);
    EXPECT_NE(errorOf(R"({"width":1280,"height":720,"hfov_deg":90,"height_m":"high","pitch_deg":12})").find("must be a number"),
              std::string::npos);
    EXPECT_NE(errorOf("not json").find("not valid JSON"), std::string::npos);

    auto def = voirie::defaultDashcamCamera(1280, 720);
    EXPECT_NEAR(def.fx, 640, 1e-9);
    EXPECT_FALSE(voirie::cameraProblem(def));

    ASSERT_TRUE(voirie::writeCameraFile(*fx, dir / "round.json").ok());
    auto back = voirie::readCameraFile(dir / "round.json");
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_DOUBLE_EQ(back->fx, fx->fx);
    EXPECT_DOUBLE_EQ(back->cy, fx->cy);
}

TEST(Mp4CreationTime, ReadsWhatTheContainerSays)
{
    TempDir dir;
    writeVideo(dir / "v.mp4", 5);
    EXPECT_FALSE(voirie::readMp4CreationTime(dir / "v.mp4")) << "OpenCV writes no creation time";
    ASSERT_TRUE(setMp4CreationTime(dir / "v.mp4", kT0));
    auto t = voirie::readMp4CreationTime(dir / "v.mp4");
    ASSERT_TRUE(t);
    EXPECT_DOUBLE_EQ(*t, kT0);
    writeFile(dir / "x.mp4", "not an mp4 at all");
    EXPECT_FALSE(voirie::readMp4CreationTime(dir / "x.mp4"));
}

} // namespace

namespace {

// A GPX whose writer stopped mid-file yields its complete points and says where it was cut.
TEST(TrackReader, ACutShortGpxGivesItsCompletePoints)
{
    TempDir dir;
    auto fixes = pathFixes(0, 20);
    writeGpx(dir / "whole.gpx", fixes);
    const std::string whole = readFile(dir / "whole.gpx");
    size_t cut = 0;
    for (int i = 0; i < 12; ++i)
        cut = whole.find("</trkpt>", cut) + 1;
    writeFile(dir / "cut.gpx", whole.substr(0, cut + 20)); // inside the 13th point
    auto file = voirie::readTrackFile(dir / "cut.gpx");
    ASSERT_TRUE(file.ok()) << file.error();
    expectSameFixes(*file, std::vector<Fix>(fixes.begin(), fixes.begin() + 12));
    ASSERT_EQ(file->warnings.size(), 1u);
    EXPECT_NE(file->warnings[0].find("is cut short after line"), std::string::npos) << file->warnings[0];
    EXPECT_NE(file->warnings[0].find("12 complete fixes"), std::string::npos) << file->warnings[0];

    writeFile(dir / "nothing.gpx", whole.substr(0, whole.find("<trkpt") + 10));
    EXPECT_FALSE(voirie::readTrackFile(dir / "nothing.gpx").ok());
}

TEST(TrackReader, ACutShortNmeaLogSaysSo)
{
    TempDir dir;
    auto fixes = pathFixes(0, 10);
    std::string nmea;
    for (const auto& f : fixes)
        nmea += nmeaRmc(f) + "\n";
    const std::string last = nmeaRmc(fixes.back());
    writeFile(dir / "cut.nmea", nmea + last.substr(0, last.size() / 2));
    auto file = voirie::readTrackFile(dir / "cut.nmea");
    ASSERT_TRUE(file.ok()) << file.error();
    EXPECT_EQ(file->fixes.size(), fixes.size());
    ASSERT_EQ(file->warnings.size(), 1u);
    EXPECT_NE(file->warnings[0].find("cut short inside its last sentence"), std::string::npos);
}

TEST(TrackReader, UnreadableCsvRowsAreCountedInAWarning)
{
    TempDir dir;
    std::string csv = "time,lat,lon\n";
    auto fixes = pathFixes(0, 9);
    for (size_t i = 0; i < fixes.size(); ++i)
        csv += iso(fixes[i].t) + "," + std::to_string(fixes[i].lat) + (i % 4 == 1 ? std::string(",") : "," + std::to_string(fixes[i].lon)) + "\n";
    csv += ",,\n";
    writeFile(dir / "t.csv", csv);
    auto file = voirie::readTrackFile(dir / "t.csv");
    ASSERT_TRUE(file.ok()) << file.error();
    EXPECT_EQ(file->fixes.size(), 7u);
    ASSERT_EQ(file->warnings.size(), 1u);
    EXPECT_NE(file->warnings[0].find("4 of 11 rows of CSV track"), std::string::npos) << file->warnings[0];
}

} // namespace
