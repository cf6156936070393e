#include "voirie/core/ingest/camera_metadata.hpp"

#include "voirie/core/ingest/mp4_tracks.hpp"

namespace voirie {
namespace {

constexpr uint64_t kSettingsLimit = 1 << 20; // a GoPro's settings box is a few hundred bytes

} // namespace

std::string CameraMetadata::cameraName() const
{
    if (make.empty())
        return {};
    std::string name = make;
    if (!gopro.model.empty())
        name += " " + gopro.model;
    if (!gopro.firmware.empty())
        name += " (firmware " + gopro.firmware + ")";
    return name;
}

CameraMetadata readCameraMetadata(const std::filesystem::path& video)
{
    CameraMetadata out;
    auto file = Mp4File::open(video);
    if (!file)
        return out;
    const Mp4Movie movie = readMp4Movie(*file);
    if (!movie.moov)
        return out;
    bool seen_gopro = false;
    // moov/udta/GPMF: the settings the camera recorded with (HERO6 and later); moov/udta/FIRM:
    // the firmware (HERO5).
    for (const Mp4Box& udta : file->children(*movie.moov)) {
        if (udta.type != "udta")
            continue;
        bool damaged = false;
        for (const Mp4Box& item : file->children(udta, &damaged)) {
            if (item.type == "GPMF") {
                if (auto bytes = file->payload(item, kSettingsLimit)) {
                    parseGpmfSettings(*bytes, out.gopro);
                    seen_gopro = true;
                }
            } else if (item.type == "FIRM" && out.gopro.firmware.empty()) {
                if (auto bytes = file->payload(item, 256))
                    out.gopro.firmware = printableText(*bytes);
            }
        }
        if (damaged)
            out.problems.push_back("the movie's user data box is damaged");
    }
    // The telemetry's device name where the settings give no model (HERO5, HERO6 without them).
    for (const Mp4Track& track : movie.tracks)
        if (track.format == "gpmd" && !track.samples.empty()) {
            seen_gopro = true;
            if (out.gopro.model.empty())
                if (auto bytes = file->read(track.samples.front().offset, track.samples.front().size, kSettingsLimit))
                    parseGpmfSettings(*bytes, out.gopro);
            break;
        }
    if (out.gopro.damaged)
        out.problems.push_back("the camera's GPMF settings are damaged");
    if (seen_gopro)
        out.make = "GoPro";
    return out;
}

} // namespace voirie
