// `voirie merge`: one network project from several analysed drives of one campaign.
#include "cli_support.hpp"

#include "voirie/core/campaign/campaign_merge.hpp"

#include <iostream>

namespace voirie::cli {

int runMerge(const CommandLine& cl)
{
    po::options_description options("options");
    options.add_options()
        ("project", po::value<std::vector<std::string>>(), "the drives' projects, in order (the first is the base)")
        ("out", po::value<std::string>(), "NETWORK.gpkg to write")
        ("match-m", po::value<double>()->default_value(2.0), "damages of two drives this close (after removing the GPS "
                                                             "offset between the drives) are one damage")
        ("overwrite", "replace an existing --out")
        ("json", "print the summary as JSON")
        ("quiet", "print nothing on success");
    po::positional_options_description positional;
    positional.add("project", -1);
    po::variables_map vm;
    if (!parseOptions(cl, "merge A.gpkg B.gpkg ... --out NETWORK.gpkg [--match-m 2] [--overwrite] [--json]", options,
                      positional, vm))
        return kExitOk;
    if (!vm.count("project") || vm["project"].as<std::vector<std::string>>().size() < 2)
        throw UsageError("which drives? voirie merge A.gpkg B.gpkg ... --out NETWORK.gpkg");
    if (!vm.count("out"))
        throw UsageError("--out NETWORK.gpkg is required");
    MergeOptions o;
    for (const auto& p : vm["project"].as<std::vector<std::string>>())
        o.drives.emplace_back(p);
    o.out = vm["out"].as<std::string>();
    o.match_m = vm["match-m"].as<double>();
    o.overwrite = vm.count("overwrite") != 0;
    o.command_line = commandLineText(cl);
    if (!(o.match_m > 0 && o.match_m <= 20))
        throw UsageError("--match-m must be between 0 and 20 metres");
    auto summary = mergeDrives(o);
    if (!summary)
        throw RuntimeError(summary.error());
    if (vm.count("json"))
        std::cout << summary->toJson().dump(2) << "\n";
    else if (!vm.count("quiet"))
        std::cout << summary->toText();
    return kExitOk;
}

} // namespace voirie::cli
