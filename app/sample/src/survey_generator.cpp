#include "voirie/sample/survey_generator.hpp"

#include "frame_renderer.hpp"
#include "ground_texture.hpp"
#include "road_layout.hpp"
#include "road_scene.hpp"
#include "voirie/sample/mp4_gps_embedding.hpp"

#include "voirie/core/base/time_format.hpp"
#include "voirie/core/base/version.hpp"
#include "voirie/core/geo/camera_file.hpp"
#include "voirie/core/geo/camera_geometry.hpp"
#include "voirie/core/geo/local_metric_frame.hpp"
#include "voirie/core/ingest/mp4_creation_time.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/vocabulary/severity_rules.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <cmath>
#include <condition_variable>
#include <optional>
#include <deque>
#include <mutex>
#include <thread>
#include <fstream>
#include <random>
#include <set>

namespace voirie::sample {
namespace fs = std::filesystem;
namespace {

// Montée de Choulans, Lyon 5e: a winding street climbing from the Saône towards Fourvière. The
// survey starts there, heading west-south-west; its curves are synthetic, not surveyed.
constexpr double kAnchorLon = 4.8170, kAnchorLat = 45.7545, kStartHeading = 235.0;
constexpr double kGpsLeadSeconds = 7.0; // the GPS logger was started before the camera
constexpr double kGpsTailSeconds = 5.0;
constexpr double kLookAhead = 240.0;    // road beyond the last frame, for the far view

bool writeWholeFile(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
    return bool(out);
}

} // namespace

struct SurveyGenerator::Impl {
    GeneratorSettings settings;
    LocalMetricFrame frame{kAnchorLon, kAnchorLat};
    double speed_mps;
    double s_start;
    int frames;
    RoadLayout layout;
    RoadScene scene;
    std::unique_ptr<GroundTexture> texture;
    std::unique_ptr<FrameRenderer> renderer;
    CameraModel camera;
    std::vector<TruthDefect> truth;
    double video_start;

    // The drive of this campaign: a later campaign drives the same road at another speed, on
    // another line, with another GPS error (a receiver is metres off from one day to the next).
    struct Drive {
        int campaign = 0;
        double speed_factor = 1, lane_offset_m = 0;
        double day_offset_east_m = 0, day_offset_north_m = 0;
        uint64_t phase = 0;
    };
    static Drive driveOf(const GeneratorSettings& s)
    {
        Drive d;
        d.campaign = int(s.evolution_years.size());
        d.phase = s.seed % 17;
        if (d.campaign == 0)
            return d;
        std::mt19937_64 rng(s.seed * 131 + uint64_t(d.campaign) * 7 + 3);
        std::uniform_real_distribution<double> u01(0, 1);
        d.speed_factor = 0.85 + 0.25 * u01(rng);
        d.lane_offset_m = -0.3 + 0.6 * u01(rng);
        const double offset = s.gps_noise_m * (0.6 + 0.9 * u01(rng)), direction = 2 * M_PI * u01(rng);
        d.day_offset_east_m = offset * std::sin(direction);
        d.day_offset_north_m = offset * std::cos(direction);
        d.phase = (s.seed + uint64_t(d.campaign) * 5) % 17;
        return d;
    }

    Drive drive;
    mutable double gps_mean_error_east = 0, gps_mean_error_north = 0; // over the video, set by writeGpx
    struct GpsError { double t, east, north; };
    mutable std::vector<GpsError> gps_errors; // every fix's error, set by writeGpx
    mutable std::vector<EmbeddedFix> gps_fixes; // the fixes writeGpx wrote, to embed them in the video

    // The GPS error where the survey saw a place: the mean error of the fixes within the track's
    // smoothing window (15 s) of the moment the place was 7 m ahead. Two campaigns' difference
    // of it at a defect is the offset a comparison must remove there.
    std::pair<double, double> gpsErrorAt(double s_place) const
    {
        const double t = (s_place - 7.0 - s_start) / speed_mps;
        double east = 0, north = 0;
        int n = 0;
        for (const auto& e : gps_errors)
            if (std::abs(e.t - t) <= 7.5)
                east += e.east, north += e.north, ++n;
        return n ? std::pair{east / n, north / n} : std::pair{0.0, 0.0};
    }
    std::vector<int> repaired_ids;

