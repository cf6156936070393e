// The mosaic of a generated drive with the camera's true positions: its pixels show the
// generator's own road texture where the truth says (a straight and a bend), it is a COG GDAL
// reads as one (tiles, JPEG, overviews, a mask, the UTM zone), and bad input gets a sentence.
#include "voirie/core/surface/surface_mosaic.hpp"

#include "plate_drawing.hpp"
#include "test_support.hpp"
#include "voirie/core/geo/camera_geometry.hpp"
#include "voirie/core/plugin_host/anonymizer_set.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/sample/survey_generator.hpp"

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <opencv2/imgproc.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

namespace {

using namespace voirie;
namespace fs = std::filesystem;


// A drive of 200 m (a straight, then a bend) rendered by the generator, a frame every ~3 m, with
// the true positions and headings; made once for the whole suite.
class SurfaceMosaicOnAGeneratedDrive : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        sample::GeneratorSettings s;
        s.seed = 2;
        s.length_m = 200;
        s.gps_noise_m = 0;
        generator_ = new sample::SurveyGenerator(s);
        const double fps = s.fps;
        double chainage = 0;
        std::pair<double, double> before = generator_->truePosition(0);
        for (int k = 0; k + 8 < generator_->frameCount(); k += 8) {
            const double t = k / fps;
            const auto at = generator_->truePosition(t), ahead = generator_->truePosition(t + 0.05);
            const double east = (ahead.first - at.first) * std::cos(at.second * M_PI / 180), north = ahead.second - at.second;
            chainage += std::hypot((at.first - before.first) * std::cos(at.second * M_PI / 180) * 111320,
                                   (at.second - before.second) * 111320);
            before = at;
            poses_.push_back({k, at.first, at.second, std::atan2(east, north) * 180 / M_PI, chainage});
            frames_.push_back(generator_->renderFrame(k));
        }
    }
    static void TearDownTestSuite()
    {
        delete generator_;
        generator_ = nullptr;
        poses_.clear();
        frames_.clear();
    }

    // The mosaic of the drive's frames (or of `frames`, the first poses' frames changed).
    Result<SurfaceSummary> mosaic(const fs::path& out, const SurfaceOptions& options, AnonymizerSet* anonymizer = nullptr,
                                  const std::vector<cv::Mat>* frames = nullptr)
    {
        auto m = SurfaceMosaic::start(out, generator_->camera(), options, anonymizer);
        if (!m)
            return fail(m.error());
        const size_t count = frames ? frames->size() : frames_.size();
        for (size_t i = 0; i < count; ++i)
            if (auto s = (*m)->add(frames ? (*frames)[i] : frames_[i], poses_[i]); !s)
                return fail(s.error());
        return (*m)->finish();
    }

    // The mosaic's colour pixels (BGR) and its mask.
    static std::pair<cv::Mat, cv::Mat> readMosaic(const fs::path& surface)
    {
        GDALAllRegister();
        GDALDatasetUniquePtr ds(GDALDataset::Open(surface.c_str(), GDAL_OF_RASTER));
        if (!ds)
            return {};
        const int w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
        cv::Mat planes[3], mask(h, w, CV_8U);
        for (int b = 0; b < 3; ++b) {
            planes[2 - b].create(h, w, CV_8U);
            if (ds->GetRasterBand(b + 1)->RasterIO(GF_Read, 0, 0, w, h, planes[2 - b].data, w, h, GDT_Byte, 0, 0) != CE_None)
                return {};
        }
        if (ds->GetRasterBand(1)->GetMaskBand()->RasterIO(GF_Read, 0, 0, w, h, mask.data, w, h, GDT_Byte, 0, 0) != CE_None)
            return {};
        cv::Mat bgr;
        cv::merge(planes, 3, bgr);
        return {bgr, mask};
    }

    // Offsets (metres) between the mosaic and the generator's texture in 3 m windows centred 5 m
    // ahead of every fourth frame; each window's correlation of grey levels with the truth too.
    void compareWithTheTruth(const fs::path& surface, std::vector<double>& offsets, std::vector<double>& correlations)
    {
        GDALAllRegister();
        GDALDatasetUniquePtr ds(GDALDataset::Open(surface.c_str(), GDAL_OF_RASTER));
        ASSERT_TRUE(ds);
        double gt[6];
        ds->GetGeoTransform(gt);
        const OGRSpatialReference crs(*ds->GetSpatialRef());
        const CoordinateTransform to_crs = makeTransform(wgs84LonLat(), crs), to_wgs84 = makeTransform(crs, wgs84LonLat());
        ASSERT_TRUE(to_crs && to_wgs84);
        const int side = 150; // 3 m at 2 cm
        // From the second frame: what the first one saw nearest, no other frame saw (left out).
        for (size_t i = 1; i < poses_.size(); i += 4) {
            const double heading = poses_[i].heading_deg * M_PI / 180;
            double x = poses_[i].lon + 5 * std::sin(heading) / (111320 * std::cos(poses_[i].lat * M_PI / 180));
            double y = poses_[i].lat + 5 * std::cos(heading) / 111320;
            ASSERT_TRUE(to_crs->Transform(1, &x, &y));
            const cv::Rect window(int((x - gt[0]) / gt[1]) - side / 2, int((y - gt[3]) / gt[5]) - side / 2, side, side);
            cv::Mat planes[4];
            for (int b = 0; b < 4; ++b) {
                planes[b].create(side, side, CV_8U);
                GDALRasterBand* band = b < 3 ? ds->GetRasterBand(b + 1) : ds->GetRasterBand(1)->GetMaskBand();
                ASSERT_EQ(band->RasterIO(GF_Read, window.x, window.y, side, side, planes[b].data, side, side,
                                                             GDT_Byte, 0, 0),
                          CE_None);
            }
            ASSERT_GE(cv::countNonZero(planes[3]), 0.99 * side * side) << "the road 5 m ahead of frame " << i << " is covered";
            std::vector<double> xs, ys;
            for (int r = 0; r < side; ++r)
                for (int c = 0; c < side; ++c) {
                    xs.push_back(gt[0] + (window.x + c + 0.5) * gt[1]);
                    ys.push_back(gt[3] + (window.y + r + 0.5) * gt[5]);
                }
            ASSERT_TRUE(to_wgs84->Transform(int(xs.size()), xs.data(), ys.data()));
            std::vector<std::pair<double, double>> lon_lat;
            for (size_t k = 0; k < xs.size(); ++k)
                lon_lat.emplace_back(xs[k], ys[k]);
            const auto colours = generator_->groundColours(lon_lat);
            cv::Mat truth(side, side, CV_8UC3), truth_grey, mosaic_rgb, mosaic_grey, a, b, hann;
            std::copy(colours.begin(), colours.end(), truth.begin<cv::Vec3b>());
            cv::cvtColor(truth, truth_grey, cv::COLOR_BGR2GRAY);
            cv::merge(planes, 3, mosaic_rgb);
            cv::cvtColor(mosaic_rgb, mosaic_grey, cv::COLOR_RGB2GRAY);
            truth_grey.convertTo(a, CV_32F);
            mosaic_grey.convertTo(b, CV_32F);
            cv::createHanningWindow(hann, a.size(), CV_32F);
            const cv::Point2d shift = cv::phaseCorrelate(a, b, hann);
            offsets.push_back(std::hypot(shift.x, shift.y) * gt[1]);
            cv::Mat correlation;
            cv::matchTemplate(b, a, correlation, cv::TM_CCOEFF_NORMED);
            correlations.push_back(correlation.at<float>(0, 0));
        }
    }

    static sample::SurveyGenerator* generator_;
    static std::vector<SurfaceFramePose> poses_;
    static std::vector<cv::Mat> frames_;
};
sample::SurveyGenerator* SurfaceMosaicOnAGeneratedDrive::generator_ = nullptr;
std::vector<SurfaceFramePose> SurfaceMosaicOnAGeneratedDrive::poses_;
std::vector<cv::Mat> SurfaceMosaicOnAGeneratedDrive::frames_;

