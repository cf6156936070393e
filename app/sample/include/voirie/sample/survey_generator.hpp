// The synthetic survey generator: dash-cam footage of a road with known damage, its GPS track,
// camera, exact ground truth, a basemap and still frames (`voirie sample`).
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/geo/camera_model.hpp"

#include <opencv2/core.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace voirie::sample {

struct GeneratorSettings {
    uint64_t seed = 1;
    double length_m = 400;
    double speed_kmh = 40;
    double fps = 30;
    int width = 1280, height = 720;
    double damage_per_km = 40;
    bool clean = false;
    double gps_noise_m = 1.7; // per-axis standard deviation of the GPS error (0: a perfect receiver)
    double camera_height_m = 1.3;
    double camera_pitch_deg = 12;
    double camera_hfov_deg = 90;
    double camera_roll_deg = 0;
    // The camera's clock against GPS time: the container's creation time is the first frame's
    // UTC plus this (whole seconds are what MP4 stores: it is rounded). GoPros write local time.
    double clock_offset_s = 0;
    bool stills_only = false; // render only the stills (no video): image-level tests and tuning
    // GPS recorded inside the video as cameras do: "gpmf" (a GoPro's 18 Hz GPS5 track), "novatek"
    // (a dash-cam's 1 Hz records); empty: none (survey.gpx is written in every case).
    std::string embed_gps;
    // The lens recorded in the video as a GoPro from the HERO8 on does (moov/udta/GPMF: a model,
    // the Linear lens mode and the diagonal field of view), so that calibration can read it.
    bool lens_metadata = false;
    // A later campaign of the same road (`voirie sample --evolve-from`): the years between each
    // campaign and the one before, first to last; empty for a first campaign. The road's defects
    // evolve step by step (grown, repaired, new); the drive is the last campaign's own: another
    // speed around `speed_kmh`, another line in the lane, another GPS error and day.
    std::vector<int> evolution_years;
};

// One defect as the truth file records it; geometry as lon/lat vertices.
struct TruthDefect {
    int id = 0;
    std::string class_code;
    std::string severity; // L M H
    std::string geometry_type; // Point, LineString, Polygon
    std::vector<std::pair<double, double>> lon_lat;
    double length_m = 0, area_m2 = 0, width_mm = 0, depth_m = 0;
    double chainage_m = 0; // along the road from the survey start
    // In a later campaign: "new", "unchanged" or "grown", and the defect's id in the campaign
    // before (0 for a new one). Empty and 0 in a first campaign.
    std::string change;
    int previous_id = 0;
};

struct PixelBoxTruth {
    int damage_id;
    std::string class_code;
    double x, y, width, height; // everything of the defect that projects into the frame
    // Clear enough that a detector should find it: at least half of it 2-25 m ahead and in the
    // frame, cracks at least 0.3 px wide there, areas at least 10 x 5 px. Stills truth lists only
    // these.
    bool scored = false;
};

// The settings a folder written by `voirie sample` was made with (its survey.json): enough to
// generate the same survey again (its road, defects and drive); one sentence when it cannot be read.
Result<GeneratorSettings> readGeneratorSettings(const std::filesystem::path& folder);

class SurveyGenerator {
public:
    explicit SurveyGenerator(const GeneratorSettings& settings);
    ~SurveyGenerator();

    int frameCount() const;
    // The frame as the camera saw it (before video compression), deterministic for a seed.
    cv::Mat renderFrame(int frame_index);
    // Pixel boxes of the defects in view in a frame.
    std::vector<PixelBoxTruth> visibleDefects(int frame_index) const;
    const std::vector<TruthDefect>& truth() const;
    // The previous campaign's ids of the defects repaired since (later campaigns only).
    std::vector<int> repairedIds() const;
    int campaign() const; // 0 for a first campaign
    CameraModel camera() const;
    double videoStartUtc() const;
    // Where the camera truly is (lon, lat) at a time in seconds since the first frame.
    std::pair<double, double> truePosition(double seconds_since_start) const;

    // The road's own texture (BGR, as painted on the road before any camera saw it) at lon/lat
    // points, bilinear between texels; black away from the road's texture. What a surface mosaic
    // of this survey should show there (`voirie eval-surface`).
    std::vector<cv::Vec3b> groundColours(const std::vector<std::pair<double, double>>& lon_lat);

    // Writes the whole survey into `folder`; `progress` gets (frames written, total).
    Status write(const std::filesystem::path& folder, const std::function<void(int, int)>& progress = {});

    static std::string placeDescription();

private:
    Status writeVideo(const std::filesystem::path& video, const std::set<int>& stills,
                      const std::function<Status(int, const cv::Mat&)>& record_still,
                      const std::function<void(int, int)>& progress);
    Status writeSurveyJson(const std::filesystem::path& path) const;
    Status embedGps(const std::filesystem::path& video) const;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace voirie::sample
