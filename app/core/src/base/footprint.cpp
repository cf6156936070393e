#include "voirie/core/base/footprint.hpp"

#include <sstream>

namespace voirie {

Footprint estimateFootprint(double cpu_s, double wall_s, double memory_gb, const FootprintFactors& f)
{
    Footprint out;
    const double joules = (cpu_s * f.watts_per_core + wall_s * memory_gb * f.watts_per_gb) * f.pue;
    out.energy_wh = joules / 3600.0;
    out.co2e_g = out.energy_wh / 1000.0 * f.grid_gco2e_per_kwh;
    return out;
}

nlohmann::ordered_json footprintFactorsJson(const FootprintFactors& f)
{
    return {{"watts_per_core", f.watts_per_core},
            {"watts_per_gb_memory", f.watts_per_gb},
            {"pue", f.pue},
            {"grid_gco2e_per_kwh", f.grid_gco2e_per_kwh},
            {"method", footprintMethod(f)}};
}

std::string significant(double value, int digits)
{
    std::ostringstream s;
    s.precision(digits);
    s << value; // %g: three significant digits, no trailing zeros
    return s.str();
}

std::string formatEnergy(double wh)
{
    return wh >= 1000 ? significant(wh / 1000) + " kWh" : significant(wh) + " Wh";
}

std::string formatEmissions(double grams)
{
    if (grams >= 1000)
        return significant(grams / 1000) + " kgCO2e";
    return grams >= 1 || grams == 0 ? significant(grams) + " gCO2e" : significant(grams * 1000) + " mgCO2e";
}

std::string footprintMethod(const FootprintFactors& f)
{
    std::ostringstream s;
    s << "Estimated as in the Green Algorithms calculator (Lannelongue et al. 2021): energy = (CPU time x " << f.watts_per_core
      << " W per core + run time x memory in use x " << f.watts_per_gb << " W per GB) x PUE " << f.pue
      << "; emissions = energy x " << f.grid_gco2e_per_kwh << " gCO2e per kWh";
    const FootprintFactors defaults;
    if (f.grid_gco2e_per_kwh == defaults.grid_gco2e_per_kwh)
        s << " (France's mean for 2024, Electricity Maps)";
    if (f.watts_per_core == defaults.watts_per_core)
        s << "; 12 W per core is Green Algorithms' figure for a CPU of unknown model";
    s << ". An estimate, not a measurement.";
    return s.str();
}

} // namespace voirie