    explicit Impl(const GeneratorSettings& s)
        : settings(s), speed_mps(s.speed_kmh / 3.6 * driveOf(s).speed_factor),
          s_start(kGpsLeadSeconds * s.speed_kmh / 3.6 * 1.1 + 15.0),
          frames(int(std::ceil(s.length_m / speed_mps * s.fps))),
          layout(s.seed, s_start + s.length_m + kGpsTailSeconds * s.speed_kmh / 3.6 * 1.1 + kLookAhead, kStartHeading),
          scene(RoadScene::build(s.seed, layout, s_start, s_start + s.length_m, s.damage_per_km, s.clean)),
          drive(driveOf(s))
    {
        for (size_t step = 0; step < s.evolution_years.size(); ++step)
            scene.evolve(s.seed, int(step) + 1, s.evolution_years[step], layout, s_start, s_start + s.length_m);
        for (const auto& d : scene.repaired)
            repaired_ids.push_back(d.previous_id);
        camera = defaultDashcamCamera(s.width, s.height);
        camera.fx = camera.fy = (s.width / 2.0) / std::tan(s.camera_hfov_deg / 2 * M_PI / 180.0);
        camera.height_m = s.camera_height_m;
        camera.pitch_deg = s.camera_pitch_deg;
        camera.roll_deg = s.camera_roll_deg;
        texture = std::make_unique<GroundTexture>(s.seed, scene);
        renderer = std::make_unique<FrameRenderer>(layout, *texture, camera, s.seed);
        // A morning in spring, a different minute for each seed, on a whole second (so that the
        // container's creation time, stored in whole seconds, is exact).
        video_start = unixFromUtc(2026, 4, 14, 8, 30, 0) + double(s.seed % 600) * 60.0;
        for (int years : s.evolution_years) // a later spring, another hour
            video_start += std::round(years * 365.25) * 86400.0 + 37 * 60.0;
        // A clock off by a fraction of a second: the container stores whole seconds, so the true
        // start moves by the fraction instead (the container stays exactly `clock_offset_s` off).
        video_start += std::round(s.clock_offset_s) - s.clock_offset_s;
        buildTruth();
    }

    // Time since the first frame -> where the camera is. Speed wavers by 4%, the car by 12 cm
    // in its lane, the camera pitch by 0.08 degrees over bumps.
    VehiclePose poseAt(double t) const
    {
        VehiclePose p;
        p.time_s = t;
        const double period = 11.0, w = 2 * M_PI / period;
        p.s = s_start + speed_mps * (t + 0.04 / w * (1 - std::cos(w * t)));
        const double wl = 2 * M_PI / 9.0, phase = double(drive.phase);
        p.t = 1.75 + drive.lane_offset_m + 0.12 * std::sin(wl * t + phase);
        const double lateral_speed = 0.12 * wl * std::cos(wl * t + phase);
        p.heading_deg = layout.headingAt(p.s) + std::atan2(lateral_speed, speed_mps) * 180.0 / M_PI;
        p.pitch_deg = settings.camera_pitch_deg + 0.08 * std::sin(2 * M_PI * t / 1.3 + phase);
        p.world = layout.toWorld({p.s, p.t});
        return p;
    }

    std::pair<double, double> lonLat(const WorldPoint& w) const
    {
        double lon, lat;
        frame.toGeographic({w.x, w.y}, lon, lat);
        return {lon, lat};
    }

    void buildTruth()
    {
        for (const auto& d : scene.damages) {
            TruthDefect t;
            t.id = d.id;
            t.class_code = d.class_code;
            t.severity = severityCode(d.severity);
            t.length_m = d.length_m;
            t.area_m2 = d.area_m2;
            t.width_mm = d.class_code == "D40" ? 0 : d.width_mm;
            t.depth_m = d.depth_m;
            if (d.class_code == "D40") {
                double cx = 0, cy = 0;
                for (const auto& p : d.outline) {
                    const auto w = layout.toWorld(p);
                    cx += w.x / double(d.outline.size());
                    cy += w.y / double(d.outline.size());
                }
                t.geometry_type = "Point";
                t.lon_lat.push_back(lonLat({cx, cy}));
            } else if (d.class_code == "D20") {
                t.geometry_type = "Polygon";
                for (const auto& p : d.outline)
                    t.lon_lat.push_back(lonLat(layout.toWorld(p)));
            } else {
                t.geometry_type = "LineString";
                for (size_t i = 0; i < d.line.size(); i += 2) // 10 cm vertices
                    t.lon_lat.push_back(lonLat(layout.toWorld(d.line[i])));
                if ((d.line.size() - 1) % 2)
                    t.lon_lat.push_back(lonLat(layout.toWorld(d.line.back())));
            }
            t.chainage_m = (d.s_min + d.s_max) / 2 - s_start;
            t.change = d.change;
            t.previous_id = d.previous_id;
            truth.push_back(t);
        }
    }

