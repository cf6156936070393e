#include "survey_fixtures.hpp"

#include "voirie/core/base/time_format.hpp"
#include "voirie/core/ingest/nmea_parser.hpp"

#include <gtest/gtest.h>

namespace {

using namespace voirie::test;

TEST(Nmea, MergesRmcAndGgaAndVerifiesChecksums)
{
    auto fixes = pathFixes(0, 4);
    std::string log;
    for (const auto& f : fixes)
        log += nmeaRmc(f) + "\r\n" + nmeaGga(f, 1, 0.8) + "\r\n";
    log += "$GPGSV,3,1,11,03,03,111,00,04,15,270,00,06,01,010,00,13,06,292,00*74\r\n";
    auto track = voirie::parseNmea(log);
    ASSERT_EQ(track.fixes.size(), 5u);
    EXPECT_EQ(track.stats.bad_checksum, 0);
    for (size_t i = 0; i < fixes.size(); ++i) {
        EXPECT_NEAR(track.fixes[i].time, fixes[i].t, 1e-3);
        EXPECT_NEAR(track.fixes[i].lat, fixes[i].lat, 1e-7);
        EXPECT_NEAR(track.fixes[i].lon, fixes[i].lon, 1e-7);
        ASSERT_TRUE(track.fixes[i].hdop);
        EXPECT_DOUBLE_EQ(*track.fixes[i].hdop, 0.8);
    }
}

TEST(Nmea, RejectsBadChecksumVoidStatusAndNoFix)
{
    auto fixes = pathFixes(0, 5);
    std::string bad = nmeaRmc(fixes[0]);
    bad[bad.size() - 1] = bad[bad.size() - 1] == '0' ? '1' : '0'; // corrupt the checksum
    std::string log = bad + "\n" + nmeaRmc(fixes[1], 'V') + "\n" + nmeaGga(fixes[2], 0) + "\n" +
                      "$GPRMC,102003.00,A,4851.0,N,00221.0,E,0,0,040526,,,A\n" + // no checksum
                      nmeaRmc(fixes[4]) + "\n" + nmeaRmc(fixes[5]) + "\n";
    auto track = voirie::parseNmea(log);
    EXPECT_EQ(track.stats.sentences, 6);
    EXPECT_EQ(track.stats.bad_checksum, 2);
    EXPECT_EQ(track.stats.void_rmc, 1);
    EXPECT_EQ(track.stats.no_fix_gga, 1);
    ASSERT_EQ(track.fixes.size(), 2u);
    EXPECT_NEAR(track.fixes[0].time, fixes[4].t, 1e-3);
}

TEST(Nmea, GgaTakesTheDateAcrossMidnight)
{
    const double midnight = voirie::unixFromUtc(2026, 5, 5, 0, 0, 0);
    Fix before{midnight - 1, 2.35, 48.85}, after{midnight + 1, 2.3501, 48.85};
    // RMC just after midnight, GGA just before it: the GGA belongs to the previous day.
    std::string log = nmeaRmc(after) + "\n" + nmeaGga(before) + "\n";
    auto track = voirie::parseNmea(log);
    ASSERT_EQ(track.fixes.size(), 2u);
    EXPECT_NEAR(track.fixes[0].time, before.t, 1e-3);
    EXPECT_NEAR(track.fixes[1].time, after.t, 1e-3);
    EXPECT_TRUE(voirie::looksLikeNmea(log));
    EXPECT_FALSE(voirie::looksLikeNmea("time,lat,lon\n1,2,3\n"));
}

TEST(Nmea, GgaWithoutAnyRmcHasNoDate)
{
    auto track = voirie::parseNmea(nmeaGga(pathFixes(0, 0)[0]) + "\n");
    EXPECT_TRUE(track.fixes.empty());
    EXPECT_EQ(track.stats.without_date, 1);
}

} // namespace
