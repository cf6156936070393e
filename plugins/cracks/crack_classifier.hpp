// The cracks plugin's classification of a measured mark: an alligator network (D20), a
// longitudinal (D00) or transverse (D10) crack, or nothing (a patch, a step edge, a blob).
#pragma once

#include "mark_features.hpp"

#include <voirie/plugin.hpp>

#include <optional>
#include <vector>

namespace voirie::plugins::cracks {

// Several pieces covering enough road, not hugging a rectangle's outline (a patch), not
// lying mostly along one line (a crack with a fork or spurs: its hull is as large as a
// network's).
bool isNetwork(const GroupFeatures& f, double alligator_area);

// The detection a mark makes, if any: a network's hull polygon, or a crack's centre line.
std::optional<sdk::Detection> classify(const GroupFeatures& f, cv::Size size, double alligator_area);

// Adds a network found at the lower network threshold, in place of the cracks seen inside it
// (pieces of its cells), unless a network was found there at the crack threshold already.
void addNetwork(sdk::Detection network, std::vector<sdk::Detection>& out);

} // namespace voirie::plugins::cracks
