#include "frame_renderer.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace voirie::sample {
namespace {

constexpr int kGrid = 4;              // rays are cast every 4 pixels and interpolated
constexpr double kLevelDistance[2] = {11.0, 24.0}; // metres where detail drops to 4 then 8 cm
constexpr double kFarLimit = 220.0;   // beyond this the ground is haze

double skylineHeight(double azimuth_deg, uint64_t seed)
{
    // Buildings and trees along the street: a world-fixed profile over azimuth, in degrees up.
    double h = 0;
    for (int k = 1; k <= 4; ++k)
        h += std::sin(azimuth_deg * M_PI / 180.0 * (k * 3 + 1) + double(seed % 97) * k) / k;
    const double block = std::fmod(std::abs(azimuth_deg) + double(seed % 13), 9.0) < 6.5 ? 1.0 : 0.35;
    return std::max(0.5, (6.0 + 3.0 * h) * block);
}

// The share of [x - w/2, x + w/2] where fmod(x, period) < duty: a square wave box-filtered over
// a pixel's footprint.
double coveredShare(double x, double w, double period, double duty)
{
    auto integral = [&](double v) {
        const double n = std::floor(v / period);
        return n * duty + std::min(v - n * period, duty);
    };
    if (w < 1e-9)
        return std::fmod(x, period) < duty ? 1.0 : 0.0;
    return (integral(x + w / 2) - integral(x - w / 2)) / w;
}

} // namespace

FrameRenderer::FrameRenderer(const RoadLayout& layout, GroundTexture& texture, const CameraModel& camera, uint64_t seed)
    : layout_(layout), texture_(texture), camera_(camera), seed_(seed)
{
    vignette_.create(camera.height, camera.width, CV_8UC3); // gain, 255 = 1.0
    for (int y = 0; y < camera.height; ++y)
        for (int x = 0; x < camera.width; ++x) {
            const double dx = (x - camera.cx) / camera.width, dy = (y - camera.cy) / camera.height;
            vignette_.at<cv::Vec3b>(y, x) = cv::Vec3b::all(uchar(255 * (1.0 - 0.7 * (dx * dx + dy * dy))));
        }
    cv::RNG rng(seed * 13 + 1);
    for (int i = 0; i < 6; ++i) {
        cv::Mat noise(camera.height, camera.width, CV_16SC3);
        rng.fill(noise, cv::RNG::NORMAL, 0, 2.5);
        noise_bank_.push_back(noise);
    }
}

void FrameRenderer::ensureWindow(int level, int first_tile, int last_tile)
{
    Window& w = windows_[level];
    if (w.first_tile == first_tile && w.last_tile == last_tile)
        return;
    std::vector<cv::Mat> parts;
    for (int i = first_tile; i <= last_tile; ++i)
        parts.push_back(texture_.tile(i).level[level]);
    cv::hconcat(parts, w.image);
    w.first_tile = first_tile;
    w.last_tile = last_tile;
}