    std::vector<PixelBoxTruth> visible(int index) const
    {
        const VehiclePose pose = poseAt(index / settings.fps);
        CameraModel actual = camera;
        actual.pitch_deg = pose.pitch_deg;
        const CameraGeometry geometry(actual);
        const double psi = pose.heading_deg * M_PI / 180.0;
        std::vector<PixelBoxTruth> out;
        for (const auto& d : scene.damages) {
            if (d.s_max < pose.s - 2 || d.s_min > pose.s + kLookAhead)
                continue;
            double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
            int in_range = 0, total = 0;
            double widest_px = 0, pad_px = 0;
            // A crack's drawn width (spalled edges for wide ones) and the blur spread beyond its line.
            const double drawn_m = d.class_code == "D40" ? 0.04 : d.width_mm / 1000.0 * (d.severity == Severity::High ? 3 : 1.5);
            auto project = [&](const RoadPoint& rp, double& forward) -> std::optional<std::pair<double, double>> {
                const auto w = layout.toWorld(rp);
                const double dx = w.x - pose.world.x, dy = w.y - pose.world.y;
                forward = dx * std::sin(psi) + dy * std::cos(psi);
                const double right = dx * std::cos(psi) - dy * std::sin(psi);
                return forward > 0.3 ? geometry.groundToPixel({forward, right}) : std::nullopt;
            };
            auto inFrame = [&](const std::optional<std::pair<double, double>>& px) {
                return px && px->first >= 0 && px->second >= 0 && px->first < camera.width && px->second < camera.height;
            };
            // Extends the box by the part of segment a-b inside the frame.
            auto cover = [&](const std::pair<double, double>& a, const std::pair<double, double>& b) {
                cv::Point2l pa(std::llround(a.first * 16), std::llround(a.second * 16));
                cv::Point2l pb(std::llround(b.first * 16), std::llround(b.second * 16));
                if (!cv::clipLine(cv::Size(camera.width * 16, camera.height * 16), pa, pb))
                    return;
                for (const auto& p : {pa, pb}) {
                    x0 = std::min(x0, p.x / 16.0), x1 = std::max(x1, p.x / 16.0);
                    y0 = std::min(y0, p.y / 16.0), y1 = std::max(y1, p.y / 16.0);
                }
            };
            auto take = [&](const RoadLine& line, double width_m, bool closed) {
                std::vector<std::optional<std::pair<double, double>>> projected(line.size());
                std::vector<double> forward(line.size());
                for (size_t i = 0; i < line.size(); ++i)
                    projected[i] = project(line[i], forward[i]);
                for (size_t i = 0; i < line.size(); ++i) {
                    ++total;
                    const auto& px = projected[i];
                    const size_t j = i + 1 < line.size() ? i + 1 : 0;
                    if (px && projected[j] && (j != 0 || closed))
                        cover(*px, *projected[j]);
                    if (!inFrame(px))
                        continue;
                    cover(*px, *px);
                    const double f = forward[i];
                    pad_px = std::max(pad_px, drawn_m * camera.fx / f);
                    if (f < 2.0 || f > 25.0)
                        continue;
                    ++in_range;
                    if (width_m <= 0 || i + 1 >= line.size() || !projected[i + 1])
                        continue;
                    // The crack's apparent width: both edges of this stretch projected, so that a
                    // transverse crack far ahead, seen almost edge-on, counts as thin as it looks.
                    const double ds = line[i + 1].s - line[i].s, dt = line[i + 1].t - line[i].t, n = std::hypot(ds, dt);
                    if (n <= 0)
                        continue;
                    const RoadPoint a{line[i].s - dt / n * width_m / 2, line[i].t + ds / n * width_m / 2};
                    const RoadPoint b{line[i].s + dt / n * width_m / 2, line[i].t - ds / n * width_m / 2};
                    double fa = 0, fb = 0;
                    const auto pa = project(a, fa), pb = project(b, fb);
                    const auto& next = projected[i + 1];
                    if (!pa || !pb)
                        continue;
                    // Across the crack's direction in the image, not just between the edges.
                    const double ux = next->first - px->first, uy = next->second - px->second, un = std::hypot(ux, uy);
                    if (un > 0)
                        widest_px = std::max(widest_px, std::abs(ux * (pb->second - pa->second) - uy * (pb->first - pa->first)) / un);
                }
            };
            const double width_m = d.width_mm / 1000.0;
            take(d.line, width_m, false);
            take(d.outline, 0, true);
            for (const auto& b : d.branches)
                take(b, d.class_code == "D20" ? width_m : 0, false);
            if (x1 < x0)
                continue; // nothing of it in the frame
            const double pad = pad_px / 2 + 1.5;
            x0 = std::max(0.0, x0 - pad), y0 = std::max(0.0, y0 - pad);
            x1 = std::min(camera.width - 1.0, x1 + pad), y1 = std::min(camera.height - 1.0, y1 + pad);
            PixelBoxTruth box{d.id, d.class_code, x0, y0, x1 - x0, y1 - y0, false};
            const bool mostly_in_range = in_range * 2 >= total;
            const bool crack = d.class_code == "D00" || d.class_code == "D10";
            box.scored = mostly_in_range && (crack ? widest_px >= 0.3 && std::hypot(box.width, box.height) >= 12
                                                   : box.width >= 10 && box.height >= 5);
            out.push_back(box);
        }
        return out;
    }

