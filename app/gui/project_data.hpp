// What the map application shows of a project GeoPackage, read once into memory: the damages
// (without their chips), the track, the sampled frames, the rated segments. Map geometry is kept
// in Web Mercator metres (EPSG:3857), the display projection, so drawing needs no reprojection.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/campaign/change_reader.hpp"
#include "voirie/core/project/project_open.hpp"
#include "voirie/core/rating/rated_segments.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

class GDALDataset;

namespace voirie::gui {

struct MapPoint {
    double x = 0, y = 0;
};

struct MapRect {
    double min_x = 1e300, min_y = 1e300, max_x = -1e300, max_y = -1e300;
    bool empty() const { return min_x > max_x; }
    void extend(const MapPoint& p);
    void extend(const MapRect& r);
    bool intersects(const MapRect& r) const;
    MapPoint centre() const { return {(min_x + max_x) / 2, (min_y + max_y) / 2}; }
};

// EPSG:4326 lon/lat <-> EPSG:3857 (spherical Web Mercator, as every web map tiles it).
MapPoint toMercator(double lon, double lat);
void fromMercator(const MapPoint& p, double& lon, double& lat);

enum class ShapeKind { Point, Line, Polygon };

struct DamageRecord {
    int64_t damage_id = 0;
    std::string class_code, severity, review_state, review_note, plugins;
    double confidence = 0, length_m = 0, area_m2 = 0, width_mm = 0, chainage_m = 0, first_seen = 0;
    int n_frames = 0;
    int64_t evidence_frame = -1, evidence_detection = -1;
    ShapeKind shape = ShapeKind::Point;
    std::vector<MapPoint> points; // line vertices or polygon ring; one point for a point
    MapPoint centre;
    MapRect bounds;
};

// Accepted, rejected (or any other decision); not "unreviewed" nor blank (projects before review).
inline bool isReviewed(const DamageRecord& d) { return !d.review_state.empty() && d.review_state != "unreviewed"; }

struct FrameRecord {
    int64_t index = 0;
    std::string file;
    int64_t frame_in_file = 0;
    double pts_ms = 0, time = 0, heading_deg = 0, chainage_m = 0;
    MapPoint at;
};

// A rated segment, with its grade's colour and its line in map coordinates.
struct SegmentRecord : RatedSegment {
    std::string colour;
    std::vector<MapPoint> map_path;
};

struct GradeLegendEntry {
    std::string grade, label, colour, treatment;
};

// A comparison of this project with an older campaign (voirie compare OLD THIS), when loaded.
struct ChangeView {
    ComparisonRecord record;
    std::vector<int> row_of_damage; // per damage index: its row in record.defects; -1 when none
    std::vector<int> gone;          // rows of defects only the old survey had (repaired, not covered)
    std::vector<MapPoint> gone_at;  // where they were, on this survey's GPS
};

struct ProjectData {
    std::filesystem::path path;
    std::vector<DamageRecord> damages;
    std::vector<std::vector<MapPoint>> track;
    std::vector<FrameRecord> frames; // by frame index
    std::vector<SegmentRecord> segments;
    std::vector<GradeLegendEntry> grades; // best first; empty when not rated
    std::string scheme_title;
    std::map<std::string, std::filesystem::path> sources; // input file name -> path recorded by the run
    std::string run_status, camera_json;
    // The road-surface mosaic the run records (voirie ortho, analyze --ortho), where it is now.
    std::optional<std::filesystem::path> surface;
    std::vector<std::string> partial_reasons; // run_status "partial": what was not analysed
    MapRect bounds;

    // Index into `damages`, or -1.
    int findDamage(int64_t damage_id) const;
    std::optional<ChangeView> changes;
    // Attaches a comparison whose new project is this one (its damage ids are this project's).
    void attachComparison(ComparisonRecord record);
    // The change label of a damage ("new", "grown", ...); empty without a comparison.
    std::string changeOf(int damage_index) const;
    const DefectChangeRecord* changeRecordOf(int damage_index) const;
    // Index into `frames` of the frame with this index, or the nearest one before it; -1 if none.
    int findFrame(int64_t frame_index) const;
    // Where a frame's source file is now: the recorded path, else beside the project.
    std::optional<std::filesystem::path> sourceFile(const std::string& file_name) const;

private:
    std::map<int64_t, int> damage_by_id_;
    friend Result<ProjectData> loadProject(const std::filesystem::path&, IntegrityCheck);
};

// Reads a project, checked (project_open): fails with one sentence when the file cannot be opened,
// is damaged or is not a Voirie project. `integrity` none only for the partial project of the
// app's own running analysis.
Result<ProjectData> loadProject(const std::filesystem::path& project, IntegrityCheck integrity = IntegrityCheck::quick);

// A detection of one frame, as the frame view draws it (pixel coordinates, y down).
struct FrameDetection {
    int64_t detection_id = 0, damage_id = -1;
    std::string class_code, plugin_id;
    double confidence = 0;
    double box_x = 0, box_y = 0, box_width = 0, box_height = 0;
    std::string pixel_wkt; // POINT/LINESTRING/POLYGON, empty when the plugin gave a box only
};

Result<std::vector<FrameDetection>> loadFrameDetections(const std::filesystem::path& project, int64_t frame_index);
// The frames (their indices, in order) where a damage was detected.
Result<std::vector<int64_t>> loadDamageFrames(const std::filesystem::path& project, int64_t damage_id);
// The stored (anonymized) evidence chip of a damage, JPEG bytes; empty when none.
std::string loadChip(const std::filesystem::path& project, int64_t damage_id);

} // namespace voirie::gui
