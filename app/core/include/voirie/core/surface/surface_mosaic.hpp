// The road surface as one georeferenced image: each sampled frame's road region (between a near and
// a far range, inside a corridor along the vehicle's line) is warped onto the ground plane through
// the frame's camera, consecutive frames are registered to each other on the ground (their GPS
// positions are off by a metre or more from fix to fix), the positions are refined from those
// motions while staying anchored to the GPS over longer distances, and the pieces are blended,
// nearest view first, into a Cloud Optimized GeoTIFF in a projected CRS (JPEG tiles, an internal
// mask where there is no pavement, overviews).
//
// Memory stays flat in the survey's length: each frame's ground patch is kept in a scratch folder
// until the poses are known, and the mosaic is written tile by tile as the drive leaves each tile
// behind; overviews are computed from the written tiles only (a survey's bounding box is mostly
// empty), so the cost follows the road surveyed, not the area its box spans.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/geo/camera_model.hpp"

#include <nlohmann/json.hpp>

#include <opencv2/core.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace voirie {

class AnonymizerSet;

struct SurfaceOptions {
    double resolution_m = 0.02; // ground size of a mosaic pixel
    double near_m = 3.0;        // the road region of a frame: this far ahead of the camera ...
    double far_m = 15.0;        // ... to this far
    double half_width_m = 4.0;  // and this far either side of the camera's line
    std::string crs;            // anything OGR reads ("EPSG:2154"); empty: the survey's UTM zone
    bool register_frames = true; // refine the poses by registering consecutive frames
    // How far the track's positions may be off (1 sigma): the registered motions win over shorter
    // stretches the larger it is. A consumer receiver after smoothing: metres; RTK: centimetres.
    double gps_sigma_m = 2.0;
    double motion_sigma_m = 0.1;  // a registered frame-to-frame motion's error (1 sigma)
    int quality = 85;           // JPEG quality of the tiles
    bool overwrite = false;
};

// Where a frame was taken, as the track says.
struct SurfaceFramePose {
    int64_t frame_index = 0;
    double lon = 0, lat = 0, heading_deg = 0;
    double chainage_m = 0;
};

// How far the registration moved a frame from where the track put it (metres east and north).
struct FrameShift {
    int64_t frame_index = 0;
    double east_m = 0, north_m = 0;
};

// How far consecutive frames' ground patches disagree where they overlap (metres).
struct SeamMisalignment {
    int64_t pairs = 0; // consecutive frames compared
    double median_m = 0, p95_m = 0;
    nlohmann::ordered_json toJson() const;
};

struct SurfaceSummary {
    std::filesystem::path path;
    double resolution_m = 0;
    std::string crs;          // "EPSG:32631", or the WKT of a CRS without an EPSG code
    double min_x = 0, min_y = 0, max_x = 0, max_y = 0; // extent in the CRS
    int width = 0, height = 0, overviews = 0;
    int64_t frames = 0;       // frames warped into the mosaic
    int64_t frames_registered = 0; // frames whose motion from the frame before was measured
    int64_t tiles_written = 0;     // 512 x 512 tiles with pavement (the rest is left empty)
    double mean_correction_m = 0, max_correction_m = 0; // refined position minus the GPS position
    std::vector<FrameShift> frame_shifts; // each frame's refined position minus its GPS one; empty unregistered
    SeamMisalignment seams_before;  // with the GPS positions
    SeamMisalignment seams_after;   // with the refined positions
    // Privacy. The road mask: the share of the frames' road pixels left out because no neighbouring
    // frame saw the same ground alike there (vehicles, people, posts: what stands above the road or
    // moved; and ground that only one frame saw, at the survey's ends).
    double left_out_share = 0;
    double median_step_m = 0; // between consecutive frames: over half the range, ground seen twice gets rare
    double near_m = 0, far_m = 0; // the range of each frame that was warped
    // The camera's brightness across the road region, as the survey's frames averaged it (lowest
    // and highest, relative to its mean: vignetting); each piece was divided by it. 1, 1: too few
    // frames to tell.
    std::array<double, 2> flat_field{1, 1};
    // What blurred faces and plates in each frame's road band before it was warped, when asked.
    std::vector<std::string> anonymized_by; // "id version" of each anonymizer; empty: not anonymized
    int64_t regions_blurred = 0;            // faces and plates found in the bands
    int64_t bands_blurred_whole = 0;        // an anonymizer failed: the band was blurred whole
    int64_t bytes = 0;
    double cpu_s = 0;
    nlohmann::ordered_json toJson() const;
};

class SurfaceMosaic {
public:
    // Prepares a mosaic of frames seen through `camera`, written to `out` (atomically) by finish().
    // The mosaic leaves Voirie like every image: `anonymizer` blurs the faces and plates it finds
    // in the band of each frame that is warped (a vehicle stopped ahead stands on the road), fail
    // closed (the band blurred whole when it fails); nullptr only when the user chose not to
    // anonymize. It must outlive the mosaic and is used from the thread that calls add().
    static Result<std::unique_ptr<SurfaceMosaic>> start(const std::filesystem::path& out, const CameraModel& camera,
                                                        const SurfaceOptions& options, AnonymizerSet* anonymizer);
    ~SurfaceMosaic();
    SurfaceMosaic(const SurfaceMosaic&) = delete;
    SurfaceMosaic& operator=(const SurfaceMosaic&) = delete;

    // One sampled frame, in the survey's order (BGR, any size: the camera is scaled to it).
    Status add(const cv::Mat& image, const SurfaceFramePose& pose);
    // Refines the poses, blends, writes the GeoTIFF and renames it to `out`; the scratch folder is
    // removed whatever happens.
    Result<SurfaceSummary> finish();

private:
    struct Impl;
    explicit SurfaceMosaic(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Parses "3..15" (metres ahead) into near and far; an error sentence when it is not a range.
Status parseSurfaceRange(const std::string& text, SurfaceOptions& options);

} // namespace voirie
