#include "survey_fixtures.hpp"

#include "voirie/core/base/time_format.hpp"

#include <gtest/gtest.h>

namespace {

using namespace voirie::test;

TEST(TimeFormat, ParsesIsoVariantsAsUtc)
{
    EXPECT_DOUBLE_EQ(*voirie::parseIso8601("2026-05-04T10:20:00Z"), kT0);
    EXPECT_DOUBLE_EQ(*voirie::parseIso8601("2026-05-04T10:20:00.250Z"), kT0 + 0.25);
    EXPECT_DOUBLE_EQ(*voirie::parseIso8601("2026-05-04 12:20:00+02:00"), kT0);
    EXPECT_DOUBLE_EQ(*voirie::parseIso8601("2026-05-04T05:20:00-0500"), kT0);
    EXPECT_DOUBLE_EQ(*voirie::parseIso8601("2026:05:04 10:20:00"), kT0); // EXIF style
    EXPECT_DOUBLE_EQ(*voirie::parseIso8601("1970-01-01"), 0.0);
    EXPECT_FALSE(voirie::parseIso8601("yesterday"));
    EXPECT_FALSE(voirie::parseIso8601("2026-13-04T10:20:00Z"));
    EXPECT_EQ(voirie::formatIso8601(kT0 + 0.25), "2026-05-04T10:20:00.250Z");
    EXPECT_EQ(voirie::formatIso8601(kT0 + 59.9996), "2026-05-04T10:21:00.000Z");
}

} // namespace