    Status writeGpx(const fs::path& path) const
    {
        std::mt19937_64 rng(settings.seed * 9973 + 11 + uint64_t(drive.campaign) * 1000003);
        std::normal_distribution<double> n01(0, 1);
        // Per-axis noise: AR(1) (1.7 m by default, correlation 0.4 fix to fix) plus a slowly
        // wandering bias of a quarter of that.
        const double sigma = settings.gps_noise_m, rho = 0.4, drift = 0.08 * settings.gps_noise_m / 1.7;
        double ex = sigma * n01(rng), ey = sigma * n01(rng), bx = 0, by = 0;
        std::ostringstream out;
        out.precision(11); // 8 decimals of a degree: millimetres, so that a perfect receiver is perfect
        out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<gpx version=\"1.1\" creator=\"voirie sample\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n"
               "<trk><name>Voirie sample survey, seed "
            << settings.seed << "</name><trkseg>\n";
        const double duration = frames / settings.fps;
        double sum_east = 0, sum_north = 0;
        int in_video = 0;
        gps_errors.clear();
        gps_fixes.clear();
        for (double t = -kGpsLeadSeconds; t <= duration + kGpsTailSeconds; t += 1.0) {
            ex = rho * ex + std::sqrt(1 - rho * rho) * sigma * n01(rng);
            ey = rho * ey + std::sqrt(1 - rho * rho) * sigma * n01(rng);
            bx = 0.98 * bx + drift * n01(rng);
            by = 0.98 * by + drift * n01(rng);
            const auto p = poseAt(t).world;
            const double error_east = ex + bx + drive.day_offset_east_m, error_north = ey + by + drive.day_offset_north_m;
            gps_errors.push_back({t, error_east, error_north});
            if (t >= 0 && t <= duration) {
                sum_east += error_east, sum_north += error_north;
                ++in_video;
            }
            const auto [lon, lat] = lonLat({p.x + error_east, p.y + error_north});
            gps_fixes.push_back({video_start + t, lat, lon, 0, speed_mps});
            out << "<trkpt lat=\"" << lat << "\" lon=\"" << lon << "\"><time>" << formatIso8601(video_start + t)
                << "</time><hdop>" << 0.9 + 0.3 * std::abs(n01(rng)) << "</hdop></trkpt>\n";
        }
        out << "</trkseg></trk>\n</gpx>\n";
        gps_mean_error_east = in_video ? sum_east / in_video : 0;
        gps_mean_error_north = in_video ? sum_north / in_video : 0;
        if (!writeWholeFile(path, out.str()))
            return fail("cannot write " + path.string());
        return Ok{};
    }

