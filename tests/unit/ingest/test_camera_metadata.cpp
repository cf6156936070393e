// What a video says about its camera: a GoPro's settings box (model, lens mode, diagonal field of
// view) and the device name in its telemetry, from generated files and real GoPro payloads.
#include "survey_fixtures.hpp"

#include "voirie/core/ingest/camera_metadata.hpp"
#include "voirie/core/ingest/gpmf_parser.hpp"
#include "voirie/sample/mp4_gps_embedding.hpp"

#include <gtest/gtest.h>

namespace {

using namespace voirie::test;
const std::filesystem::path kGoPro = std::filesystem::path(VOIRIE_SOURCE_DIR) / "tests/data/telemetry/gopro";

TEST(CameraMetadata, ReadsTheLensFromAGoProsSettingsBox)
{
    TempDir dir;
    const auto video = dir / "GX010042.MP4";
    writeVideo(video, 10, 10, {64, 48});
    EXPECT_TRUE(voirie::readCameraMetadata(video).empty()) << "a plain video says nothing of its camera";

    auto made = voirie::sample::embedGoProSettings(video, "HERO8 Black", "L", 92.5);
    ASSERT_TRUE(made) << made.error();
    const auto metadata = voirie::readCameraMetadata(video);
    EXPECT_EQ(metadata.make, "GoPro");
    EXPECT_EQ(metadata.gopro.model, "HERO8 Black");
    EXPECT_EQ(metadata.gopro.lens_mode, "L");
    ASSERT_TRUE(metadata.gopro.diagonal_fov_deg);
    EXPECT_NEAR(*metadata.gopro.diagonal_fov_deg, 92.5, 1e-4);
    EXPECT_EQ(metadata.cameraName(), "GoPro HERO8 Black");
    EXPECT_TRUE(metadata.problems.empty());
}

TEST(CameraMetadata, NamesTheCameraFromARealPayloadsFirstDevice)
{
    voirie::GpmfSettings hero6;
    voirie::parseGpmfSettings(readFile(kGoPro / "hero6.raw"), hero6);
    EXPECT_EQ(hero6.model, "Hero6 Black");
    EXPECT_TRUE(hero6.lens_mode.empty());
    EXPECT_FALSE(hero6.diagonal_fov_deg);
    EXPECT_FALSE(hero6.damaged);

    voirie::GpmfSettings hero5; // names its device "Camera": no model
    voirie::parseGpmfSettings(readFile(kGoPro / "hero5.raw"), hero5);
    EXPECT_TRUE(hero5.model.empty());

    // A HERO5 on a Karma drone: the drone is the second device, not the camera.
    const auto karma = voirie::readCameraMetadata(kGoPro / "karma-telemetry-only.mp4");
    EXPECT_EQ(karma.make, "GoPro");
    EXPECT_EQ(karma.gopro.model.find("Karma"), std::string::npos) << karma.gopro.model;
    EXPECT_TRUE(karma.gopro.lens_mode.empty());
}

TEST(CameraMetadata, ASettingsPayloadCutShortIsMarkedDamagedNotMisread)
{
    std::string payload = voirie::sample::gpmfSettingsPayload("HERO9 Black", "W", 121.0);
    voirie::GpmfSettings whole;
    voirie::parseGpmfSettings(payload, whole);
    EXPECT_EQ(whole.lens_mode, "W");
    EXPECT_FALSE(whole.damaged);
    voirie::GpmfSettings cut;
    voirie::parseGpmfSettings(payload.substr(0, payload.size() - 6), cut); // inside ZFOV
    EXPECT_TRUE(cut.damaged);
    EXPECT_FALSE(cut.diagonal_fov_deg);
}

} // namespace