TEST_F(SurfaceMosaicOnAGeneratedDrive, ShowsTheRoadTextureWhereTheTruthSaysOnTheStraightAndInTheBend)
{
    // The drive turns: the windows cover a straight and a bend.
    double turn = 0;
    for (size_t i = 1; i < poses_.size(); ++i)
        turn = std::max(turn, std::abs(std::remainder(poses_[i].heading_deg - poses_[0].heading_deg, 360.0)));
    EXPECT_GT(turn, 8.0);
    test::TempDir tmp;
    for (const bool registered : {false, true}) {
        SurfaceOptions options;
        options.register_frames = registered;
        options.gps_sigma_m = 0.3; // the frames are placed where they were taken: a receiver good to decimetres
        const auto summary = mosaic(tmp / (registered ? "registered.tif" : "gps.tif"), options);
        ASSERT_TRUE(summary) << summary.error();
        std::vector<double> offsets, correlations;
        compareWithTheTruth(summary->path, offsets, correlations);
        ASSERT_GE(offsets.size(), 5u);
        for (size_t i = 0; i < offsets.size(); ++i) {
            // The figure with a perfect GPS: 0.10 m. Warped at their true positions the frames
            // do better; registration trades a few centimetres here for joining noisy ones.
            EXPECT_LT(offsets[i], registered ? 0.10 : 0.06) << "window " << i << (registered ? " (registered)" : " (true positions)");
            EXPECT_GT(correlations[i], 0.6) << "window " << i << ": the mosaic shows the generator's texture there";
        }
        // The generator's camera vignettes by up to a third: the survey's flat field shows it.
        EXPECT_LT(summary->flat_field[0], 0.9);
        EXPECT_GT(summary->flat_field[1], 1.0);
        if (registered) {
            EXPECT_GE(summary->frames_registered, int64_t(poses_.size()) - 3);
            EXPECT_LT(summary->seams_after.median_m, 0.03);
        }
    }
}

