// `voirie rate`: road segments rated under a condition scheme, into the project's segments layer.
#include "cli_support.hpp"

#include "voirie/core/rating/segment_rating.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <iomanip>
#include <iostream>

namespace voirie::cli {

int runRate(const CommandLine& cl)
{
    po::options_description options("options");
    options.add_options()
        ("project", po::value<std::string>(), "the project GeoPackage (from voirie analyze)")
        ("network", po::value<std::string>(), "road centrelines, any line layer OGR reads (its first layer); "
                                              "default: segments along the survey's own chainage")
        ("road-id-field", po::value<std::string>()->default_value(""), "the network's road id field (default: feature id)")
        ("snap-m", po::value<double>()->default_value(20), "frames and damages farther than this from every road "
                                                           "are not forced onto one (reported)")
        ("segment-m", po::value<double>()->default_value(100), "segment length along the road")
        ("lane-width-m", po::value<double>()->default_value(3.5), "surveyed width: surveyed area = length x this")
        ("scheme", po::value<std::string>()->default_value("pci-proxy"),
         "a built-in scheme (pci-proxy, paser-like) or a scheme file (JSON)")
        ("print-scheme", po::value<std::string>(), "print a built-in scheme's JSON (to copy and edit) and exit")
        ("json", "print the summary as JSON")
        ("quiet", "print nothing on success");
    po::positional_options_description positional;
    positional.add("project", 1);
    po::variables_map vm;
    if (!parseOptions(cl,
                      "rate PROJECT.gpkg [--network ROADS] [--road-id-field F] [--segment-m 100] [--lane-width-m 3.5] "
                      "[--scheme NAME|FILE] [--snap-m 20] | rate --print-scheme NAME",
                      options, positional, vm))
        return kExitOk;
    if (vm.count("print-scheme")) {
        const std::string text = builtinRatingSchemeText(vm["print-scheme"].as<std::string>());
        if (text.empty())
            throw UsageError("no built-in scheme '" + vm["print-scheme"].as<std::string>() + "' (pci-proxy, paser-like)");
        std::cout << text;
        return kExitOk;
    }
    if (!vm.count("project"))
        throw UsageError("which project? voirie rate PROJECT.gpkg");

    RateOptions o;
    o.project = vm["project"].as<std::string>();
    if (vm.count("network"))
        o.network = vm["network"].as<std::string>();
    o.road_id_field = vm["road-id-field"].as<std::string>();
    o.snap_m = vm["snap-m"].as<double>();
    o.segment_m = vm["segment-m"].as<double>();
    o.lane_width_m = vm["lane-width-m"].as<double>();
    o.scheme = vm["scheme"].as<std::string>();
    o.command_line = commandLineText(cl);
    auto summary = rateProject(o);
    if (!summary)
        throw RuntimeError(summary.error());
    warnIfSurveyIncomplete(o.project, "rate");

    if (!summary->unmatched_damages.empty()) {
        std::cerr << "voirie rate: " << summary->unmatched_damages.size() << " damage(s) lie "
                  << (o.network ? "farther than " + std::to_string(int(std::lround(o.snap_m))) + " m from every road or " : "")
                  << "beyond the surveyed stretches and are not rated (damage_id";
        for (size_t i = 0; i < summary->unmatched_damages.size() && i < 20; ++i)
            std::cerr << (i ? ", " : " ") << summary->unmatched_damages[i];
        std::cerr << (summary->unmatched_damages.size() > 20 ? ", ...)" : ")") << "\n";
    }
    if (vm.count("json")) {
        nlohmann::ordered_json j{{"scheme", summary->scheme},
                                 {"segments", summary->segments},
                                 {"surveyed_m", summary->surveyed_m},
                                 {"damages_rated", summary->damages_rated},
                                 {"unmatched_damages", summary->unmatched_damages},
                                 {"frames_unmatched", summary->frames_unmatched}};
        for (const auto& [grade, n] : summary->grade_counts)
            j["grades"].push_back({{"grade", grade}, {"segments", n}});
        std::cout << j.dump(2) << "\n";
    } else if (!vm.count("quiet")) {
        std::cerr << "rated " << summary->segments << " segment(s), " << std::fixed << std::setprecision(0)
                  << summary->surveyed_m << " m surveyed, " << summary->damages_rated << " damage(s), scheme "
                  << summary->scheme << "\n";
        for (const auto& [grade, n] : summary->grade_counts)
            std::cerr << "  grade " << grade << ": " << n << " segment(s)\n";
        std::cerr << "wrote the segments layer into " << o.project.string() << "\n";
    }
    return kExitOk;
}

} // namespace voirie::cli
