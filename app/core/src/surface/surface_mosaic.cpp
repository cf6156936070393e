#include "voirie/core/surface/surface_mosaic.hpp"

#include "flat_field.hpp"
#include "frame_registration.hpp"
#include "ground_consistency.hpp"
#include "ground_patch.hpp"
#include "mosaic_raster.hpp"
#include "pose_refinement.hpp"

#include "voirie/core/base/atomic_output.hpp"
#include "voirie/core/base/cpu_time.hpp"
#include "voirie/core/base/statistics.hpp"
#include "voirie/core/geo/camera_file.hpp"
#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/plugin_host/anonymizer_set.hpp"
#include "voirie/core/project/gdal_helpers.hpp"

#include <ogr_spatialref.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <regex>

namespace fs = std::filesystem;

namespace voirie {
using namespace surface;

namespace {

// The scratch folder beside the output: removed with everything in it, whatever happens.
struct ScratchFolder {
    fs::path path;
    ~ScratchFolder()
    {
        std::error_code ec;
        if (!path.empty())
            fs::remove_all(path, ec);
    }
};

SeamMisalignment seamsOf(const std::vector<double>& lengths)
{
    return {int64_t(lengths.size()), nearestRankQuantile(lengths, 0.5), nearestRankQuantile(lengths, 0.95)};
}

// Metres per degree of latitude and longitude on the WGS 84 ellipsoid at a latitude.
std::pair<double, double> metresPerDegree(double lat_deg)
{
    constexpr double a = 6378137.0, e2 = 6.69437999014e-3;
    const double phi = lat_deg * M_PI / 180, w = 1 - e2 * std::sin(phi) * std::sin(phi);
    const double meridian = a * (1 - e2) / std::pow(w, 1.5), normal = a / std::sqrt(w);
    return {meridian * M_PI / 180, normal * std::cos(phi) * M_PI / 180};
}

} // namespace

nlohmann::ordered_json SeamMisalignment::toJson() const
{
    return {{"pairs", pairs}, {"median_m", median_m}, {"p95_m", p95_m}};
}

nlohmann::ordered_json SurfaceSummary::toJson() const
{
    return {{"path", path.string()},
            {"resolution_m", resolution_m},
            {"crs", crs},
            {"extent", {min_x, min_y, max_x, max_y}},
            {"width", width},
            {"height", height},
            {"overviews", overviews},
            {"frames", frames},
            {"frames_registered", frames_registered},
            {"tiles_written", tiles_written},
            {"mean_correction_m", mean_correction_m},
            {"max_correction_m", max_correction_m},
            {"seams_before", seams_before.toJson()},
            {"seams_after", seams_after.toJson()},
            {"range_m", {near_m, far_m}},
            {"median_step_m", median_step_m},
            {"flat_field", {flat_field[0], flat_field[1]}},
            {"left_out_share", left_out_share},
            {"anonymized_by", anonymized_by},
            {"regions_blurred", regions_blurred},
            {"bands_blurred_whole", bands_blurred_whole},
            {"bytes", bytes},
            {"cpu_s", cpu_s}};
}

Status parseSurfaceRange(const std::string& text, SurfaceOptions& options)
{
    static const std::regex range(R"(\s*([0-9]+(?:\.[0-9]*)?)\s*\.\.\s*([0-9]+(?:\.[0-9]*)?)\s*)");
    std::smatch m;
    if (!std::regex_match(text, m, range))
        return fail("--range-m must be NEAR..FAR in metres ahead of the camera, e.g. 3..15 (got '" + text + "')");
    const double near = std::stod(m[1]), far = std::stod(m[2]);
    if (!(near >= 0.5 && far > near + 1 && far <= 60))
        return fail("--range-m " + text + ": the near range must be at least 0.5 m and the far one over 1 m beyond it, at most 60 m");
    options.near_m = near;
    options.far_m = far;
    return Ok{};
}

struct SurfaceMosaic::Impl {
    Impl(AtomicOutput output, const CameraModel& camera, const SurfaceOptions& options, AnonymizerSet* anonymizer)
        : output(std::move(output)), camera(camera), options(options), anonymizer(anonymizer) {}