TEST_F(SurfaceMosaicOnAGeneratedDrive, IsACloudOptimizedGeoTiffInTheSurveysUtmZone)
{
    test::TempDir tmp;
    const auto summary = mosaic(tmp / "surface.tif", SurfaceOptions{});
    ASSERT_TRUE(summary) << summary.error();
    EXPECT_EQ(summary->crs, "EPSG:32631"); // the generator's road is in Lyon
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(summary->path.c_str(), GDAL_OF_RASTER));
    ASSERT_TRUE(ds);
    EXPECT_STREQ(ds->GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE"), "COG");
    EXPECT_STREQ(ds->GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE"), "YCbCr JPEG");
    ASSERT_EQ(ds->GetRasterCount(), 3);
    EXPECT_EQ(ds->GetRasterBand(1)->GetMaskFlags(), GMF_PER_DATASET); // the pavement's outline
    int bx = 0, by = 0;
    ds->GetRasterBand(1)->GetBlockSize(&bx, &by);
    EXPECT_EQ(bx, 512);
    EXPECT_EQ(by, 512);
    EXPECT_GE(ds->GetRasterBand(1)->GetOverviewCount(), 1);
    EXPECT_EQ(ds->GetRasterBand(1)->GetOverviewCount(), summary->overviews);
    double gt[6];
    ASSERT_EQ(ds->GetGeoTransform(gt), CE_None);
    EXPECT_DOUBLE_EQ(gt[1], 0.02);
    EXPECT_DOUBLE_EQ(gt[5], -0.02);
    // The smallest overview still shows the road (computed from the written tiles).
    GDALRasterBand* mask = ds->GetRasterBand(1)->GetMaskBand();
    ASSERT_EQ(mask->GetOverviewCount(), summary->overviews);
    GDALRasterBand* smallest = mask->GetOverview(mask->GetOverviewCount() - 1);
    cv::Mat alpha(smallest->GetYSize(), smallest->GetXSize(), CV_8U);
    ASSERT_EQ(smallest->RasterIO(GF_Read, 0, 0, alpha.cols, alpha.rows, alpha.data, alpha.cols, alpha.rows, GDT_Byte, 0, 0), CE_None);
    EXPECT_GT(cv::countNonZero(alpha), 20);
    // Far from the road: transparent.
    EXPECT_LT(double(summary->tiles_written), 0.5 * std::ceil(summary->width / 512.0) * std::ceil(summary->height / 512.0));
}

// A car driving a few metres ahead stands on the road the mosaic is made of: the ground plane's
// warp would stretch its plate along the lane, readable at 2 cm, and smear its body over every
// piece. What no neighbouring frame sees alike is left out (the road mask), so neither reaches the
// mosaic; asked to, the anonymizers also blur the plate in each frame's road band.
TEST_F(SurfaceMosaicOnAGeneratedDrive, LeavesAVehicleAheadAndItsPlateOutOfTheMosaic)
{
    const size_t n = 8;
    const CameraModel camera = generator_->camera();
    // A plate 0.45 m above the road, 4 m ahead, is seen where the road 4 h / (h - 0.45) m ahead is.
    const auto centre = CameraGeometry(camera).groundToPixel({4 * camera.height_m / (camera.height_m - 0.45), 0});
    ASSERT_TRUE(centre);
    std::vector<cv::Mat> clean(frames_.begin(), frames_.begin() + n), plated;
    for (const auto& frame : clean) {
        plated.push_back(frame.clone());
        test::drawPlate(plated.back(), int(centre->first) - 55, int(centre->second) - 12, 110);
    }
    auto anonymizer = AnonymizerSet::open({VOIRIE_BUILTIN_PLUGIN_DIR}, std::vector<std::string>{"cascade-anonymizer"}, {});
    ASSERT_TRUE(anonymizer) << anonymizer.error();

    test::TempDir tmp;
    SurfaceOptions options;
    options.register_frames = false; // the same positions in the three mosaics
    const auto without_car = mosaic(tmp / "clean.tif", options, nullptr, &clean);
    const auto with_car = mosaic(tmp / "car.tif", options, nullptr, &plated);
    const auto blurred = mosaic(tmp / "blurred.tif", options, &*anonymizer, &plated);
    ASSERT_TRUE(without_car && with_car && blurred);
    // Only the ends of the drive are seen by one frame alone; the car hides more.
    EXPECT_LT(without_car->left_out_share, 0.12);
    EXPECT_GT(with_car->left_out_share, without_car->left_out_share + 0.1);
    EXPECT_TRUE(with_car->anonymized_by.empty());
    ASSERT_EQ(blurred->anonymized_by.size(), 1u);
    EXPECT_EQ(blurred->anonymized_by[0].rfind("cascade-anonymizer", 0), 0u);
    EXPECT_GE(blurred->regions_blurred, int64_t(n) - 1) << "the plate is found in the road band of (nearly) every frame";
    EXPECT_EQ(blurred->bands_blurred_whole, 0);

    const auto [clean_pixels, clean_mask] = readMosaic(without_car->path);
    const auto [car_pixels, car_mask] = readMosaic(with_car->path);
    ASSERT_FALSE(clean_pixels.empty() || car_pixels.empty());
    ASSERT_EQ(car_pixels.size(), clean_pixels.size());
    // Where both show something, no plate: without the road mask its white covered 6,000 pixels of
    // this mosaic, its characters sharp. The car's plain dark panels look alike from neighbouring
    // frames, as the road does: they may stay, but they are what can stay of a vehicle.
    cv::Mat car_grey, clean_grey, difference;
    cv::cvtColor(car_pixels, car_grey, cv::COLOR_BGR2GRAY);
    cv::cvtColor(clean_pixels, clean_grey, cv::COLOR_BGR2GRAY);
    cv::absdiff(car_grey, clean_grey, difference);
    const cv::Mat shown = (car_mask > 0) & (clean_mask > 0);
    const int plate_shown = cv::countNonZero((difference > 60) & (car_grey > 190) & shown);
    const cv::Mat car_shown = (difference > 60) & shown;
    EXPECT_LT(cv::countNonZero(car_shown & (car_grey > 70)), 100) << "something brighter than the car's panels reaches the mosaic";
    EXPECT_LT(plate_shown, 20) << "the plate reaches the mosaic";
    // The road away from the car is kept.
    EXPECT_GT(cv::countNonZero(shown), 0.5 * cv::countNonZero(clean_mask));
    std::printf("left out: %.1f%% of the road pixels without the car, %.1f%% with it; car pixels shown %d, plate %d; "
                "%lld plates blurred in %zu bands when asked\n",
                100 * without_car->left_out_share, 100 * with_car->left_out_share, cv::countNonZero(car_shown), plate_shown,
                (long long)blurred->regions_blurred, n);
}

// The road mask needs ground seen by two frames: frames sampled further apart than half the
// range leave stripes out, and the summary says how far apart they were.
TEST_F(SurfaceMosaicOnAGeneratedDrive, FramesFarApartLeaveMoreOutAndSaySo)
{
    test::TempDir tmp;
    std::vector<cv::Mat> sparse_frames;
    std::vector<SurfaceFramePose> sparse_poses;
    for (size_t i = 0; i < 36 && i < frames_.size(); i += 3) {
        sparse_frames.push_back(frames_[i]);
        sparse_poses.push_back(poses_[i]);
    }
    auto m = SurfaceMosaic::start(tmp / "sparse.tif", generator_->camera(), SurfaceOptions{}, nullptr);
    ASSERT_TRUE(m);
    for (size_t i = 0; i < sparse_frames.size(); ++i)
        ASSERT_TRUE((*m)->add(sparse_frames[i], sparse_poses[i]));
    const auto sparse = (*m)->finish();
    const std::vector<cv::Mat> stretch(frames_.begin(), frames_.begin() + 34); // the same road, every frame
    const auto dense = mosaic(tmp / "dense.tif", SurfaceOptions{}, nullptr, &stretch);
    ASSERT_TRUE(sparse && dense);
    EXPECT_GT(sparse->median_step_m, 7.0);
    EXPECT_LT(dense->median_step_m, 3.5);
    EXPECT_GT(sparse->left_out_share, dense->left_out_share + 0.15);
    EXPECT_EQ(sparse->near_m, 3.0);
    EXPECT_EQ(sparse->far_m, 15.0);
    std::printf("frames %.1f m apart: %.0f%% left out; %.1f m apart: %.0f%%\n", sparse->median_step_m,
                100 * sparse->left_out_share, dense->median_step_m, 100 * dense->left_out_share);
}

TEST_F(SurfaceMosaicOnAGeneratedDrive, RefusesWhatCannotMakeASurfaceInOneSentence)
{
    test::TempDir tmp;
    SurfaceOptions geographic;
    geographic.crs = "EPSG:4326";
    auto m = SurfaceMosaic::start(tmp / "a.tif", generator_->camera(), geographic, nullptr);
    ASSERT_TRUE(m);
    auto added = (*m)->add(frames_[0], poses_[0]);
    ASSERT_FALSE(added);
    EXPECT_NE(added.error().find("not a projected CRS"), std::string::npos) << added.error();

    CameraModel downward = generator_->camera();
    downward.pitch_deg = 60; // looks down at the bonnet: sees nothing from 3 m ahead
    auto up = SurfaceMosaic::start(tmp / "b.tif", downward, SurfaceOptions{}, nullptr);
    ASSERT_TRUE(up);
    added = (*up)->add(frames_[0], poses_[0]);
    ASSERT_FALSE(added);
    EXPECT_NE(added.error().find("sees almost none of the road"), std::string::npos) << added.error();

    auto empty = SurfaceMosaic::start(tmp / "c.tif", generator_->camera(), SurfaceOptions{}, nullptr);
    ASSERT_TRUE(empty);
    const auto finished = (*empty)->finish();
    ASSERT_FALSE(finished);
    EXPECT_FALSE(fs::exists(tmp / "c.tif"));

    // An existing file is kept unless told to overwrite; no scratch is left behind.
    { std::ofstream(tmp / "d.tif") << "keep"; }
    EXPECT_FALSE(SurfaceMosaic::start(tmp / "d.tif", generator_->camera(), SurfaceOptions{}, nullptr));
    for (const auto& entry : fs::directory_iterator(tmp.path()))
        EXPECT_EQ(entry.path().filename().string().find("scratch"), std::string::npos) << entry.path();
}

} // namespace
