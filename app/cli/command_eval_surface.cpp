// `voirie eval-surface`: does the surface mosaic show the road where it is? For each true defect
// of a generated survey, a window of the mosaic around it is matched (phase correlation) against
// the generator's own road texture drawn on the same grid: the offset found is how far the
// mosaic's defect outline, and the road around it, lies from the truth.
#include "cli_support.hpp"

#include "voirie/core/base/statistics.hpp"
#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/sample/survey_generator.hpp"

#include <gdal_priv.h>
#include <nlohmann/json.hpp>
#include <ogr_spatialref.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <iostream>

namespace voirie::cli {
namespace {

} // namespace

int runEvalSurface(const CommandLine& cl)
{
    po::options_description options("options");
    options.add_options()
        ("surface", po::value<std::string>(), "the surface GeoTIFF (voirie ortho or analyze --ortho)")
        ("truth", po::value<std::string>(), "the folder voirie sample wrote (its survey.json and truth)")
        ("window-m", po::value<double>()->default_value(4.0), "side of the square compared around each defect")
        ("within-m", po::value<double>()->default_value(0.10), "the offset counted as on target")
        ("json", "print the scores as JSON");
    po::positional_options_description positional;
    positional.add("surface", 1);
    po::variables_map vm;
    if (!parseOptions(cl, "eval-surface SURFACE.tif --truth DIR [--window-m 4] [--json]", options, positional, vm))
        return kExitOk;
    if (!vm.count("surface") || !vm.count("truth"))
        throw UsageError("voirie eval-surface SURFACE.tif --truth DIR");
    const std::string surface_path = vm["surface"].as<std::string>();
    const double window_m = vm["window-m"].as<double>(), within_m = vm["within-m"].as<double>();
    if (!(window_m >= 1 && window_m <= 20))
        throw UsageError("--window-m must be between 1 and 20 metres");

    auto settings = sample::readGeneratorSettings(vm["truth"].as<std::string>());
    if (!settings)
        throw RuntimeError(settings.error());
    sample::SurveyGenerator generator(*settings);

    // The GPS error where the survey saw each defect (the generator's truth), to compare with.
    std::map<int, double> gps_error_at;
    {
        std::ifstream in(std::filesystem::path(vm["truth"].as<std::string>()) / "ground_truth.geojson");
        const auto truth = nlohmann::json::parse(in, nullptr, false);
        if (truth.is_object() && truth.contains("features"))
            for (const auto& f : truth["features"]) {
                const auto& p = f.value("properties", nlohmann::json::object());
                if (p.contains("id") && p.contains("gps_error_east_m") && p.contains("gps_error_north_m"))
                    gps_error_at[p["id"].get<int>()] = std::hypot(p["gps_error_east_m"].get<double>(), p["gps_error_north_m"].get<double>());
            }
    }
    std::vector<double> gps_errors;
    int64_t within_gps_error = 0;

    GDALAllRegister();
    GdalErrorTrap trap;
    GDALDatasetUniquePtr surface(GDALDataset::Open(surface_path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!surface || surface->GetRasterCount() < 3)
        throw RuntimeError(surface_path + " is not a surface written by voirie ortho (an RGB GeoTIFF with a mask)");
    double gt[6];
    if (surface->GetGeoTransform(gt) != CE_None || gt[2] != 0 || gt[4] != 0)
        throw RuntimeError(surface_path + " has no north-up georeferencing");
    if (!surface->GetSpatialRef())
        throw RuntimeError(surface_path + " has no coordinate reference system");
    const CoordinateTransform to_crs = makeTransform(wgs84LonLat(), *surface->GetSpatialRef()),
                              to_wgs84 = makeTransform(*surface->GetSpatialRef(), wgs84LonLat());
    if (!to_crs || !to_wgs84)
        throw RuntimeError("cannot transform between WGS 84 and the CRS of " + surface_path);

    const double res = gt[1];
    const int side = int(std::lround(window_m / res));
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    std::vector<double> offsets;
    int not_covered = 0, unclear = 0;
    for (const auto& defect : generator.truth()) {
        double cx = 0, cy = 0;
        for (const auto& [lon, lat] : defect.lon_lat)
            cx += lon / double(defect.lon_lat.size()), cy += lat / double(defect.lon_lat.size());
        if (!to_crs->Transform(1, &cx, &cy))
            continue;
        const int col = int(std::lround((cx - gt[0]) / res)) - side / 2, row = int(std::lround((cy - gt[3]) / gt[5])) - side / 2;
        const cv::Rect window(col, row, side, side);
        nlohmann::ordered_json r = {{"id", defect.id}, {"class", defect.class_code}};
        if (!(window & cv::Rect(0, 0, surface->GetRasterXSize(), surface->GetRasterYSize())).area() ||
            (window & cv::Rect(0, 0, surface->GetRasterXSize(), surface->GetRasterYSize())) != window) {
            ++not_covered;
            r["result"] = "not covered";
            rows.push_back(r);
            continue;
        }
        cv::Mat planes[4];
        bool read = true;
        for (int b = 0; b < 4; ++b) {
            planes[b].create(side, side, CV_8U);
            // Coverage: the mask (JPEG tiles) or the alpha band, as GDAL serves either.
            GDALRasterBand* band = b < 3 ? surface->GetRasterBand(b + 1) : surface->GetRasterBand(1)->GetMaskBand();
            read = read && band->RasterIO(GF_Read, window.x, window.y, side, side, planes[b].data,
                                                                   side, side, GDT_Byte, 0, 0) == CE_None;
        }
        if (!read)
            throw RuntimeError("cannot read " + surface_path + ": " + trap.reason());
        if (cv::countNonZero(planes[3]) < 0.8 * side * side) {
            ++not_covered;
            r["result"] = "not covered";
            rows.push_back(r);
            continue;
        }
        // The truth on the same grid: each pixel centre back to lon/lat, then the generator's texture.
        std::vector<double> xs, ys;
        for (int y = 0; y < side; ++y)
            for (int x = 0; x < side; ++x) {
                xs.push_back(gt[0] + (window.x + x + 0.5) * res);
                ys.push_back(gt[3] + (window.y + y + 0.5) * gt[5]);
            }
        if (!to_wgs84->Transform(int(xs.size()), xs.data(), ys.data()))
            throw RuntimeError("cannot transform the window of defect " + std::to_string(defect.id) + " to WGS 84");
        std::vector<std::pair<double, double>> lon_lat(xs.size());
        for (size_t i = 0; i < xs.size(); ++i)
            lon_lat[i] = {xs[i], ys[i]};
        const auto colours = generator.groundColours(lon_lat);
        cv::Mat truth_bgr(side, side, CV_8UC3);
        std::copy(colours.begin(), colours.end(), truth_bgr.begin<cv::Vec3b>());
        cv::Mat truth_gray, mosaic_gray, mosaic_rgb, a, b, hann;
        cv::cvtColor(truth_bgr, truth_gray, cv::COLOR_BGR2GRAY);
        cv::merge(planes, 3, mosaic_rgb);
        cv::cvtColor(mosaic_rgb, mosaic_gray, cv::COLOR_RGB2GRAY);
        truth_gray.convertTo(a, CV_32F);
        mosaic_gray.convertTo(b, CV_32F);
        cv::createHanningWindow(hann, a.size(), CV_32F);
        double response = 0;
        const cv::Point2d shift = cv::phaseCorrelate(a, b, hann, &response);
        const double offset = std::hypot(shift.x, shift.y) * res;
        r["east_m"] = shift.x * res;
        r["north_m"] = -shift.y * res;
        r["offset_m"] = offset;
        r["response"] = response;
        const auto gps_error = gps_error_at.find(defect.id);
        if (gps_error != gps_error_at.end())
            r["gps_error_m"] = gps_error->second;
        if (response < 0.05) {
            ++unclear;
            r["result"] = "no clear match";
        } else {
            offsets.push_back(offset);
            if (gps_error != gps_error_at.end()) {
                gps_errors.push_back(gps_error->second);
                within_gps_error += offset <= std::max(gps_error->second, within_m) ? 1 : 0;
            }
            r["result"] = offset <= within_m ? "on target" : "off";
        }
        rows.push_back(r);
    }
    const int64_t on_target = std::count_if(offsets.begin(), offsets.end(), [&](double o) { return o <= within_m; });
    nlohmann::ordered_json out = {{"surface", surface_path},
                                  {"defects", generator.truth().size()},
                                  {"matched", offsets.size()},
                                  {"not_covered", not_covered},
                                  {"no_clear_match", unclear},
                                  {"within_m", within_m},
                                  {"on_target", on_target},
                                  {"median_offset_m", nearestRankQuantile(offsets, 0.5)},
                                  {"p95_offset_m", nearestRankQuantile(offsets, 0.95)},
                                  {"max_offset_m", offsets.empty() ? 0.0 : *std::max_element(offsets.begin(), offsets.end())},
                                  {"median_gps_error_m", nearestRankQuantile(gps_errors, 0.5)},
                                  {"within_gps_error", within_gps_error},
                                  {"windows", rows}};
    if (vm.count("json")) {
        std::cout << out.dump(2) << "\n";
    } else {
        std::printf("%zu defects matched on the surface (%d not covered, %d without a clear match): offset from the "
                    "truth median %.3f m, 95%% %.3f m, max %.3f m; %lld within %.2f m; %lld within the GPS error where the "
                    "survey saw them (median %.2f m)\n",
                    offsets.size(), not_covered, unclear, out["median_offset_m"].get<double>(), out["p95_offset_m"].get<double>(),
                    out["max_offset_m"].get<double>(), (long long)on_target, within_m, (long long)within_gps_error,
                    out["median_gps_error_m"].get<double>());
    }
    return kExitOk;
}

} // namespace voirie::cli
