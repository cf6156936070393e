// `voirie dataset`: reviewed projects made into a training set (tools/train's layout and Pascal VOC).
#include "cli_support.hpp"

#include "voirie/core/dataset/training_set.hpp"

#include <iostream>

namespace voirie::cli {

int runDataset(const CommandLine& cl)
{
    po::options_description options("options");
    options.add_options()
        ("project", po::value<std::vector<std::string>>(), "reviewed projects (voirie analyze, then voirie-app)")
        ("out", po::value<std::string>(), "DIR to write: images/, masks/<name>_{pothole,crack}.png, annotations/<name>.xml")
        ("review", po::value<std::string>()->default_value("accepted"),
         "accepted: the accepted and added damages; all: every damage not rejected")
        ("neighbours", po::value<int>()->default_value(2), "frames that saw a damage written besides its evidence frame")
        ("overwrite", "replace an existing --out")
        ("json", "print the summary as JSON")
        ("quiet", "print nothing on success")
        ("anonymizers", po::value<std::string>(), "comma-separated anonymizer ids (default: every usable one)")
        ("param", po::value<std::vector<std::string>>()->composing(), "anonymizer parameter PLUGIN_ID.NAME=VALUE (repeatable)");
    addPluginDirOption(options);
    po::positional_options_description positional;
    positional.add("project", -1);
    po::variables_map vm;
    if (!parseOptions(cl, "dataset PROJECT.gpkg [PROJECT2.gpkg ...] --out DIR [--review accepted|all] [--neighbours N] "
                          "[--overwrite] [--json]",
                      options, positional, vm))
        return kExitOk;
    if (!vm.count("project"))
        throw UsageError("which projects? voirie dataset PROJECT.gpkg [PROJECT2.gpkg ...] --out DIR");
    if (!vm.count("out"))
        throw UsageError("--out DIR is required");
    TrainingSetOptions o;
    for (const auto& p : vm["project"].as<std::vector<std::string>>())
        o.projects.emplace_back(p);
    o.out = vm["out"].as<std::string>();
    const std::string review = vm["review"].as<std::string>();
    if (review != "accepted" && review != "all")
        throw UsageError("--review is accepted or all, not '" + review + "'");
    o.accepted_only = review == "accepted";
    o.neighbours = vm["neighbours"].as<int>();
    if (o.neighbours < 0 || o.neighbours > 50)
        throw UsageError("--neighbours must be between 0 and 50");
    o.overwrite = vm.count("overwrite") != 0;
    // Every frame that leaves Voirie is anonymized: without an anonymizer nothing is written.
    auto anonymizers = openAnonymizers(vm);
    if (!anonymizers)
        throw RuntimeError(anonymizers.error() + ": every frame written is anonymized first, so nothing was written "
                                                 "(install opencv-data for the built-in cascade-anonymizer)");
    auto summary = writeTrainingSet(o, *anonymizers);
    if (!summary)
        throw RuntimeError(summary.error());
    if (vm.count("json")) {
        auto j = summary->toJson();
        j["out"] = o.out.string();
        std::cout << j.dump(2) << "\n";
    } else if (!vm.count("quiet")) {
        std::cout << o.out.string() << ": " << summary->frames << " frames of damages, " << summary->negatives
                  << " negative frames (every detection rejected), from " << summary->projects.size() << " project(s)";
        for (const auto& [cls, n] : summary->damages_by_class)
            std::cout << "; " << cls << " " << n;
        if (summary->left_out > 0)
            std::cout << "; " << summary->left_out << " frames left out (an anonymizer failed on them)";
        std::cout << "\n";
    }
    return kExitOk;
}

} // namespace voirie::cli
