// The footprint estimate: Green Algorithms' formula with stated factors, and figures printed at
// a readable scale.
#include "voirie/core/base/footprint.hpp"

#include <gtest/gtest.h>

namespace {

using namespace voirie;

TEST(Footprint, EnergyIsCpuTimeTimesPowerPerCorePlusMemoryTimesPue)
{
    FootprintFactors f;
    f.watts_per_core = 10;
    f.watts_per_gb = 0.5;
    f.pue = 1.5;
    f.grid_gco2e_per_kwh = 100;
    // (3600 CPU-s x 10 W + 3600 s x 2 GB x 0.5 W) x 1.5 = 59 400 J = 16.5 Wh; x 100 g/kWh = 1.65 g
    const Footprint fp = estimateFootprint(3600, 3600, 2, f);
    EXPECT_NEAR(fp.energy_wh, 16.5, 1e-9);
    EXPECT_NEAR(fp.co2e_g, 1.65, 1e-9);
    // The defaults are stated with their sources.
    const std::string method = footprintMethod(FootprintFactors{});
    EXPECT_NE(method.find("Green Algorithms"), std::string::npos);
    EXPECT_NE(method.find("12 W per core"), std::string::npos);
    EXPECT_NE(method.find("33 gCO2e per kWh"), std::string::npos);
    EXPECT_NE(method.find("France"), std::string::npos);
    EXPECT_EQ(footprintFactorsJson(FootprintFactors{})["grid_gco2e_per_kwh"], 33.0);
}

TEST(Footprint, FiguresArePrintedAtAReadableScale)
{
    EXPECT_EQ(formatEnergy(0.0421), "0.0421 Wh");
    EXPECT_EQ(formatEnergy(2500), "2.5 kWh");
    EXPECT_EQ(formatEmissions(0.00139), "1.39 mgCO2e");
    EXPECT_EQ(formatEmissions(3.2), "3.2 gCO2e");
    EXPECT_EQ(formatEmissions(1234), "1.23 kgCO2e");
    EXPECT_EQ(formatEmissions(0), "0 gCO2e");
}

} // namespace