    Status writeTruth(const fs::path& path) const
    {
        GDALAllRegister();
        std::error_code ec;
        fs::remove(path, ec);
        const char* options[] = {"RFC7946=YES", "COORDINATE_PRECISION=9", nullptr};
        GDALDatasetUniquePtr ds(GetGDALDriverManager()->GetDriverByName("GeoJSON")->Create(
            path.string().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        if (!ds)
            return fail("cannot create " + path.string());
        OGRSpatialReference wgs84 = wgs84LonLat();
        OGRLayer* layer = ds->CreateLayer("ground_truth", &wgs84, wkbUnknown, const_cast<char**>(options));
        addField(*layer, "id", OFTInteger);
        addField(*layer, "class", OFTString);
        addField(*layer, "severity", OFTString);
        addField(*layer, "length_m", OFTReal);
        addField(*layer, "area_m2", OFTReal);
        addField(*layer, "width_mm", OFTReal);
        addField(*layer, "depth_m", OFTReal);
        addField(*layer, "chainage_m", OFTReal);
        addField(*layer, "gps_error_east_m", OFTReal); // the GPS error where the survey saw it (gpsErrorAt)
        addField(*layer, "gps_error_north_m", OFTReal);
        const bool evolved = drive.campaign > 0;
        if (evolved) {
            addField(*layer, "change", OFTString);
            addField(*layer, "previous_id", OFTInteger);
        }
        for (const auto& t : truth) {
            OGRFeatureUniquePtr f(OGRFeature::CreateFeature(layer->GetLayerDefn()));
            f->SetField("id", t.id);
            f->SetField("class", t.class_code.c_str());
            f->SetField("severity", t.severity.c_str());
            f->SetField("length_m", t.length_m);
            f->SetField("area_m2", t.area_m2);
            f->SetField("width_mm", t.width_mm);
            f->SetField("depth_m", t.depth_m);
            f->SetField("chainage_m", t.chainage_m);
            const auto [error_east, error_north] = gpsErrorAt(s_start + t.chainage_m);
            f->SetField("gps_error_east_m", error_east);
            f->SetField("gps_error_north_m", error_north);
            if (evolved) {
                f->SetField("change", t.change.c_str());
                if (t.previous_id > 0)
                    f->SetField("previous_id", t.previous_id);
            }
            if (t.geometry_type == "Point") {
                OGRPoint p(t.lon_lat[0].first, t.lon_lat[0].second);
                f->SetGeometry(&p);
            } else if (t.geometry_type == "LineString") {
                OGRLineString l;
                for (const auto& [lon, lat] : t.lon_lat)
                    l.addPoint(lon, lat);
                f->SetGeometry(&l);
            } else {
                OGRLinearRing ring;
                for (const auto& [lon, lat] : t.lon_lat)
                    ring.addPoint(lon, lat);
                ring.closeRings();
                OGRPolygon poly;
                poly.addRing(&ring);
                f->SetGeometry(&poly);
            }
            if (layer->CreateFeature(f.get()) != OGRERR_NONE)
                return fail("cannot write the ground truth to " + path.string());
        }
        return Ok{};
    }

    Status writeBasemap(const fs::path& path) const
    {
        // Extent in Web Mercator around the surveyed road, 0.5 m per pixel.
        OGRSpatialReference merc, local, wgs84 = wgs84LonLat();
        merc.importFromEPSG(3857);
        merc.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        std::unique_ptr<OGRCoordinateTransformation> to_merc(OGRCreateCoordinateTransformation(&wgs84, &merc));
        double x0 = 1e18, y0 = 1e18, x1 = -1e18, y1 = -1e18;
        for (double s = s_start - 40; s <= s_start + settings.length_m + 40; s += 5)
            for (double t : {-45.0, 45.0}) {
                auto [lon, lat] = lonLat(layout.toWorld({s, t}));
                to_merc->Transform(1, &lon, &lat);
                x0 = std::min(x0, lon), x1 = std::max(x1, lon), y0 = std::min(y0, lat), y1 = std::max(y1, lat);
            }
        const double res = 0.5 / std::cos(kAnchorLat * M_PI / 180.0); // 0.5 ground metres in Mercator units
        const int w = int((x1 - x0) / res), h = int((y1 - y0) / res);
        cv::Mat image(h, w, CV_8UC3);
        std::unique_ptr<OGRCoordinateTransformation> to_geo(OGRCreateCoordinateTransformation(&merc, &wgs84));
        for (int row = 0; row < h; ++row) {
            int hint = layout.indexOf(s_start);
            for (int col = 0; col < w; ++col) {
                double x = x0 + (col + 0.5) * res, y = y1 - (row + 0.5) * res;
                to_geo->Transform(1, &x, &y);
                const auto m = frame.toMetric(x, y);
                const RoadPoint rp = layout.toRoad({m.x, m.y}, hint);
                const double at = std::abs(rp.t);
                const bool on_road_range = rp.s > 1 && rp.s < layout.length() - 1;
                cv::Vec3b c(150, 176, 168); // urban land
                if (on_road_range && at < kLaneWidth) {
                    const bool dash = std::fmod(rp.s, 10.0) < 3.0 && at < 0.12;
                    c = (dash || std::abs(at - 3.3) < 0.12) ? cv::Vec3b(235, 235, 235) : cv::Vec3b(96, 96, 100);
                } else if (on_road_range && at < kSidewalkOuter) {
                    c = cv::Vec3b(196, 200, 204);
                } else if (on_road_range && at < 9) {
                    c = cv::Vec3b(96, 150, 110); // verge
                } else if (on_road_range && at < 26 && std::fmod(rp.s + (rp.t > 0 ? 7 : 0), 24.0) < 17) {
                    c = cv::Vec3b(150, 160, 206); // buildings
                }
                image.at<cv::Vec3b>(row, col) = c;
            }
        }
        GDALDatasetUniquePtr mem(GetGDALDriverManager()->GetDriverByName("MEM")->Create("", w, h, 3, GDT_Byte, nullptr));
        for (int band = 0; band < 3; ++band) {
            cv::Mat plane;
            cv::extractChannel(image, plane, 2 - band); // RGB order in the file
            if (mem->GetRasterBand(band + 1)->RasterIO(GF_Write, 0, 0, w, h, plane.data, w, h, GDT_Byte, 0, 0) != CE_None)
                return fail("cannot fill the basemap raster");
            mem->GetRasterBand(band + 1)->SetColorInterpretation(GDALColorInterp(GCI_RedBand + band));
        }
        double transform[6] = {x0, res, 0, y1, 0, -res};
        mem->SetGeoTransform(transform);
        mem->SetSpatialRef(&merc);
        const char* options[] = {"TILED=YES", "COMPRESS=DEFLATE", "PHOTOMETRIC=RGB", nullptr};
        GDALDatasetUniquePtr out(GetGDALDriverManager()->GetDriverByName("GTiff")->CreateCopy(
            path.string().c_str(), mem.get(), FALSE, const_cast<char**>(options), nullptr, nullptr));
        if (!out)
            return fail("cannot write the basemap " + path.string() + ": " + CPLGetLastErrorMsg());
        return Ok{};
    }
};

SurveyGenerator::SurveyGenerator(const GeneratorSettings& settings) : impl_(std::make_unique<Impl>(settings)) {}
SurveyGenerator::~SurveyGenerator() = default;

int SurveyGenerator::frameCount() const { return impl_->frames; }

cv::Mat SurveyGenerator::renderFrame(int frame_index)
{
    return impl_->renderer->render(impl_->poseAt(frame_index / impl_->settings.fps), frame_index);
}

std::vector<PixelBoxTruth> SurveyGenerator::visibleDefects(int frame_index) const { return impl_->visible(frame_index); }
const std::vector<TruthDefect>& SurveyGenerator::truth() const { return impl_->truth; }
std::vector<int> SurveyGenerator::repairedIds() const { return impl_->repaired_ids; }
int SurveyGenerator::campaign() const { return impl_->drive.campaign; }
CameraModel SurveyGenerator::camera() const { return impl_->camera; }
double SurveyGenerator::videoStartUtc() const { return impl_->video_start; }
std::pair<double, double> SurveyGenerator::truePosition(double seconds) const
{
    return impl_->lonLat(impl_->poseAt(seconds).world);
}

std::string SurveyGenerator::placeDescription()
{
    return "Montée de Choulans, Lyon 5e, France (starting at 45.7545 N, 4.8170 E, heading west-south-west); "
           "the road's curves, markings and damage are synthetic";
}

Result<GeneratorSettings> readGeneratorSettings(const std::filesystem::path& folder)
{
    const auto path = folder / "survey.json";
    std::ifstream in(path);
    if (!in)
        return fail(path.string() + " cannot be read; is " + folder.string() + " a folder written by voirie sample?");
    const auto survey = nlohmann::json::parse(in, nullptr, false);
    if (survey.is_discarded() || !survey.contains("settings") || !survey["settings"].is_object())
        return fail(path.string() + " is not a survey description written by voirie sample");
    GeneratorSettings s;
    try {
        const auto& settings = survey["settings"];
        s.seed = settings.at("seed").get<uint64_t>();
        s.length_m = settings.at("length_m").get<double>();
        s.speed_kmh = settings.at("speed_kmh").get<double>();
        s.fps = settings.at("fps").get<double>();
        s.width = settings.at("width").get<int>();
        s.height = settings.at("height").get<int>();
        s.damage_per_km = settings.at("damage_per_km").get<double>();
        s.clean = settings.value("clean", false);
        s.stills_only = settings.value("stills_only", false);
        s.camera_height_m = settings.value("camera_height_m", s.camera_height_m);
        s.camera_pitch_deg = settings.value("camera_pitch_deg", s.camera_pitch_deg);
        s.camera_roll_deg = settings.value("camera_roll_deg", s.camera_roll_deg);
        s.camera_hfov_deg = settings.value("hfov_deg", s.camera_hfov_deg);
        if (survey.contains("gps"))
            s.gps_noise_m = survey["gps"].value("noise_m", s.gps_noise_m);
        s.evolution_years = survey.value("evolution_years", std::vector<int>{});
    } catch (const nlohmann::json::exception& e) {
        return fail(path.string() + " lacks a setting: " + e.what());
    }
    return s;
}

std::vector<cv::Vec3b> SurveyGenerator::groundColours(const std::vector<std::pair<double, double>>& lon_lat)
{
    std::vector<cv::Vec3b> colours(lon_lat.size(), cv::Vec3b(0, 0, 0));
    int hint = 0;
    for (size_t i = 0; i < lon_lat.size(); ++i) {
        const MetricPoint m = impl_->frame.toMetric(lon_lat[i].first, lon_lat[i].second);
        const RoadPoint road = impl_->layout.toRoad({m.x, m.y}, hint);
        const int index = int(std::floor(road.s / kTileLength));
        if (road.s < 0 || road.s > impl_->layout.length())
            continue;
        const cv::Mat& texels = impl_->texture->tile(index).level[0];
        const double x = (road.s - index * kTileLength) / kTexel - 0.5, y = (road.t - kTMin) / kTexel - 0.5;
        if (y < 0 || y >= texels.rows - 1)
            continue;
        cv::Mat one;
        // getRectSubPix replicates the border: at a tile's last column that is within a texel.
        cv::getRectSubPix(texels, {1, 1}, cv::Point2f(float(x), float(y)), one);
        colours[i] = one.at<cv::Vec3b>(0, 0);
    }
    return colours;
}

Status SurveyGenerator::write(const fs::path& folder, const std::function<void(int, int)>& progress)
{
    Impl& m = *impl_;
    std::error_code ec;
    fs::create_directories(folder / "stills", ec);
    if (ec)
        return fail("cannot create folder " + folder.string() + ": " + ec.message());

    // Stills: each defect seen from 7 and 14 m, plus a few frames of plain road.
    std::set<int> stills;
    for (const auto& d : m.scene.damages)
        for (double ahead : {7.0, 14.0}) {
            const double s_target = (d.s_min + d.s_max) / 2 - ahead;
            const int frame = int(std::lround((s_target - m.s_start) / m.speed_mps * m.settings.fps));
            if (frame >= 0 && frame < m.frames && int(stills.size()) < 200)
                stills.insert(frame);
        }
    for (int k = 1; k <= 4; ++k)
        stills.insert(m.frames * k / 5);

    nlohmann::ordered_json stills_truth;
    stills_truth["images"] = nlohmann::ordered_json::array();
    auto recordStill = [&](int i, const cv::Mat& image) -> Status {
        char name[64];
        std::snprintf(name, sizeof(name), "stills/frame_%05d.png", i);
        if (!cv::imwrite((folder / name).string(), image))
            return fail("cannot write " + (folder / name).string());
        nlohmann::ordered_json entry;
        entry["path"] = name;
        entry["width"] = image.cols;
        entry["height"] = image.rows;
        entry["detections"] = nlohmann::ordered_json::array();
        for (const auto& b : m.visible(i))
            if (b.scored)
                entry["detections"].push_back({{"plugin", "truth"},
                                               {"class", b.class_code},
                                               {"confidence", 1.0},
                                               {"box", {std::round(b.x * 10) / 10, std::round(b.y * 10) / 10,
                                                        std::round(b.width * 10) / 10, std::round(b.height * 10) / 10}},
                                               {"damage_id", b.damage_id}});
        stills_truth["images"].push_back(entry);
        return Ok{};
    };
    if (m.settings.stills_only) {
        int done = 0;
        for (int i : stills) {
            if (auto s = recordStill(i, renderFrame(i)); !s)
                return s;
            if (progress)
                progress(++done, int(stills.size()));
        }
    } else if (auto s = writeVideo(folder / "survey.mp4", stills, recordStill, progress); !s) {
        return s;
    }
    if (!writeWholeFile(folder / "stills_truth.json", stills_truth.dump(1) + "\n"))
        return fail("cannot write stills_truth.json");
    if (auto s = m.writeGpx(folder / "survey.gpx"); !s)
        return s;
    // The settings box goes first: embedding GPS puts samples after the movie box, which must be
    // the file's last box to grow.
    if (m.settings.lens_metadata && !m.settings.stills_only) {
        const double diagonal_deg = 2 * std::atan(std::tan(m.settings.camera_hfov_deg / 2 * M_PI / 180) *
                                                  std::hypot(m.settings.width, m.settings.height) / m.settings.width) *
                                    180 / M_PI;
        if (auto s = embedGoProSettings(folder / "survey.mp4", "Voirie sample camera", "L", diagonal_deg); !s)
            return s;
    }
    if (!m.settings.embed_gps.empty() && !m.settings.stills_only)
        if (auto s = embedGps(folder / "survey.mp4"); !s)
            return s;
    if (auto s = writeCameraFile(m.camera, folder / "camera.json"); !s)
        return s;
    if (auto s = m.writeTruth(folder / "ground_truth.geojson"); !s)
        return s;
    if (auto s = m.writeBasemap(folder / "basemap.tif"); !s)
        return s;
    return writeSurveyJson(folder / "survey.json");
}

Status SurveyGenerator::writeVideo(const fs::path& video, const std::set<int>& stills,
                                   const std::function<Status(int, const cv::Mat&)>& record_still,
                                   const std::function<void(int, int)>& progress)
{
    Impl& m = *impl_;
    cv::VideoWriter writer(video.string(), cv::CAP_FFMPEG, cv::VideoWriter::fourcc('a', 'v', 'c', '1'), m.settings.fps,
                           cv::Size(m.settings.width, m.settings.height));
    if (!writer.isOpened())
        return fail("cannot open an H.264 video writer for " + video.string() + " (FFmpeg without libx264?)");
    // Rendering runs one thread ahead of encoding (x264 leaves part of the second core idle).
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<cv::Mat> ready;
    bool stop = false;
    std::thread renderer([&] {
        for (int i = 0; i < m.frames; ++i) {
            cv::Mat image = renderFrame(i);
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return ready.size() < 4 || stop; });
            if (stop)
                return;
            ready.push_back(std::move(image));
            changed.notify_all();
        }
    });
    struct JoinOnExit {
        std::thread& thread;
        std::mutex& mutex;
        bool& stop;
        std::condition_variable& changed;
        ~JoinOnExit()
        {
            {
                std::lock_guard lock(mutex);
                stop = true;
            }
            changed.notify_all();
            thread.join();
        }
    } join_on_exit{renderer, mutex, stop, changed};
    for (int i = 0; i < m.frames; ++i) {
        cv::Mat image;
        {
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return !ready.empty(); });
            image = std::move(ready.front());
            ready.pop_front();
            changed.notify_all();
        }
        writer.write(image);
        if (stills.count(i))
            if (auto s = record_still(i, image); !s)
                return s;
        if (progress)
            progress(i + 1, m.frames);
    }
    writer.release();
    if (!writeMp4CreationTime(video, std::round(m.video_start + m.settings.clock_offset_s)))
        return fail("cannot record the start time in " + video.string());
    return Ok{};
}

