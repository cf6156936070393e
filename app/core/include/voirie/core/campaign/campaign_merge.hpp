// `voirie merge A.gpkg B.gpkg ... --out NETWORK.gpkg`: one network project from several analysed
// drives of one campaign. The first project is the base; every layer of the others is appended
// with its drive number (`drive` field on track, frames, detections, damages; frame indices and
// damage ids renumbered past the base's). A defect seen by two drives (overlaps, both directions
// of a street) becomes one damage: the first drive's row stays, its `drives` lists every drive,
// frames and detections add up, and each other drive's evidence chip is kept in
// `damage_evidence`. Reviews made before are kept: the same decision, or one side unreviewed,
// is kept; accepted in one and rejected in the other is a conflict, flagged (`review_conflict`,
// state back to unreviewed, the note says who decided what), never decided silently.
// Provenance: the `drives` table (each project, its digest, status, inputs, cost and footprint),
// every drive's inputs and plugins in run_inputs / run_plugins, the run's cost summed. Segments
// rated before merging are dropped (rate the network again). Written through AtomicOutput; the
// inputs are opened read-only.
#pragma once

#include "voirie/core/base/result.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace voirie {

struct MergeOptions {
    std::vector<std::filesystem::path> drives;
    std::filesystem::path out;
    double match_m = 2.0;
    bool overwrite = false;
    std::string command_line;
};

struct MergeSummary {
    std::filesystem::path out;
    int drives = 0, frames = 0, damages = 0, merged_damages = 0, review_conflicts = 0;
    std::vector<std::string> differences, warnings;
    nlohmann::ordered_json footprint; // summed over the drives: cpu_s, wall_s, energy_wh, co2e_g
    nlohmann::ordered_json toJson() const;
    std::string toText() const;
};

Result<MergeSummary> mergeDrives(const MergeOptions& options);

} // namespace voirie
