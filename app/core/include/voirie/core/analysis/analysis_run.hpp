// `voirie analyze` without the command line: survey in, one project GeoPackage out. The stages
// live in src/analysis/ (docs/ARCHITECTURE.md, "The data flow of voirie analyze").
// Decode and sample on one thread, detection on a worker pool (one instance of each plugin per
// worker; DetectorInstance serialises what the plugin's thread safety requires), and projection,
// tracking and storing on the calling thread in frame order. Frames in flight are bounded, so
// memory stays flat however long the survey is. When a damage is finished, its best view is
// anonymized (unless --no-anonymize) and only then encoded as its evidence chip.
//
// The project is written as PROJECT.partial.gpkg next to PROJECT.gpkg, committed every few
// frames, and renamed to PROJECT.gpkg when the run completes: PROJECT.gpkg is always either the
// previous file or a finished project, and the partial file opens with GDAL after a kill at any
// moment and is what --resume continues.
#pragma once

#include "voirie/core/base/footprint.hpp"
#include "voirie/core/base/result.hpp"
#include "voirie/core/damage/damage_tracker.hpp"
#include "voirie/core/ingest/survey_reader.hpp"
#include "voirie/core/plugin_host/plugin_parameters.hpp"
#include "voirie/core/surface/surface_mosaic.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace voirie {

struct AnalysisOptions {
    IngestOptions ingest;
    std::filesystem::path out;
    std::vector<std::filesystem::path> plugin_dirs;
    std::optional<std::vector<std::string>> plugins; // else every usable detector
    ParameterOverrides parameters;   // for detectors and anonymizers alike
    bool anonymize = true;           // blur faces and plates in every image written (the default)
    std::optional<std::vector<std::string>> anonymizers; // else every usable anonymizer
    int threads = 0;                 // detection workers and evidence threads; 0 = one per core
    bool resume = false, overwrite = false;
    double max_range_m = 25.0;
    DamageTrackerOptions tracking;
    std::optional<std::filesystem::path> chips_dir; // also write evidence chips here as files
    std::string command_line;        // recorded in the provenance
    FootprintFactors footprint;      // how energy and emissions are estimated from the run's cost
    // Also write the road surface mosaic here, from the frames as they are decoded (no second
    // decode); its options. Not with a resumed run (its first frames are not decoded again).
    std::optional<std::filesystem::path> ortho;
    SurfaceOptions surface;
    // Also run the anonymizers on each frame's road band before it is warped (the road mask
    // already leaves out what stands above the road): about 0.4 CPU-s a frame with the cascades.
    bool ortho_anonymize = false;
};

struct AnalysisProgress {
    int64_t frames_done = 0;
    double km_done = 0, km_total = 0;
    double elapsed_s = 0;
};

struct AnalysisSummary {
    std::filesystem::path project;
    IngestSummary ingest;
    std::vector<std::string> plugins;  // "id version"
    std::vector<std::string> skipped_plugins; // not explicitly asked for and could not be used
    int64_t frames_analysed = 0, frames_replayed = 0;
    int64_t detections = 0, detections_off_road = 0, detections_invalid = 0;
    int64_t damages = 0;
    std::vector<std::string> anonymized_by; // "id version"; empty: --no-anonymize
    int64_t regions_blurred = 0, anonymizer_failures = 0;
    int64_t regions_on_damage = 0; // found inside a damage's own outline: the damage, not blurred
    std::map<std::string, std::map<std::string, int>> damages_by_class; // class -> severity -> n
    std::map<std::string, int64_t> plugin_failures; // plugin id -> frames it failed on
    std::vector<std::string> failure_examples;
    double km = 0, wall_s = 0, cpu_s = 0;
    double km_covered = 0; // km less the stretches no analysed frame saw (lost footage, track gaps)
    // Where the CPU went, in CPU seconds by stage: "setup" (plugins, input digests), "calibration"
    // (--time-offset auto and the camera without --camera: the footage's first minutes read once more), "decode" (the
    // decoder thread, FFmpeg's own threads and whatever no stage below claims), "detect:<plugin>",
    // "ground_and_tracking", "store", "anonymize", "chips". They add up to cpu_s.
    std::map<std::string, double> cpu_s_by_stage;
    double peak_rss_mib = 0;
    // The estimated energy and emissions of the run (base/footprint.hpp) and how they were estimated.
    Footprint footprint;
    FootprintFactors footprint_factors;
    // Fills wall_s, cpu_s, the stages, peak memory and the footprint from the run's counters.
    void measureCost(double wall, double cpu, std::map<std::string, double> by_stage);
    // The surface mosaic written with --ortho (what the run layer records: path, resolution, CRS,
    // extent, seams), or null.
    nlohmann::ordered_json surface;
    bool interrupted = false, resumed = false;
    // The footage could not all be decoded: the project's run status is "partial", not complete.
    bool partial() const { return !ingest.incompleteness().empty(); }
    // Why it is partial: the ingest's reasons, then how much of the drive the analysed frames cover.
    std::vector<std::string> partialReasons() const;

    nlohmann::ordered_json toJson() const;
    std::string toText() const;
};

struct AnalysisHooks {
    std::function<void(const AnalysisProgress&)> progress;
    std::function<void(const std::string&)> warning; // one sentence
    const std::atomic<bool>* cancel = nullptr;       // set (e.g. by Ctrl-C) to stop cleanly
    // After each commit of the partial project, with the frames it now holds (tests kill the
    // run here to check that a kill at a known frame resumes to the same project).
    std::function<void(int64_t frames_committed)> committed;
};

// The partial project file a run of `out` writes while it works.
std::filesystem::path partialProjectPath(const std::filesystem::path& out);

Result<AnalysisSummary> runAnalysis(const AnalysisOptions& options, const AnalysisHooks& hooks);

} // namespace voirie
