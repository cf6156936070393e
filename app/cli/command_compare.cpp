// `voirie compare`: what changed on the road between two campaigns, per defect and per segment.
#include "cli_support.hpp"

#include "voirie/core/campaign/campaign_compare.hpp"

#include <iostream>

namespace voirie::cli {

int runCompare(const CommandLine& cl)
{
    po::options_description options("options");
    options.add_options()
        ("old", po::value<std::string>(), "the earlier campaign's project (from voirie analyze or merge)")
        ("new", po::value<std::string>(), "the later campaign's project")
        ("out", po::value<std::string>(), "CHANGES.gpkg to write: layers changes, segment_changes, comparison")
        ("match-m", po::value<double>()->default_value(2.0), "defects this close, after removing the GPS offset "
                                                             "between the campaigns, are the same defect")
        ("grown-share", po::value<double>()->default_value(0.25), "a defect whose length (cracks) or area grew by more "
                                                                  "than this share, or whose severity went up, is 'grown'")
        ("overwrite", "replace an existing --out")
        ("json", "print the summary as JSON")
        ("quiet", "print nothing on success");
    po::positional_options_description positional;
    positional.add("old", 1).add("new", 1);
    po::variables_map vm;
    if (!parseOptions(cl, "compare OLD.gpkg NEW.gpkg --out CHANGES.gpkg [--match-m 2] [--grown-share 0.25] [--overwrite] [--json]",
                      options, positional, vm))
        return kExitOk;
    if (!vm.count("old") || !vm.count("new"))
        throw UsageError("which campaigns? voirie compare OLD.gpkg NEW.gpkg --out CHANGES.gpkg");
    if (!vm.count("out"))
        throw UsageError("--out CHANGES.gpkg is required");
    CompareOptions o;
    o.old_project = vm["old"].as<std::string>();
    o.new_project = vm["new"].as<std::string>();
    o.out = vm["out"].as<std::string>();
    o.match_m = vm["match-m"].as<double>();
    o.grown_share = vm["grown-share"].as<double>();
    o.overwrite = vm.count("overwrite") != 0;
    o.command_line = commandLineText(cl);
    if (!(o.match_m > 0 && o.match_m <= 20))
        throw UsageError("--match-m must be between 0 and 20 metres");
    if (!(o.grown_share > 0 && o.grown_share < 10))
        throw UsageError("--grown-share must be between 0 and 10");
    auto summary = compareCampaigns(o);
    if (!summary)
        throw RuntimeError(summary.error());
    if (vm.count("json"))
        std::cout << summary->toJson().dump(2) << "\n";
    else if (!vm.count("quiet"))
        std::cout << summary->toText();
    return kExitOk;
}

} // namespace voirie::cli
