// One analysed survey as `voirie compare` and `voirie merge` see it: its damages (rejected ones
// left out), its sampled frames (where it looked), its run, all placed in one local metric frame
// shared with the other survey.
#pragma once

#include "voirie/core/base/result.hpp"
#include "voirie/core/campaign/defect_matching.hpp"
#include "voirie/core/geo/local_metric_frame.hpp"
#include "voirie/core/project/project_reader.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace voirie {

struct SurveyFrame {
    int64_t frame_index = -1;
    double lon = 0, lat = 0, heading_deg = 0;
    MetricPoint at; // after place()
};

struct SurveyCampaign {
    std::filesystem::path path;
    std::string sha256;
    ProjectRun run;
    std::vector<ProjectDamage> damages; // with their chips; rejected ones left out unless asked for
    std::vector<SurveyFrame> frames;
    std::vector<PlacedDefect> placed; // damages[i] in the shared frame, after place()

    // A frame around the survey's first sampled frame.
    LocalMetricFrame metricFrame() const;
    // Places frames and damages in `metric`.
    Status place(const LocalMetricFrame& metric);
    // The frame that looked at `at` (2 to 20 m ahead, at most 6 m to either side: both lanes and
    // their edges, inside a dash-cam's field of view), nearest to 6 m
    // ahead; -1 when none did.
    int64_t sawPlace(const MetricPoint& at) const;
};

// Opens and checks a finished project (complete, or partial with its reasons); a project still
// running or interrupted, damaged, or without frames is refused in one sentence.
Result<SurveyCampaign> readSurveyCampaign(const std::filesystem::path& project, bool with_rejected = false);

// Whether two placed surveys drove any common road (frames within 15 m of each other); the
// error says how far apart they are.
Status surveysOverlap(const SurveyCampaign& a, const SurveyCampaign& b);

// What differs between the two runs that made them: camera, detector plugins and their
// versions, Voirie version. Allowed, but stated.
std::vector<std::string> runDifferences(const SurveyCampaign& a, const SurveyCampaign& b);

} // namespace voirie