    struct Frame {
        SurfaceFramePose pose;
        GridPose gps;
        std::optional<cv::Vec2d> motion; // measured displacement from the frame before
        bool linked = false;             // overlaps the frame before
    };

    AtomicOutput output;
    CameraModel camera;
    SurfaceOptions options;
    AnonymizerSet* anonymizer;
    int64_t regions_blurred = 0, bands_blurred_whole = 0;
    ScratchFolder scratch;
    std::optional<GroundPatchGrid> grid;
    OGRSpatialReference crs;
    CoordinateTransform to_crs;
    std::vector<Frame> frames;
    std::vector<double> seams_before;
    FlatField flat_field;
    cv::Mat previous_patch;
    double cpu_s = 0;

    Status prepareAt(const cv::Mat& image, const SurfaceFramePose& pose);
    Result<GridPose> gridPose(const SurfaceFramePose& pose) const;
    fs::path patchPath(size_t i) const { return scratch.path / (std::to_string(i) + ".jpg"); }
    cv::Mat anonymizedPatch(const cv::Mat& image, const SurfaceFramePose& pose);
    Status add(const cv::Mat& image, const SurfaceFramePose& pose);
    Result<SurfaceSummary> finish();
};

Status SurfaceMosaic::Impl::prepareAt(const cv::Mat& image, const SurfaceFramePose& pose)
{
    if (camera.width != image.cols || camera.height != image.rows)
        camera = scaledTo(camera, image.cols, image.rows);
    grid.emplace(camera, options);
    if (cv::countNonZero(grid->validMask()) < grid->rows() * grid->cols() / 10)
        return fail("the camera sees almost none of the road between " + std::to_string(int(options.near_m)) + " and " +
                    std::to_string(int(options.far_m)) + " m ahead (check its pitch and height, or --range-m)");

    GdalErrorTrap trap;
    crs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (options.crs.empty()) {
        const int zone = std::clamp(int(std::floor((pose.lon + 180) / 6)) + 1, 1, 60);
        crs.importFromEPSG((pose.lat >= 0 ? 32600 : 32700) + zone);
    } else if (crs.SetFromUserInput(options.crs.c_str()) != OGRERR_NONE) {
        return fail("--crs " + options.crs + " is not a coordinate reference system GDAL knows");
    }
    if (!crs.IsProjected() || std::abs(crs.GetLinearUnits() - 1.0) > 1e-9)
        return fail("--crs " + options.crs + " is not a projected CRS in metres; the surface needs one (e.g. a UTM zone)");
    to_crs = makeTransform(wgs84LonLat(), crs);
    if (!to_crs)
        return fail("cannot transform positions into " + (options.crs.empty() ? std::string("the UTM zone") : options.crs) +
                    ": " + trap.reason());

    char name[64];
    std::snprintf(name, sizeof name, ".surface-scratch-%d", int(getpid()));
    scratch.path = output.temporaryPath().parent_path() / (output.target().filename().string() + name);
    std::error_code ec;
    fs::remove_all(scratch.path, ec);
    if (!fs::create_directories(scratch.path, ec) || ec)
        return fail("cannot create the scratch folder " + scratch.path.string() + ": " + ec.message());
    return Ok{};
}

Result<GridPose> SurfaceMosaic::Impl::gridPose(const SurfaceFramePose& pose) const
{
    // Ten metres along the true heading, on the ellipsoid, give the heading and scale on the grid.
    const auto [lat_m, lon_m] = metresPerDegree(pose.lat);
    const double heading = pose.heading_deg * M_PI / 180;
    double x[2] = {pose.lon, pose.lon + 10 * std::sin(heading) / lon_m};
    double y[2] = {pose.lat, pose.lat + 10 * std::cos(heading) / lat_m};
    if (!to_crs->Transform(2, x, y))
        return fail("the position of frame " + std::to_string(pose.frame_index) + " cannot be put in the surface's CRS");
    GridPose g;
    g.x = x[0];
    g.y = y[0];
    g.heading = std::atan2(x[1] - x[0], y[1] - y[0]);
    g.scale = std::hypot(x[1] - x[0], y[1] - y[0]) / 10;
    return g;
}

// The frame's ground patch, warped from its road band after the anonymizers blurred what they
// found there. The band is searched with some of the image above it, so that a plate that the
// band's top edge cuts is still whole to the anonymizers.
cv::Mat SurfaceMosaic::Impl::anonymizedPatch(const cv::Mat& image, const SurfaceFramePose& pose)
{
    if (!anonymizer)
        return grid->warp(image);
    const cv::Rect band = grid->imageRegion();
    const int above = std::max(32, band.height / 4);
    const cv::Rect searched = cv::Rect(band.x, band.y - above, band.width, band.height + above) & cv::Rect(0, 0, image.cols, image.rows);
    cv::Mat part = image(searched).clone();
    FrameContext context;
    context.frame_index = pose.frame_index;
    context.position = GeoPosition{pose.lon, pose.lat};
    context.heading_deg = pose.heading_deg;
    context.chainage_m = pose.chainage_m;
    if (auto regions = anonymizer->apply(part, context))
        regions_blurred += int64_t(regions->size());
    else
        ++bands_blurred_whole; // apply() blurred it whole: nothing personal leaves by accident
    return grid->warp(part, searched.tl());
}

Status SurfaceMosaic::Impl::add(const cv::Mat& image, const SurfaceFramePose& pose)
{
    const double cpu_start = threadCpuSeconds();
    if (image.empty() || image.type() != CV_8UC3)
        return fail("frame " + std::to_string(pose.frame_index) + " has no colour image to warp");
    if (!grid)
        if (auto s = prepareAt(image, pose); !s)
            return s;
    if (image.cols != camera.width || image.rows != camera.height)
        return fail("frame " + std::to_string(pose.frame_index) + " is " + std::to_string(image.cols) + "x" +
                    std::to_string(image.rows) + ", the survey's first frame was " + std::to_string(camera.width) + "x" +
                    std::to_string(camera.height));
    auto placed = gridPose(pose);
    if (!placed)
        return fail(placed.error());
    Frame frame{pose, *placed, std::nullopt, false};
    cv::Mat patch = anonymizedPatch(image, pose);
    if (!frames.empty()) {
        const Frame& before = frames.back();
        const double step = std::abs(pose.chainage_m - before.pose.chainage_m);
        frame.linked = step < options.far_m - options.near_m;
        if (frame.linked && options.register_frames && !previous_patch.empty())
            if (auto measured = measureCorrection(*grid, previous_patch, before.gps, patch, frame.gps)) {
                seams_before.push_back(measured->first_look.length());
                frame.motion = cv::Vec2d(frame.gps.x - before.gps.x, frame.gps.y - before.gps.y) + measured->correction;
            }
    }
    flat_field.add(patch);
    if (!cv::imwrite(patchPath(frames.size()).string(), patch, {cv::IMWRITE_JPEG_QUALITY, 95}))
        return fail(writeFailure(patchPath(frames.size()), ENOSPC, "write the mosaic's scratch piece"));
    frames.push_back(frame);
    previous_patch = std::move(patch);
    cpu_s += threadCpuSeconds() - cpu_start;
    return Ok{};
}

Result<SurfaceSummary> SurfaceMosaic::Impl::finish()
{
    const double cpu_start = threadCpuSeconds();
    if (frames.empty())
        return fail("no frame was given for the surface " + output.target().string());

    // Refined positions: the measured motions, anchored to the GPS.
    std::vector<cv::Vec2d> gps, refined;
    std::vector<std::optional<cv::Vec2d>> motion;
    std::vector<bool> linked;
    for (const auto& f : frames) {
        gps.emplace_back(f.gps.x, f.gps.y);
        motion.push_back(f.motion);
        linked.push_back(f.linked);
    }
    PoseRefinementWeights weights;
    weights.gps_sigma_m = options.gps_sigma_m;
    weights.motion_sigma_m = options.motion_sigma_m;
    refined = options.register_frames ? refinePositions(gps, motion, linked, weights) : gps;
    std::vector<GridPose> poses;
    SurfaceSummary summary;
    const CoordinateTransform to_lon_lat = makeTransform(crs, wgs84LonLat());
    for (size_t i = 0; i < frames.size(); ++i) {
        GridPose p = frames[i].gps;
        p.x = refined[i][0];
        p.y = refined[i][1];
        poses.push_back(p);
        const double correction = cv::norm(refined[i] - gps[i]);
        summary.mean_correction_m += correction / double(frames.size());
        summary.max_correction_m = std::max(summary.max_correction_m, correction);
        summary.frames_registered += frames[i].motion ? 1 : 0;
        // The shift in true east and north metres (the CRS's grid north and scale differ a little).
        double x = p.x, y = p.y;
        if (options.register_frames && to_lon_lat && to_lon_lat->Transform(1, &x, &y)) {
            const auto [lat_m, lon_m] = metresPerDegree(frames[i].pose.lat);
            summary.frame_shifts.push_back(
                {frames[i].pose.frame_index, (x - frames[i].pose.lon) * lon_m, (y - frames[i].pose.lat) * lat_m});
        }
    }

    // The grid: every piece's footprint (its box in the CRS), snapped to whole pixels.
    const double res = options.resolution_m;
    const cv::Matx33d to_vehicle = grid->patchToVehicle();
    std::vector<cv::Matx33d> patch_to_crs;
    std::vector<cv::Rect2d> footprints;
    cv::Rect2d all;
    for (const auto& p : poses) {
        patch_to_crs.push_back(GroundPatchGrid::vehicleToGrid(p) * to_vehicle);
        double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
        for (const auto& [c, r] : {std::pair{-0.5, -0.5}, {grid->cols() - 0.5, -0.5}, {-0.5, grid->rows() - 0.5},
                                   {grid->cols() - 0.5, grid->rows() - 0.5}}) {
            const cv::Vec3d at = patch_to_crs.back() * cv::Vec3d(c, r, 1);
            x0 = std::min(x0, at[0]), x1 = std::max(x1, at[0]), y0 = std::min(y0, at[1]), y1 = std::max(y1, at[1]);
        }
        footprints.emplace_back(x0, y0, x1 - x0, y1 - y0);
        all = footprints.size() == 1 ? footprints.back() : (all | footprints.back());
    }
    RasterGrid raster_grid;
    raster_grid.resolution = res;
    raster_grid.min_x = std::floor(all.x / res) * res;
    raster_grid.max_y = std::ceil(all.br().y / res) * res;
    raster_grid.width = int(std::ceil((all.br().x - raster_grid.min_x) / res));
    raster_grid.height = int(std::ceil((raster_grid.max_y - all.y) / res));
    char* wkt = nullptr;
    crs.exportToWkt(&wkt);
    raster_grid.crs_wkt = wkt ? wkt : "";
    CPLFree(wkt);
    const cv::Matx33d crs_to_pixel(1 / res, 0, -raster_grid.min_x / res - 0.5, 0, -1 / res, raster_grid.max_y / res - 0.5, 0, 0, 1);

    // Each piece's box on the grid (its footprint's, y flipped), and the last piece each tile waits for.
    std::vector<cv::Rect> boxes;
    std::map<std::pair<int, int>, size_t> last_piece;
    for (size_t i = 0; i < frames.size(); ++i) {
        const cv::Rect2d& f = footprints[i];
        const double x0 = (f.x - raster_grid.min_x) / res - 0.5, x1 = (f.br().x - raster_grid.min_x) / res - 0.5;
        const double y0 = (raster_grid.max_y - f.br().y) / res - 0.5, y1 = (raster_grid.max_y - f.y) / res - 0.5;
        const cv::Rect box = cv::Rect(cv::Point(int(std::floor(x0)), int(std::floor(y0))), cv::Point(int(std::ceil(x1)) + 1, int(std::ceil(y1)) + 1)) &
                             cv::Rect(0, 0, raster_grid.width, raster_grid.height);
        boxes.push_back(box);
        for (int row = box.y / kTileSize; row <= (box.br().y - 1) / kTileSize; ++row)
            for (int col = box.x / kTileSize; col <= (box.br().x - 1) / kTileSize; ++col)
                last_piece[{col, row}] = i;
    }

    // The pieces in order, each with the two before and after it at hand: a piece's pixels count
    // only where a neighbouring frame saw the same ground alike (the road mask: what stands above
    // the road or moved is left out). Each piece is divided by the survey's flat field first (its
    // seams are measured as they were filmed, as before registration).
    const GroundConsistency consistency(*grid);
    cv::Mat gain = flat_field.gain(grid->validMask());
    {
        double low = 1, high = 1;
        cv::minMaxLoc(gain, &low, &high, nullptr, nullptr, grid->validMask());
        summary.flat_field = {1 / high, 1 / low};
        const cv::Mat channels[3] = {gain, gain, gain};
        cv::merge(channels, 3, gain); // once, not for every piece
    }
    struct Piece {
        cv::Mat filmed, flattened;
        ComparedView view;
    };
    std::map<size_t, Piece> window;
    auto piece = [&](size_t j) -> Result<const Piece*> {
        if (auto it = window.find(j); it != window.end())
            return &it->second;
        Piece p;
        p.filmed = cv::imread(patchPath(j).string(), cv::IMREAD_COLOR);
        if (p.filmed.empty())
            return fail("cannot read back the mosaic's scratch piece " + patchPath(j).string());
        p.flattened = applyGain(p.filmed, gain);
        p.view = consistency.view(p.flattened, patch_to_crs[j]);
        return &window.emplace(j, std::move(p)).first->second;
    };
    constexpr size_t kNeighbours = 2;
    auto raster = std::make_unique<MosaicRaster>(scratch.path, raster_grid);
    std::vector<double> seams_after;
    double left_out = 0;
    const double valid_pixels = std::max(1, cv::countNonZero(grid->validMask()));
    for (size_t i = 0; i < frames.size(); ++i) {
        window.erase(window.begin(), window.lower_bound(i >= kNeighbours ? i - kNeighbours : 0));
        std::vector<const ComparedView*> neighbours;
        for (size_t j = i >= kNeighbours ? i - kNeighbours : 0; j <= std::min(frames.size() - 1, i + kNeighbours); ++j) {
            auto at = piece(j);
            if (!at)
                return fail(at.error());
            if (j != i)
                neighbours.push_back(&(*at)->view);
        }
        const Piece& current = window.at(i);
        if (options.register_frames && i > 0 && frames[i].linked)
            if (auto shift = measurePatchShift(*grid, window.at(i - 1).filmed, poses[i - 1], current.filmed, poses[i]))
                seams_after.push_back(shift->length());
        const cv::Mat confirmed = consistency.confirmed(current.view, neighbours);
        left_out += 1 - cv::sum(confirmed)[0] / valid_pixels;
        const cv::Rect& box = boxes[i];
        if (!box.empty()) {
            const cv::Matx33d to_box = cv::Matx33d(1, 0, -box.x, 0, 1, -box.y, 0, 0, 1) * crs_to_pixel * patch_to_crs[i];
            const cv::Mat affine = cv::Mat(to_box).rowRange(0, 2);
            cv::Mat colour, weight;
            cv::warpAffine(current.flattened, colour, affine, box.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT);
            cv::warpAffine(grid->weights().mul(confirmed), weight, affine, box.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT);
            raster->add(colour, weight, box.tl());
        }
        if (auto s = raster->flush([&](const std::pair<int, int>& tile) { return last_piece[tile] <= i; }); !s)
            return fail(s.error());
    }
    summary.left_out_share = left_out / double(frames.size());
    if (auto s = raster->flush([](const auto&) { return true; }); !s)
        return fail(s.error());
    auto overviews = raster->buildOverviews();
    if (!overviews)
        return fail(overviews.error());
    if (auto s = raster->writeCog(output.temporaryPath(), options.quality); !s)
        return fail(s.error());
    if (auto s = output.commit(); !s)
        return fail(s.error());

    summary.path = output.target();
    summary.resolution_m = res;
    const char* authority = crs.GetAuthorityName(nullptr);
    const char* code = crs.GetAuthorityCode(nullptr);
    summary.crs = authority && code ? std::string(authority) + ":" + code : raster_grid.crs_wkt;
    summary.min_x = raster_grid.min_x;
    summary.max_y = raster_grid.max_y;
    summary.max_x = raster_grid.min_x + raster_grid.width * res;
    summary.min_y = raster_grid.max_y - raster_grid.height * res;
    summary.width = raster_grid.width;
    summary.height = raster_grid.height;
    summary.overviews = *overviews;
    summary.frames = int64_t(frames.size());
    std::vector<double> steps;
    for (size_t i = 1; i < frames.size(); ++i)
        steps.push_back(std::abs(frames[i].pose.chainage_m - frames[i - 1].pose.chainage_m));
    summary.median_step_m = nearestRankQuantile(steps, 0.5);
    summary.near_m = options.near_m;
    summary.far_m = options.far_m;
    summary.tiles_written = raster->tilesWritten();
    summary.seams_before = seamsOf(seams_before);
    summary.seams_after = seamsOf(seams_after);
    std::error_code ec;
    summary.bytes = int64_t(fs::file_size(summary.path, ec));
    if (anonymizer)
        summary.anonymized_by = anonymizer->describe();
    summary.regions_blurred = regions_blurred;
    summary.bands_blurred_whole = bands_blurred_whole;
    cpu_s += threadCpuSeconds() - cpu_start;
    summary.cpu_s = cpu_s;
    return summary;
}

SurfaceMosaic::SurfaceMosaic(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SurfaceMosaic::~SurfaceMosaic() = default;

Result<std::unique_ptr<SurfaceMosaic>> SurfaceMosaic::start(const fs::path& out, const CameraModel& camera,
                                                            const SurfaceOptions& options, AnonymizerSet* anonymizer)
{
    if (!(options.resolution_m >= 0.005 && options.resolution_m <= 1.0))
        return fail("--resolution-m must be between 0.005 and 1 metre per pixel");
    if (!(options.half_width_m > 0.5 && options.half_width_m <= 30))
        return fail("the surface's half width must be between 0.5 and 30 m");
    if (auto why = cameraProblem(camera))
        return fail("the survey's camera cannot make a surface: " + *why);
    auto output = AtomicOutput::prepare(out, options.overwrite);
    if (!output)
        return fail(output.error());
    return std::unique_ptr<SurfaceMosaic>(new SurfaceMosaic(std::make_unique<Impl>(std::move(*output), camera, options, anonymizer)));
}

Status SurfaceMosaic::add(const cv::Mat& image, const SurfaceFramePose& pose) { return impl_->add(image, pose); }

Result<SurfaceSummary> SurfaceMosaic::finish() { return impl_->finish(); }

} // namespace voirie
