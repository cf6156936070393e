#include "voirie/core/geo/camera_file.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>

namespace voirie {

CameraModel defaultDashcamCamera(int width, int height)
{
    CameraModel c;
    c.width = width;
    c.height = height;
    c.fx = c.fy = (width / 2.0) / std::tan(45.0 * M_PI / 180.0);
    c.cx = width / 2.0;
    c.cy = height / 2.0;
    c.height_m = 1.3;
    c.pitch_deg = 12;
    c.roll_deg = 0;
    return c;
}

std::optional<std::string> cameraProblem(const CameraModel& c)
{
    if (c.width <= 0 || c.height <= 0)
        return "the image size must be positive";
    if (!(c.fx > 0) || !(c.fy > 0))
        return "the focal lengths fx and fy must be positive";
    if (!(c.cx >= 0 && c.cx <= c.width && c.cy >= 0 && c.cy <= c.height))
        return "the principal point (cx, cy) must lie inside the image";
    if (!(c.height_m > 0.2 && c.height_m < 5))
        return "height_m " + std::to_string(c.height_m) + " is not a plausible mounting height (0.2 to 5 m above the road)";
    if (!(c.pitch_deg > -10 && c.pitch_deg < 80))
        return "pitch_deg " + std::to_string(c.pitch_deg) + " is outside -10 to 80 degrees (positive looks down)";
    if (!(std::abs(c.roll_deg) < 30))
        return "roll_deg " + std::to_string(c.roll_deg) + " is outside -30 to 30 degrees";
    return std::nullopt;
}

CameraModel scaledTo(const CameraModel& camera, int width, int height)
{
    if ((camera.width == width && camera.height == height) || camera.width <= 0 || camera.height <= 0)
        return camera;
    CameraModel c = camera;
    const double sx = double(width) / camera.width, sy = double(height) / camera.height;
    c.width = width;
    c.height = height;
    c.fx *= sx;
    c.cx *= sx;
    c.fy *= sy;
    c.cy *= sy;
    return c;
}

Result<CameraModel> readCameraFile(const std::filesystem::path& path)
{
    std::ifstream in(path);
    if (!in)
        return fail("camera file " + path.string() + " cannot be read");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parseCamera(text, "camera file " + path.string());
}

Result<CameraModel> parseCamera(const std::string& text, const std::string& where)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        return fail(where + " is not valid JSON: " + e.what());
    }
    auto number = [&](const char* key) -> std::optional<double> {
        if (!j.contains(key))
            return std::nullopt;
        if (!j[key].is_number())
            throw std::runtime_error(where + ": \"" + key + "\" must be a number");
        return j[key].get<double>();
    };
    try {
        if (!j.is_object())
            return fail(where + " must hold a JSON object");
        auto w = number("width"), h = number("height");
        if (!w || !h)
            return fail(where + " needs \"width\" and \"height\" (the image size in pixels)");
        CameraModel c;
        c.width = int(*w);
        c.height = int(*h);
        if (auto hfov = number("hfov_deg")) {
            if (!(*hfov > 10 && *hfov < 170))
                return fail(where + ": hfov_deg must be between 10 and 170 degrees");
            c.fx = c.fy = (c.width / 2.0) / std::tan(*hfov / 2.0 * M_PI / 180.0);
        } else {
            auto fx = number("fx"), fy = number("fy");
            if (!fx)
                return fail(where + " needs either \"hfov_deg\" or \"fx\" (and optionally fy, cx, cy) in pixels");
            c.fx = *fx;
            c.fy = fy.value_or(*fx);
        }
        c.cx = number("cx").value_or(c.width / 2.0);
        c.cy = number("cy").value_or(c.height / 2.0);
        auto height_m = number("height_m"), pitch = number("pitch_deg");
        if (!height_m || !pitch)
            return fail(where + " needs \"height_m\" (mounting height above the road) and \"pitch_deg\"");
        c.height_m = *height_m;
        c.pitch_deg = *pitch;
        c.roll_deg = number("roll_deg").value_or(0.0);
        const char* radial_keys[] = {"k1", "k2", "p1", "p2", "k3"};
        for (int i = 0; i < 5; ++i)
            if (auto k = number(radial_keys[i])) {
                c.lens.model = LensDistortion::Model::radial_tangential;
                c.lens.k[size_t(i)] = *k;
            }
        if (j.contains("fisheye")) {
            if (c.lens.model != LensDistortion::Model::none)
                return fail(where + ": give either k1, k2, p1, p2, k3 (radial-tangential) or \"fisheye\", not both");
            const auto& f = j["fisheye"];
            if (!f.is_array() || f.size() != 4 || !std::all_of(f.begin(), f.end(), [](const auto& v) { return v.is_number(); }))
                return fail(where + ": \"fisheye\" must be four numbers [k1, k2, k3, k4] (OpenCV's fisheye model)");
            c.lens.model = LensDistortion::Model::fisheye;
            for (size_t i = 0; i < 4; ++i)
                c.lens.k[i] = f[i].get<double>();
        }
        for (double k : c.lens.k)
            if (!(std::abs(k) < 10))
                return fail(where + ": a distortion coefficient of " + std::to_string(k) +
                            " is not plausible (OpenCV's are well under 10 in size)");
        if (auto why = cameraProblem(c))
            return fail(where + ": " + *why);
        return c;
    } catch (const std::exception& e) {
        return fail(e.what());
    }
}

Status writeCameraFile(const CameraModel& c, const std::filesystem::path& path)
{
    nlohmann::ordered_json j;
    j["width"] = c.width;
    j["height"] = c.height;
    j["fx"] = c.fx;
    j["fy"] = c.fy;
    j["cx"] = c.cx;
    j["cy"] = c.cy;
    j["hfov_deg"] = 2.0 * std::atan(c.width / 2.0 / c.fx) * 180.0 / M_PI;
    j["height_m"] = c.height_m;
    j["pitch_deg"] = c.pitch_deg;
    j["roll_deg"] = c.roll_deg;
    if (c.lens.model == LensDistortion::Model::radial_tangential) {
        const char* keys[] = {"k1", "k2", "p1", "p2", "k3"};
        for (size_t i = 0; i < 5; ++i)
            j[keys[i]] = c.lens.k[i];
    } else if (c.lens.model == LensDistortion::Model::fisheye) {
        j["fisheye"] = {c.lens.k[0], c.lens.k[1], c.lens.k[2], c.lens.k[3]};
    }
    std::ofstream out(path);
    out << j.dump(2) << "\n";
    if (!out)
        return fail("cannot write camera file " + path.string());
    return Ok{};
}

} // namespace voirie
