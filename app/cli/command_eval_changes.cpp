// `voirie eval-changes`: compare's change labels scored against a generated pair of campaigns.
#include "cli_support.hpp"

#include "voirie/core/campaign/change_evaluation.hpp"

#include <iostream>

namespace voirie::cli {

int runEvalChanges(const CommandLine& cl)
{
    po::options_description options("options");
    options.add_options()
        ("changes", po::value<std::string>(), "CHANGES.gpkg written by voirie compare")
        ("old-truth", po::value<std::string>(), "the earlier campaign's survey folder (voirie sample)")
        ("new-truth", po::value<std::string>(), "the later campaign's survey folder (voirie sample --evolve-from)")
        ("match-m", po::value<double>()->default_value(2.0), "a damage this close to a true defect is that defect")
        ("json", "print the scores as JSON");
    po::positional_options_description positional;
    positional.add("changes", 1);
    po::variables_map vm;
    if (!parseOptions(cl, "eval-changes CHANGES.gpkg --old-truth DIR --new-truth DIR2 [--match-m 2] [--json]", options,
                      positional, vm))
        return kExitOk;
    if (!vm.count("changes") || !vm.count("old-truth") || !vm.count("new-truth"))
        throw UsageError("voirie eval-changes CHANGES.gpkg --old-truth DIR --new-truth DIR2");
    ChangeEvaluationOptions o;
    o.changes = vm["changes"].as<std::string>();
    o.old_truth = vm["old-truth"].as<std::string>();
    o.new_truth = vm["new-truth"].as<std::string>();
    o.match_m = vm["match-m"].as<double>();
    auto e = evaluateChanges(o);
    if (!e)
        throw RuntimeError(e.error());
    std::cout << (vm.count("json") ? e->toJson().dump(2) + "\n" : e->toText());
    return kExitOk;
}

} // namespace voirie::cli