cv::Mat FrameRenderer::render(const VehiclePose& pose, int frame_index)
{
    CameraModel actual = camera_;
    actual.pitch_deg = pose.pitch_deg;
    const CameraGeometry geometry(actual);
    const int W = camera_.width, H = camera_.height;
    const int gw = W / kGrid + 2, gh = H / kGrid + 2;
    const double psi = pose.heading_deg * M_PI / 180.0;
    const double fx = std::sin(psi), fy = std::cos(psi), rx = std::cos(psi), ry = -std::sin(psi);

    // Cast the coarse grid of rays: road coordinates and distance per grid point.
    cv::Mat grid_s(gh, gw, CV_64F), grid_t(gh, gw, CV_64F), grid_d(gh, gw, CV_64F);
    cv::Mat on_texture(gh, gw, CV_8U, cv::Scalar(1)); // has a road position to interpolate towards
    double s_min[3] = {1e18, 1e18, 1e18}, s_max[3] = {-1e18, -1e18, -1e18};
    int hint = layout_.indexOf(pose.s);
    for (int gy = 0; gy < gh; ++gy) {
        int row_hint = hint;
        for (int gx = 0; gx < gw; ++gx) {
            // cv::resize maps grid point g to pixel g*kGrid + (kGrid-1)/2: cast the ray there.
            const double px = gx * kGrid + (kGrid - 1) / 2.0, py = gy * kGrid + (kGrid - 1) / 2.0;
            auto g = geometry.pixelToGround(px, py);
            double d = -1;
            if (g)
                d = std::hypot(g->forward, g->right);
            if (!g && geometry.horizonRow(px) - py > 2 * kGrid) {
                // Sky well above the horizon: no visible ground pixel interpolates towards it.
                grid_d.at<double>(gy, gx) = -1;
                on_texture.at<uchar>(gy, gx) = 0;
                continue;
            }
            if (!g || d > kFarLimit) {
                // Sky or past the far limit: the haze covers it, but the point keeps a road position
                // at the far limit on its bearing, so that interpolating towards a nearer point
                // stays on the texture and the far edge is drawn by the haze alone.
                const double bearing = g ? std::atan2(g->right, g->forward) : std::atan2(px - camera_.cx, camera_.fx);
                g.emplace();
                g->forward = kFarLimit * std::cos(bearing);
                g->right = kFarLimit * std::sin(bearing);
            }
            const WorldPoint w{pose.world.x + g->forward * fx + g->right * rx, pose.world.y + g->forward * fy + g->right * ry};
            const RoadPoint rp = layout_.toRoad(w, row_hint);
            grid_s.at<double>(gy, gx) = rp.s;
            grid_t.at<double>(gy, gx) = rp.t;
            grid_d.at<double>(gy, gx) = d > kFarLimit ? -1 : d;
            const int level = d < 0 || d > kFarLimit ? 2 : d < kLevelDistance[0] ? 0 : d < kLevelDistance[1] ? 1 : 2;
            s_min[level] = std::min(s_min[level], rp.s);
            s_max[level] = std::max(s_max[level], rp.s);
        }
    }

    cv::Mat frame(H, W, CV_8UC3, cv::Scalar(0, 0, 0));
    // Detail level by image row (distance grows upwards): the rows of each level's band.
    std::vector<int> row_level(size_t(gh), -1);
    for (int gy = 0; gy < gh; ++gy) {
        const double d = grid_d.at<double>(gy, std::min(gw - 1, int(camera_.cx) / kGrid));
        row_level[size_t(gy)] = d < 0 ? 3 : d < kLevelDistance[0] ? 0 : d < kLevelDistance[1] ? 1 : 2;
    }
    for (int level = 0; level < 3; ++level) {
        int g0 = gh, g1 = -1;
        for (int gy = 0; gy < gh; ++gy)
            if (row_level[size_t(gy)] == level || (level == 2 && row_level[size_t(gy)] == 3))
                g0 = std::min(g0, gy), g1 = std::max(g1, gy);
        if (g1 < 0 || s_min[level] > s_max[level])
            continue;
        const int first = int(std::floor((s_min[level] - 1) / kTileLength)), last = int(std::floor((s_max[level] + 1) / kTileLength));
        ensureWindow(level, std::max(0, first), std::max(0, last));
        const double scale = double(1 << level);
        const double origin = windows_[level].first_tile * kTileLength;
        // The band's grid rows plus one on each side, so interpolation at its edges is right.
        const int r0 = std::max(0, g0 - 1), r1 = std::min(gh - 1, g1 + 1);
        cv::Mat map_x(r1 - r0 + 1, gw, CV_32F, cv::Scalar(-1e4)), map_y(r1 - r0 + 1, gw, CV_32F, cv::Scalar(-1e4));
        for (int gy = r0; gy <= r1; ++gy)
            for (int gx = 0; gx < gw; ++gx) {
                if (!on_texture.at<uchar>(gy, gx))
                    continue;
                map_x.at<float>(gy - r0, gx) = float((grid_s.at<double>(gy, gx) - origin) / (kTexel * scale) - 0.5);
                map_y.at<float>(gy - r0, gx) = float((grid_t.at<double>(gy, gx) - kTMin) / (kTexel * scale) - 0.5);
            }
        cv::Mat full_x, full_y;
        cv::resize(map_x, full_x, cv::Size(gw * kGrid, map_x.rows * kGrid), 0, 0, cv::INTER_LINEAR);
        cv::resize(map_y, full_y, cv::Size(gw * kGrid, map_y.rows * kGrid), 0, 0, cv::INTER_LINEAR);
        const int y0 = g0 * kGrid, y1 = std::min(H, (g1 + 1) * kGrid);
        const cv::Rect src(0, y0 - r0 * kGrid, W, y1 - y0);
        cv::Mat band = frame(cv::Rect(0, y0, W, y1 - y0));
        cv::remap(windows_[level].image, band, full_x(src), full_y(src), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                  cv::Scalar(70, 105, 88));
    }

    // Sky, skyline and distance haze above the last ground rows.
    const double horizon = geometry.horizonRow(camera_.cx);
    std::vector<double> tilt(size_t(W), 0.0); // a rolled camera's horizon row at x, against its row at cx
    for (int x = 0; x < W; ++x)
        if (camera_.roll_deg != 0)
            tilt[size_t(x)] = geometry.horizonRow(x) - horizon;
    // The far ground fades into the haze over a few rows measured from the horizon line itself
    // (it leans with the camera's roll), not by the blocks of the ray grid: their edges would draw
    // the far end of the road as level steps, a false horizon for anything reading the roll.
    // Down to `haze_rows` below the horizon the ground lies past the far limit.
    const double fade = std::max(3.0, W / 200.0);
    std::vector<double> haze_rows(size_t(W), 0.0);
    double last_row = 0;
    for (int x = 0; x < W; ++x) {
        const double off_axis = std::cos(std::atan2(x - camera_.cx, camera_.fx));
        haze_rows[size_t(x)] = camera_.fy * camera_.height_m / (kFarLimit * off_axis);
        last_row = std::max(last_row, horizon + tilt[size_t(x)] + haze_rows[size_t(x)] + fade);
    }
    const int sky_rows = std::min(H, int(std::ceil(last_row)));
    if (sky_rows > 0) {
        // Each pixel's azimuth and elevation as its ray sees them (a pitched camera sees the
        // horizon's columns stretched by 1 / cos(pitch), a rolled one leans it): cast on the ray
        // grid and interpolated. The skyline's height by azimuth from a table at 0.02 degrees.
        const int rows = sky_rows / kGrid + 2;
        cv::Mat grid_azimuth(rows, gw, CV_32F), grid_elevation(rows, gw, CV_32F);
        for (int gy = 0; gy < rows; ++gy)
            for (int gx = 0; gx < gw; ++gx) {
                const auto d = geometry.pixelToDirection(gx * kGrid + (kGrid - 1) / 2.0, gy * kGrid + (kGrid - 1) / 2.0);
                grid_azimuth.at<float>(gy, gx) = float(std::atan2(d[1], d[0]) * 180.0 / M_PI);
                grid_elevation.at<float>(gy, gx) = float(std::atan2(d[2], std::hypot(d[0], d[1])) * 180.0 / M_PI);
            }
        cv::Mat azimuths, elevations;
        cv::resize(grid_azimuth, azimuths, cv::Size(gw * kGrid, rows * kGrid), 0, 0, cv::INTER_LINEAR);
        cv::resize(grid_elevation, elevations, cv::Size(gw * kGrid, rows * kGrid), 0, 0, cv::INTER_LINEAR);
        double az_min = 1e9, az_max = -1e9;
        cv::minMaxLoc(azimuths, &az_min, &az_max);
        constexpr double kStep = 0.02;
        std::vector<double> skyline(size_t((az_max - az_min) / kStep) + 2);
        for (size_t i = 0; i < skyline.size(); ++i)
            skyline[i] = skylineHeight(pose.heading_deg + az_min + double(i) * kStep, seed_);
        for (int y = 0; y < sky_rows; ++y) {
            auto* px = frame.ptr<cv::Vec3b>(y);
            const float* az_row = azimuths.ptr<float>(y);
            const float* e_row = elevations.ptr<float>(y);
            for (int x = 0; x < W; ++x) {
                const double below = y - (horizon + tilt[size_t(x)]); // rows below the horizon
                const double a = std::clamp((haze_rows[size_t(x)] + fade - below) / fade, 0.0, 1.0);
                if (a == 0)
                    continue;
                const double e = e_row[x];
                const double k = std::min(1.0, std::max(0.0, e) / 25.0);
                const cv::Vec3b sky(uchar(235 - 20 * k), uchar(220 - 50 * k), uchar(205 - 90 * k));
                cv::Vec3b colour;
                if (e < 0.4) {
                    colour = cv::Vec3b(150, 160, 150); // haze at the far end of the street
                } else if (e < skyline[size_t(std::lround((az_row[x] - az_min) / kStep))]) {
                    const double az = pose.heading_deg + az_row[x];
                    // Windows every 2/3 of a degree across and 1.2 up: a few pixels apart on a wide
                    // lens, so each pixel shows the share of its footprint they cover (sampled at its
                    // centre they would alias into a pattern moving at another speed than the view).
                    const double across = std::abs(az_row[std::min(x + 1, W - 1)] - az_row[std::max(x - 1, 0)]) / 2;
                    const double up = y + 1 < sky_rows ? std::abs(elevations.at<float>(y + 1, x) - e) : 0.0;
                    const double window = coveredShare(std::abs(az) * 3, across * 3, 2.0, 0.8) *
                                          coveredShare(std::max(0.0, e), up, 1.2, 0.6);
                    const uchar base = uchar(120 + 40 * std::sin(az * 0.7));
                    colour = cv::Vec3b(uchar(base - 10), base, uchar(base + 12)) * (1 - window) + cv::Vec3b(90, 85, 80) * window;
                } else {
                    colour = sky;
                }
                px[x] = a == 1 ? colour : cv::Vec3b(px[x] * (1 - a) + colour * a);
            }
        }
    }

    // The camera: exposure drifting with the light, vignetting, mild blur, sensor noise.
    const double t = pose.time_s;
    const double exposure = 1.0 + 0.07 * std::sin(t / 6.0 + double(seed_ % 7)) + 0.04 * std::sin(t / 1.9);
    cv::GaussianBlur(frame, frame, {0, 0}, 0.75, 1.0); // slight motion blur, more vertical
    cv::Mat lit;
    cv::multiply(frame, vignette_, lit, exposure / 255.0, CV_16SC3);
    lit += noise_bank_[size_t(frame_index) % noise_bank_.size()];
    lit.convertTo(frame, CV_8UC3);
    return frame;
}

} // namespace voirie::sample
