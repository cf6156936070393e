#include "voirie/core/dataset/training_set.hpp"

#include "voirie/core/geo/camera_file.hpp"
#include "voirie/core/plugin_host/anonymizer_set.hpp"
#include "voirie/core/project/gdal_helpers.hpp"
#include "voirie/core/project/project_frames.hpp"
#include "voirie/core/project/project_open.hpp"
#include "voirie/core/project/project_reader.hpp"

#include <ogrsf_frmts.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

namespace fs = std::filesystem;

namespace voirie {
namespace {

struct PixelDetection {
    int64_t damage_id = -1;
    std::string class_code, pixel_wkt;
    double box[4] = {0, 0, 0, 0}; // x, y, width, height
    double width_mm = 0, distance_m = 0;
};

struct FrameRow {
    std::string file;
    int64_t frame_in_file = 0;
    double time = 0, chainage_m = 0, heading_deg = 0;
    std::vector<PixelDetection> detections;
};

struct ReviewedProject {
    fs::path path;
    ProjectRun run;
    double fx = 0; // the recorded camera's focal length, pixels (0 unknown)
    std::map<int64_t, std::string> class_of;   // damage id -> class, of the damages given
    std::set<int64_t> rejected;
    std::map<int64_t, int64_t> evidence_frame; // of the damages given
    std::map<int64_t, FrameRow> frames;
};

// The shape's points (WKT in pixels), else the box's corners.
std::vector<cv::Point> outline(const PixelDetection& d, bool& closed)
{
    std::vector<cv::Point> points;
    closed = true;
    OGRGeometry* g = nullptr;
    if (!d.pixel_wkt.empty() && OGRGeometryFactory::createFromWkt(d.pixel_wkt.c_str(), nullptr, &g) == OGRERR_NONE && g) {
        std::unique_ptr<OGRGeometry> owned(g);
        const OGRLineString* line = nullptr;
        if (wkbFlatten(g->getGeometryType()) == wkbLineString)
            line = g->toLineString(), closed = false;
        else if (wkbFlatten(g->getGeometryType()) == wkbPolygon)
            line = g->toPolygon()->getExteriorRing();
        if (line)
            for (int i = 0; i < line->getNumPoints(); ++i)
                points.emplace_back(int(std::lround(line->getX(i))), int(std::lround(line->getY(i))));
    }
    if (points.size() < 2) {
        closed = true;
        points = {{int(d.box[0]), int(d.box[1])},
                  {int(d.box[0] + d.box[2]), int(d.box[1])},
                  {int(d.box[0] + d.box[2]), int(d.box[1] + d.box[3])},
                  {int(d.box[0]), int(d.box[1] + d.box[3])}};
    }
    return points;
}

Result<ReviewedProject> readReviewed(const fs::path& path, bool accepted_only)
{
    auto opened = openProject(path, {ProjectAccess::read, {"frames", "detections", "damages", "run"}, IntegrityCheck::quick});
    if (!opened)
        return fail(opened.error());
    GDALDataset& ds = **opened;
    ReviewedProject p;
    p.path = path;
    p.run = readProjectRun(ds);
    if (auto camera = parseCamera(p.run.camera_json, "the camera recorded in " + path.string()))
        p.fx = camera->fx;
    OGRLayer* damages = ds.GetLayerByName("damages");
    int reviewed = 0;
    for (OGRFeatureUniquePtr f(damages->GetNextFeature()); f; f.reset(damages->GetNextFeature())) {
        const int64_t id = f->GetFieldAsInteger64("damage_id");
        const std::string state = fieldText(*f, "review_state");
        reviewed += !state.empty() && state != "unreviewed";
        if (state == "rejected") {
            p.rejected.insert(id);
            continue;
        }
        if (accepted_only && state != "accepted" && state != "added")
            continue;
        p.class_of[id] = fieldText(*f, "class");
        p.evidence_frame[id] = f->GetFieldAsInteger64("evidence_frame");
    }
    if (p.class_of.empty() && p.rejected.empty())
        return fail(path.string() + (reviewed == 0 ? " has not been reviewed" : " has no accepted, added or rejected damage") +
                    ": review it first (voirie-app), or pass --review all to take every damage not rejected");
    OGRLayer* frames = ds.GetLayerByName("frames");
    for (OGRFeatureUniquePtr f(frames->GetNextFeature()); f; f.reset(frames->GetNextFeature())) {
        FrameRow& row = p.frames[f->GetFieldAsInteger64("frame_index")];
        row.file = fieldText(*f, "file");
        row.frame_in_file = f->GetFieldAsInteger64("frame_in_file");
        row.time = fieldTime(*f, "time");
        row.chainage_m = fieldNumber(*f, "chainage_m");
        row.heading_deg = fieldNumber(*f, "heading_deg");
    }
    OGRLayer* detections = ds.GetLayerByName("detections");
    for (OGRFeatureUniquePtr f(detections->GetNextFeature()); f; f.reset(detections->GetNextFeature())) {
        auto frame = p.frames.find(f->GetFieldAsInteger64("frame_index"));
        if (frame == p.frames.end())
            continue;
        PixelDetection d;
        d.damage_id = f->IsFieldSetAndNotNull(f->GetFieldIndex("damage_id")) ? f->GetFieldAsInteger64("damage_id") : -1;
        d.class_code = fieldText(*f, "class");
        d.pixel_wkt = fieldText(*f, "pixel_shape");
        const char* box[] = {"box_x", "box_y", "box_width", "box_height"};
        for (int i = 0; i < 4; ++i)
            d.box[i] = fieldNumber(*f, box[i]);
        d.width_mm = fieldNumber(*f, "width_mm");
        d.distance_m = fieldNumber(*f, "distance_m");
        frame->second.detections.push_back(std::move(d));
    }
    return p;
}

// The frames to write: each damage's evidence frame and its `neighbours` frames nearest to it
// (positive), and the frames where every detection was rejected (negative).
std::pair<std::set<int64_t>, std::set<int64_t>> framesToWrite(const ReviewedProject& p, int neighbours)
{
    std::map<int64_t, std::vector<int64_t>> frames_of;
    for (const auto& [index, row] : p.frames)
        for (const auto& d : row.detections)
            if (p.class_of.count(d.damage_id))
                frames_of[d.damage_id].push_back(index);
    std::set<int64_t> positive, negative;
    for (auto& [id, frames] : frames_of) {
        const int64_t evidence = p.evidence_frame.at(id);
        std::sort(frames.begin(), frames.end(), [&](int64_t a, int64_t b) {
            return std::abs(a - evidence) < std::abs(b - evidence) || (std::abs(a - evidence) == std::abs(b - evidence) && a < b);
        });
        frames.erase(std::unique(frames.begin(), frames.end()), frames.end());
        for (size_t i = 0; i < frames.size() && i <= size_t(std::max(0, neighbours)); ++i)
            positive.insert(frames[i]);
    }
    for (const auto& [index, row] : p.frames)
        if (!row.detections.empty() && !positive.count(index) &&
            std::all_of(row.detections.begin(), row.detections.end(), [&](const PixelDetection& d) { return p.rejected.count(d.damage_id) > 0; }))
            negative.insert(index);
    return {positive, negative};
}

std::string vocXml(const std::string& image_name, const cv::Size& size, const std::vector<std::pair<std::string, cv::Rect>>& boxes)
{
    std::string xml = "<annotation>\n  <folder>images</folder>\n  <filename>" + image_name + "</filename>\n  <size><width>" +
                      std::to_string(size.width) + "</width><height>" + std::to_string(size.height) +
                      "</height><depth>3</depth></size>\n";
    for (const auto& [cls, r] : boxes)
        xml += "  <object>\n    <name>" + cls + "</name>\n    <bndbox><xmin>" + std::to_string(r.x) + "</xmin><ymin>" +
               std::to_string(r.y) + "</ymin><xmax>" + std::to_string(r.x + r.width) + "</xmax><ymax>" +
               std::to_string(r.y + r.height) + "</ymax></bndbox>\n  </object>\n";
    return xml + "</annotation>\n";
}

Status writeFile(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out)
        return fail("cannot write " + path.string());
    return Ok{};
}

} // namespace