Status SurveyGenerator::embedGps(const fs::path& video) const
{
    const Impl& m = *impl_;
    const double duration = m.frames / m.settings.fps;
    if (m.settings.embed_gps == "novatek")
        return embedNovatek(video, m.gps_fixes, m.video_start, duration);
    if (m.settings.embed_gps != "gpmf")
        return fail("unknown GPS embedding \"" + m.settings.embed_gps + "\" (gpmf or novatek)");
    // A GoPro records GPS5 at 18 Hz: the 1 Hz fixes (their error included) interpolated.
    std::vector<EmbeddedFix> fixes;
    for (size_t i = 0; i + 1 < m.gps_fixes.size(); ++i)
        for (int k = 0; k < 18; ++k) {
            const double w = k / 18.0;
            const auto &a = m.gps_fixes[i], &b = m.gps_fixes[i + 1];
            if (a.time + w < m.video_start || a.time + w > m.video_start + duration)
                continue;
            fixes.push_back({a.time + w, a.lat + w * (b.lat - a.lat), a.lon + w * (b.lon - a.lon), 0, a.speed_mps});
        }
    return embedGpmf(video, fixes, m.video_start);
}

Status SurveyGenerator::writeSurveyJson(const fs::path& path) const
{
    const Impl& m = *impl_;
    nlohmann::ordered_json survey;
    survey["generator"] = std::string("voirie sample ") + VOIRIE_VERSION;
    survey["place"] = placeDescription();
    survey["video"] = m.settings.stills_only ? nlohmann::ordered_json::array() : nlohmann::ordered_json{"survey.mp4"};
    survey["track"] = "survey.gpx";
    if (!m.settings.embed_gps.empty() && !m.settings.stills_only)
        survey["gps_embedded"] = m.settings.embed_gps; // the same fixes, inside survey.mp4
    if (m.settings.lens_metadata && !m.settings.stills_only)
        survey["lens_metadata"] = "GoPro-style settings: Linear lens mode and diagonal field of view (ZFOV)";
    survey["camera"] = "camera.json";
    survey["video_start"] = formatIso8601(m.video_start);
    if (m.settings.clock_offset_s != 0) // what the container says against the true first-frame time
        survey["container_clock_offset_s"] = m.settings.clock_offset_s;
    survey["frames"] = m.frames;
    survey["fps"] = m.settings.fps;
    survey["length_m"] = m.settings.length_m;
    survey["damages"] = m.truth.size();
    survey["ground_truth"] = "ground_truth.geojson";
    survey["basemap"] = "basemap.tif";
    survey["stills"] = "stills";
    survey["stills_truth"] = "stills_truth.json";
    survey["gps"] = {{"rate_hz", 1},
                     {"starts_before_video_s", kGpsLeadSeconds},
                     {"noise_m", m.settings.gps_noise_m},
                     {"noise", "per axis: AR(1) with this standard deviation, correlation 0.4 between fixes, plus a "
                               "slow bias of a quarter of it"}};
    survey["gps"]["mean_error_m"] = {{"east", m.gps_mean_error_east}, {"north", m.gps_mean_error_north}};
    if (m.drive.campaign > 0) {
        // What a change detection must find, and the GPS offset it must estimate (this
        // campaign's mean error minus the previous one's, both over the video).
        survey["campaign"] = m.drive.campaign;
        survey["evolution_years"] = m.settings.evolution_years;
        survey["drive"] = {{"speed_kmh", m.speed_mps * 3.6}, {"lane_offset_m", m.drive.lane_offset_m},
                           {"gps_day_offset_m", {{"east", m.drive.day_offset_east_m}, {"north", m.drive.day_offset_north_m}}}};
        nlohmann::ordered_json changes = {{"new", 0}, {"unchanged", 0}, {"grown", 0}, {"repaired", m.repaired_ids.size()}};
        for (const auto& t : m.truth)
            changes[t.change] = changes[t.change].get<int>() + 1;
        survey["changes"] = changes;
        survey["repaired_previous_ids"] = m.repaired_ids;
    }
    survey["settings"] = {{"seed", m.settings.seed},           {"length_m", m.settings.length_m},
                          {"speed_kmh", m.settings.speed_kmh}, {"fps", m.settings.fps},
                          {"width", m.settings.width},         {"height", m.settings.height},
                          {"damage_per_km", m.settings.damage_per_km}, {"clean", m.settings.clean},
                          {"stills_only", m.settings.stills_only},
                          {"camera_height_m", m.settings.camera_height_m}, {"camera_pitch_deg", m.settings.camera_pitch_deg},
                          {"camera_roll_deg", m.settings.camera_roll_deg}, {"hfov_deg", m.settings.camera_hfov_deg}};
    if (!writeWholeFile(path, survey.dump(2) + "\n"))
        return fail("cannot write " + path.string());
    return Ok{};
}

} // namespace voirie::sample
