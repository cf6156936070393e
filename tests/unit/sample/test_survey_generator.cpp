// The synthetic survey generator: deterministic, truth where the pixels are, honest GPS noise,
// and every output readable by the libraries that will read it.
#include "survey_fixtures.hpp"

#include "voirie/core/base/time_format.hpp"
#include "voirie/core/geo/camera_file.hpp"
#include "voirie/core/geo/local_metric_frame.hpp"
#include "voirie/core/ingest/track_reader.hpp"
#include "voirie/sample/survey_generator.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <ogrsf_frmts.h>

namespace {

using namespace voirie::test;
using voirie::sample::GeneratorSettings;
using voirie::sample::SurveyGenerator;

GeneratorSettings small(uint64_t seed, bool clean = false)
{
    GeneratorSettings s;
    s.seed = seed;
    s.length_m = 60;
    s.width = 640;
    s.height = 360;
    s.damage_per_km = 120;
    s.clean = clean;
    return s;
}

size_t hashOf(const cv::Mat& m) { return std::hash<std::string_view>()(std::string_view((const char*)m.data, m.total() * m.elemSize())); }

TEST(SurveyGenerator, SameSeedSameSurveyOtherSeedOtherSurvey)
{
    SurveyGenerator a(small(3)), b(small(3)), c(small(4));
    ASSERT_EQ(a.truth().size(), b.truth().size());
    for (size_t i = 0; i < a.truth().size(); ++i) {
        EXPECT_EQ(a.truth()[i].class_code, b.truth()[i].class_code);
        EXPECT_EQ(a.truth()[i].lon_lat, b.truth()[i].lon_lat);
    }
    for (int frame : {0, 40, 120})
        EXPECT_EQ(hashOf(a.renderFrame(frame)), hashOf(b.renderFrame(frame))) << frame;
    EXPECT_NE(hashOf(a.renderFrame(40)), hashOf(c.renderFrame(40)));
    EXPECT_NE(a.truth()[0].lon_lat, c.truth()[0].lon_lat);
}

TEST(SurveyGenerator, TruthIsWhereThePixelsDifferFromCleanRoad)
{
    SurveyGenerator damaged(small(7)), clean(small(7, true));
    ASSERT_EQ(clean.truth().size(), 0u);
    int checked = 0;
    std::set<int> classes_seen;
    for (int frame = 0; frame < damaged.frameCount(); frame += 6) {
        const auto boxes = damaged.visibleDefects(frame);
        if (boxes.empty())
            continue;
        cv::Mat a = damaged.renderFrame(frame), b = clean.renderFrame(frame), diff;
        cv::absdiff(a, b, diff);
        cv::cvtColor(diff, diff, cv::COLOR_BGR2GRAY);
        cv::Mat outside(diff.size(), CV_8U, cv::Scalar(255));
        for (const auto& box : boxes) {
            const cv::Rect r = cv::Rect(int(box.x), int(box.y), int(box.width) + 1, int(box.height) + 1) &
                               cv::Rect(0, 0, diff.cols, diff.rows);
            // Inside every box the truth calls clear enough to score, the damage changed the image
            // (clean and damaged frames share their noise, so any difference is the damage)...
            double max_diff;
            cv::minMaxLoc(diff(r), nullptr, &max_diff);
            if (box.scored) {
                EXPECT_GE(max_diff, 10) << "frame " << frame << " defect " << box.damage_id << " " << box.class_code;
                classes_seen.insert(std::stoi(box.class_code.substr(1)));
                ++checked;
            }
            const int margin = 6;
            outside(cv::Rect(r.x - margin, r.y - margin, r.width + 2 * margin, r.height + 2 * margin) &
                    cv::Rect(0, 0, diff.cols, diff.rows))
                .setTo(0);
        }
        // ...and nothing outside the defects' boxes changed at all.
        double outside_max;
        cv::minMaxLoc(diff, nullptr, &outside_max, nullptr, nullptr, outside);
        EXPECT_LE(outside_max, 2) << "frame " << frame;
    }
    EXPECT_GE(checked, 10);
    EXPECT_EQ(classes_seen.size(), 4u) << "all four classes are rendered";
}

TEST(SurveyGenerator, WritesEveryOutputReadably)
{
    TempDir dir;
    SurveyGenerator generator(small(11));
    ASSERT_TRUE(generator.write(dir.path()).ok());

    cv::VideoCapture video((dir / "survey.mp4").string(), cv::CAP_FFMPEG);
    ASSERT_TRUE(video.isOpened());
    EXPECT_EQ(int(video.get(cv::CAP_PROP_FRAME_COUNT)), generator.frameCount());
    EXPECT_EQ(int(video.get(cv::CAP_PROP_FRAME_WIDTH)), 640);

    auto camera = voirie::readCameraFile(dir / "camera.json");
    ASSERT_TRUE(camera.ok()) << camera.error();
    EXPECT_DOUBLE_EQ(camera->height_m, 1.3);
    EXPECT_NEAR(camera->fx, 320, 1e-6); // 90 degrees at 640 px

    auto survey = nlohmann::json::parse(readFile(dir / "survey.json"));
    const auto start = voirie::parseIso8601(survey["video_start"].get<std::string>());
    ASSERT_TRUE(start);
    EXPECT_DOUBLE_EQ(*start, generator.videoStartUtc());
    EXPECT_EQ(survey["settings"]["seed"], 11);

    GDALAllRegister();
    GDALDatasetUniquePtr truth(GDALDataset::Open((dir / "ground_truth.geojson").string().c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(truth);
    EXPECT_EQ(truth->GetLayer(0)->GetFeatureCount(), int64_t(generator.truth().size()));
    std::map<std::string, std::string> geometry_of;
    for (auto& f : *truth->GetLayer(0)) {
        geometry_of[f->GetFieldAsString("class")] = OGRGeometryTypeToName(f->GetGeometryRef()->getGeometryType());
        EXPECT_NE(std::string(f->GetFieldAsString("severity")), "");
    }
    EXPECT_EQ(geometry_of["D40"], "Point");
    EXPECT_EQ(geometry_of["D00"], "Line String");
    EXPECT_EQ(geometry_of["D20"], "Polygon");

    GDALDatasetUniquePtr basemap(GDALDataset::Open((dir / "basemap.tif").string().c_str(), GDAL_OF_RASTER));
    ASSERT_TRUE(basemap);
    EXPECT_EQ(basemap->GetRasterCount(), 3);
    EXPECT_EQ(std::string(basemap->GetSpatialRef()->GetAuthorityCode(nullptr)), "3857");

    auto stills = nlohmann::json::parse(readFile(dir / "stills_truth.json"));
    ASSERT_GE(stills["images"].size(), 4u);
    int boxes = 0;
    for (const auto& image : stills["images"]) {
        cv::Mat png = cv::imread((dir / image["path"].get<std::string>()).string());
        ASSERT_FALSE(png.empty()) << image["path"];
        EXPECT_EQ(png.cols, image["width"].get<int>());
        boxes += int(image["detections"].size());
    }
    EXPECT_GT(boxes, 0);
}

TEST(SurveyGenerator, GpsStartsEarlyWithMetreLevelNoise)
{
    TempDir dir;
    GeneratorSettings s = small(21);
    s.length_m = 300; // ~27 s of fixes for statistics
    SurveyGenerator generator(s);
    ASSERT_TRUE(generator.write(dir.path()).ok());
    auto track = voirie::readTrackFile(dir / "survey.gpx");
    ASSERT_TRUE(track.ok()) << track.error();
    ASSERT_GT(track->fixes.size(), 30u);
    EXPECT_DOUBLE_EQ(track->fixes.front().time, generator.videoStartUtc() - 7.0) << "the GPS starts 7 s before the video";
    voirie::LocalMetricFrame frame(track->fixes.front().lon, track->fixes.front().lat);
    double sum_sq = 0, sum_x = 0, sum_y = 0;
    for (const auto& f : track->fixes) {
        const auto [lon, lat] = generator.truePosition(f.time - generator.videoStartUtc());
        const auto a = frame.toMetric(f.lon, f.lat), b = frame.toMetric(lon, lat);
        sum_sq += (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y);
        sum_x += a.x - b.x;
        sum_y += a.y - b.y;
    }
    const double n = double(track->fixes.size());
    const double rms = std::sqrt(sum_sq / n);
    EXPECT_GT(rms, 1.5) << "noise must be realistic";
    EXPECT_LT(rms, 3.5);
    EXPECT_LT(std::hypot(sum_x / n, sum_y / n), 1.5) << "no gross bias";
}

} // namespace
