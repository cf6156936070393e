// The estimated energy and emissions of a computation, from what it measured of itself, in the
// spirit of the Green Algorithms calculator (Lannelongue, Grealey and Inouye, "Green Algorithms:
// Quantifying the Carbon Footprint of Computation", Advanced Science 2021):
//   energy    = (CPU seconds x power per core + wall seconds x memory (GB) x power per GB) x PUE
//   emissions = energy x the grid's carbon intensity
// Public bodies must state the footprint of the AI they run (frugal AI); these are estimates
// with stated factors, not measurements, and every factor can be changed.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace voirie {

struct FootprintFactors {
    // Green Algorithms' per-core power for a CPU of unknown model (its TDP table's default).
    double watts_per_core = 12.0;
    // Green Algorithms' memory power, per GB of memory in use (Lannelongue et al. 2021).
    double watts_per_gb = 0.3725;
    // Power usage effectiveness: 1 for a desktop or laptop (no data-centre cooling); Green
    // Algorithms uses 1.67 for an average data centre.
    double pue = 1.0;
    // France's mean carbon intensity of electricity in 2024, life-cycle, from Electricity Maps'
    // yearly data (as published in The Green Web Foundation's co2.js): 33 gCO2e per kWh.
    double grid_gco2e_per_kwh = 33.0;
};

struct Footprint {
    double energy_wh = 0;
    double co2e_g = 0;
};

Footprint estimateFootprint(double cpu_s, double wall_s, double memory_gb, const FootprintFactors& factors);

// The factors and their sources as JSON (kept in the run's summary) and as one sentence (the
// summary and the report state the method with the figures).
nlohmann::ordered_json footprintFactorsJson(const FootprintFactors& factors);
std::string footprintMethod(const FootprintFactors& factors);

// "0.042 Wh", "12 Wh", "1.3 kWh"; "1.4 mgCO2e", "3.2 gCO2e", "1.1 kgCO2e": three significant digits.
std::string significant(double value, int digits = 3);
std::string formatEnergy(double wh);
std::string formatEmissions(double grams);

} // namespace voirie
