// Stage 6 of `voirie analyze`: what the run tells its user (text) and scripts (JSON); the JSON is
// also stored in the project's run table.
#include "voirie/core/analysis/analysis_run.hpp"

#include "voirie/core/base/cpu_time.hpp"

#include <cmath>
#include <sstream>

namespace voirie {

void AnalysisSummary::measureCost(double wall, double cpu, std::map<std::string, double> by_stage)
{
    wall_s = wall;
    cpu_s = cpu;
    cpu_s_by_stage = std::move(by_stage);
    peak_rss_mib = processPeakRssMib();
    footprint = estimateFootprint(cpu_s, wall_s, peak_rss_mib / 1024.0, footprint_factors);
}

std::vector<std::string> AnalysisSummary::partialReasons() const
{
    auto reasons = ingest.incompleteness();
    if (!reasons.empty() && km_covered < km - 0.005) {
        std::ostringstream s;
        s.setf(std::ios::fixed);
        s.precision(2);
        s << "the frames analysed cover " << km_covered << " of the " << km << " km between the first and the last";
        reasons.push_back(s.str());
    }
    return reasons;
}

nlohmann::ordered_json AnalysisSummary::toJson() const
{
    nlohmann::ordered_json j;
    j["project"] = project.string();
    j["plugins"] = plugins;
    j["km"] = km;
    j["km_covered"] = km_covered;
    j["frames_decoded"] = ingest.frames_decoded;
    j["frames_sampled"] = ingest.frames_sampled;
    j["frames_analysed"] = frames_analysed;
    j["frames_replayed"] = frames_replayed;
    j["detections"] = detections;
    j["detections_off_road"] = detections_off_road;
    j["detections_invalid"] = detections_invalid;
    j["damages"] = damages;
    j["anonymized_by"] = anonymized_by;
    j["regions_blurred"] = regions_blurred;
    j["anonymizer_failures"] = anonymizer_failures;
    j["regions_on_damage_not_blurred"] = regions_on_damage;
    j["damages_by_class"] = nlohmann::ordered_json::object();
    for (const auto& [cls, by_severity] : damages_by_class)
        for (const auto& [sev, n] : by_severity)
            j["damages_by_class"][cls][sev] = n;
    j["plugin_failures"] = nlohmann::ordered_json::object();
    for (const auto& [id, n] : plugin_failures)
        j["plugin_failures"][id] = n;
    j["wall_s"] = wall_s;
    j["cpu_s"] = cpu_s;
    j["cpu_s_per_km"] = km > 0 ? nlohmann::ordered_json(cpu_s / km) : nlohmann::ordered_json(nullptr);
    j["cores_busy"] = wall_s > 0 ? cpu_s / wall_s : 0.0;
    j["cpu_s_by_stage"] = nlohmann::ordered_json::object();
    j["cpu_s_per_km_by_stage"] = nlohmann::ordered_json::object();
    for (const auto& [stage, seconds] : cpu_s_by_stage) {
        j["cpu_s_by_stage"][stage] = seconds;
        j["cpu_s_per_km_by_stage"][stage] = km > 0 ? nlohmann::ordered_json(seconds / km) : nlohmann::ordered_json(nullptr);
    }
    j["peak_rss_mib"] = peak_rss_mib;
    j["energy_wh"] = footprint.energy_wh;
    j["co2e_g"] = footprint.co2e_g;
    j["energy_wh_per_km"] = km > 0 ? nlohmann::ordered_json(footprint.energy_wh / km) : nlohmann::ordered_json(nullptr);
    j["co2e_g_per_km"] = km > 0 ? nlohmann::ordered_json(footprint.co2e_g / km) : nlohmann::ordered_json(nullptr);
    j["footprint_factors"] = footprintFactorsJson(footprint_factors);
    j["interrupted"] = interrupted;
    j["resumed"] = resumed;
    j["partial"] = partial();
    j["partial_reasons"] = partialReasons();
    j["frames_lost"] = ingest.framesLost();
    if (!surface.is_null())
        j["surface"] = surface;
    return j;
}

std::string AnalysisSummary::toText() const
{
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(2);
    for (const auto& reason : partialReasons())
        s << "PARTIAL: " << reason << "\n";
    s << (interrupted ? "interrupted: " : partial() ? "partial: " : "");
    if (km_covered < km - 0.005)
        s << km_covered << " of " << km << " km covered, ";
    else
        s << km << " km, ";
    s << ingest.frames_decoded << " frames decoded, " << ingest.frames_sampled << " sampled";
    if (frames_replayed)
        s << " (" << frames_replayed << " already analysed by the interrupted run)";
    s << "\n" << detections << " detections (" << detections_off_road << " off the road or out of range";
    if (detections_invalid)
        s << ", " << detections_invalid << " invalid dropped";
    s << "), " << damages << " damages";
    if (!damages_by_class.empty()) {
        s << ":";
        for (const auto& [cls, by_severity] : damages_by_class) {
            s << " " << cls << " ";
            bool first = true;
            for (const auto& [sev, n] : by_severity) {
                s << (first ? "" : "/") << n << sev;
                first = false;
            }
        }
    }
    s << "\n";
    for (const auto& [id, n] : plugin_failures)
        s << "plugin " << id << " failed on " << n << " frame(s); the run went on without it there\n";
    if (anonymized_by.empty()) {
        s << "images NOT anonymized (--no-anonymize): faces and licence plates may show; do not share them\n";
    } else {
        std::string by;
        for (const auto& a : anonymized_by)
            by += (by.empty() ? "" : ", ") + a;
        s << "evidence images anonymized by " << by << ": " << regions_blurred << " region(s) blurred";
        if (anonymizer_failures)
            s << ", " << anonymizer_failures << " chip(s) blurred whole after an anonymizer failed";
        s << "\n";
    }
    if (surface.is_object())
        s << "surface " << surface.value("path", "") << ": " << surface.value("width", 0) << " x " << surface.value("height", 0)
          << " px at " << surface.value("resolution_m", 0.0) << " m in " << surface.value("crs", "") << "; seams between frames "
          << surface["seams_after"].value("median_m", 0.0) << " m (median) after registration, "
          << surface["seams_before"].value("median_m", 0.0) << " m before; "
          << std::lround(100 * surface.value("left_out_share", 0.0)) << " % of the road pixels left out by the road mask\n";
    s.precision(1);
    s << "time " << wall_s << " s, CPU " << cpu_s << " s";
    if (km > 0)
        s << " (" << cpu_s / km / 60.0 << " CPU-min per km)";
    if (wall_s > 0)
        s << ", " << cpu_s / wall_s << " cores busy";
    s << "\n";
    s << "estimated energy " << formatEnergy(footprint.energy_wh) << ", emissions " << formatEmissions(footprint.co2e_g);
    if (km > 0)
        s << " (" << formatEnergy(footprint.energy_wh / km) << " and " << formatEmissions(footprint.co2e_g / km) << " per km)";
    s << " at " << significant(footprint_factors.watts_per_core) << " W per core, "
      << significant(footprint_factors.grid_gco2e_per_kwh) << " gCO2e/kWh (--watts-per-core, --grid-gco2e-per-kwh)\n";
    if (km > 0 && !cpu_s_by_stage.empty()) {
        s << "CPU-s per km by stage:";
        for (const auto& [stage, seconds] : cpu_s_by_stage)
            s << " " << stage << " " << seconds / km;
        s << "\n";
    }
    return s.str();
}

} // namespace voirie