nlohmann::ordered_json TrainingSetSummary::toJson() const
{
    return {{"frames", frames},
            {"negatives", negatives},
            {"left_out", left_out},
            {"damages_by_class", damages_by_class},
            {"projects", projects},
            {"anonymized_by", anonymized_by}};
}

Result<TrainingSetSummary> writeTrainingSet(const TrainingSetOptions& options, AnonymizerSet& anonymizers)
{
    if (options.projects.empty())
        return fail("no project given");
    std::error_code ec;
    if (fs::exists(options.out, ec) && !options.overwrite)
        return fail(options.out.string() + " exists: pass --overwrite to replace it");
    std::vector<ReviewedProject> projects;
    for (const auto& path : options.projects) {
        auto p = readReviewed(path, options.accepted_only);
        if (!p)
            return fail(p.error());
        projects.push_back(std::move(*p));
    }
    const fs::path partial = options.out.string() + ".partial";
    fs::remove_all(partial, ec);
    for (const char* sub : {"images", "masks", "annotations"})
        if (!fs::create_directories(partial / sub, ec) && ec)
            return fail("cannot make " + (partial / sub).string() + ": " + ec.message());
    auto cleanup = [&](const std::string& why) {
        std::error_code ignored;
        fs::remove_all(partial, ignored);
        return fail(why);
    };

    TrainingSetSummary summary;
    summary.anonymized_by = anonymizers.describe();
    std::map<std::string, int> stems;
    for (const auto& p : projects) {
        summary.projects.push_back(p.path.string());
        // Frame names unique across projects of the same name.
        std::string stem = p.path.stem().string();
        if (const int seen = stems[stem]++; seen > 0)
            stem += "-" + std::to_string(seen + 1);
        const auto [positive, negative] = framesToWrite(p, options.neighbours);
        std::set<int64_t> all = positive;
        all.insert(negative.begin(), negative.end());
        std::set<int64_t> written_damages;
        ProjectFrameReader reader(p.path, p.run);
        for (int64_t index : all) {
            const FrameRow& row = p.frames.at(index);
            auto image = reader.read(row.file, row.frame_in_file);
            if (!image)
                return cleanup(image.error());
            FrameContext context;
            context.frame_index = index;
            context.time_unix_s = row.time;
            context.heading_deg = row.heading_deg;
            context.chainage_m = row.chainage_m;
            if (auto blurred = anonymizers.apply(*image, context); !blurred) {
                ++summary.left_out; // blurred whole: no use for training, and nothing personal leaves
                continue;
            }
            char number[32];
            std::snprintf(number, sizeof number, "%06lld", static_cast<long long>(index));
            const std::string name = stem + "-" + number;
            cv::Mat pothole = cv::Mat::zeros(image->size(), CV_8U), crack = cv::Mat::zeros(image->size(), CV_8U);
            std::vector<std::pair<std::string, cv::Rect>> boxes;
            const bool is_positive = positive.count(index) > 0;
            for (const auto& d : row.detections) {
                if (!is_positive || !p.class_of.count(d.damage_id))
                    continue;
                const std::string& cls = p.class_of.at(d.damage_id); // as reviewed, not as detected
                written_damages.insert(d.damage_id);
                const cv::Rect box = cv::Rect(cv::Point(int(std::floor(d.box[0])), int(std::floor(d.box[1]))),
                                              cv::Point(int(std::ceil(d.box[0] + d.box[2])), int(std::ceil(d.box[1] + d.box[3])))) &
                                     cv::Rect(cv::Point(0, 0), image->size());
                if (box.area() > 0)
                    boxes.emplace_back(cls, box);
                bool closed = true;
                const std::vector<cv::Point> shape = outline(d, closed);
                if (cls == "D40") {
                    cv::fillPoly(pothole, std::vector<std::vector<cv::Point>>{shape}, 255);
                } else if (cls == "D00" || cls == "D10") {
                    // A crack as a line of its measured width: metres across at that distance over
                    // the metres one pixel covers there.
                    int thickness = 3;
                    if (d.width_mm > 0 && d.distance_m > 0 && p.fx > 0)
                        thickness = std::clamp(int(std::lround(d.width_mm / 1000.0 * p.fx / d.distance_m)), 2, 25);
                    cv::polylines(crack, std::vector<std::vector<cv::Point>>{shape}, closed, 255, thickness);
                }
            }
            if (!cv::imwrite((partial / "images" / (name + ".jpg")).string(), *image, {cv::IMWRITE_JPEG_QUALITY, 92}) ||
                !cv::imwrite((partial / "masks" / (name + "_pothole.png")).string(), pothole) ||
                !cv::imwrite((partial / "masks" / (name + "_crack.png")).string(), crack))
                return cleanup("cannot write the frame " + name + " into " + partial.string() + " (is the disk full?)");
            if (auto s = writeFile(partial / "annotations" / (name + ".xml"), vocXml(name + ".jpg", image->size(), boxes)); !s)
                return cleanup(s.error());
            ++(is_positive ? summary.frames : summary.negatives);
        }
        for (int64_t id : written_damages)
            ++summary.damages_by_class[p.class_of.at(id)];
    }
    if (summary.frames + summary.negatives == 0)
        return cleanup("nothing to write: no frame of an accepted, added or rejected damage could be anonymized");
    if (fs::exists(options.out, ec))
        fs::remove_all(options.out, ec);
    fs::rename(partial, options.out, ec);
    if (ec)
        return cleanup("cannot move " + partial.string() + " to " + options.out.string() + ": " + ec.message());
    return summary;
}

} // namespace voirie
