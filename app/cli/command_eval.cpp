// `voirie eval` (damage level, against ground truth on the map) and `voirie eval-boxes` (image
// level, against true boxes in frames).
#include "cli_support.hpp"

#include "voirie/core/evaluation/box_evaluation.hpp"
#include "voirie/core/evaluation/damage_evaluation.hpp"

#include <iostream>

namespace voirie::cli {

int runEval(const CommandLine& cl)
{
    po::options_description options("options");
    options.add_options()
        ("project", po::value<std::string>()->required(), "the project GeoPackage (its 'damages' layer)")
        ("truth", po::value<std::string>()->required(), "ground truth (e.g. ground_truth.geojson from voirie sample)")
        ("match-m", po::value<double>()->default_value(2.0), "largest distance between a damage and its true defect")
        ("length-km", po::value<double>(), "surveyed length for false positives per km (default: the span of the project's frames, else its track)")
        ("json", "print {\"classes\":{...},\"overall\":{...}}");
    po::positional_options_description positional;
    positional.add("project", 1);
    po::variables_map vm;
    if (!parseOptions(cl, "eval PROJECT.gpkg --truth ground_truth.geojson [--match-m 2.0] [--json]", options,
                      positional, vm))
        return kExitOk;
    DamageEvaluationOptions o;
    o.match_m = vm["match-m"].as<double>();
    if (!(o.match_m > 0))
        throw UsageError("--match-m must be positive");
    if (vm.count("length-km"))
        o.survey_km = vm["length-km"].as<double>();
    auto eval = evaluateDamages(vm["project"].as<std::string>(), vm["truth"].as<std::string>(), o);
    if (!eval)
        throw RuntimeError(eval.error());
    warnIfSurveyIncomplete(vm["project"].as<std::string>(), "eval");
    if (vm.count("json"))
        std::cout << eval->toJson().dump() << "\n";
    else
        std::cout << eval->toText();
    return kExitOk;
}

int runEvalBoxes(const CommandLine& cl)
{
    po::options_description options("options");
    options.add_options()
        ("detections", po::value<std::string>()->required(), "output of voirie detect --json")
        ("truth", po::value<std::string>()->required(), "true boxes in the same shape (e.g. stills_truth.json), or a "
                                                        "folder of Pascal VOC .xml annotations (RDD2022)")
        ("iou", po::value<double>()->default_value(0.5), "smallest intersection over union for a hit")
        ("json", "print {\"classes\":{...},\"overall\":{...}}");
    po::positional_options_description positional;
    positional.add("detections", 1);
    po::variables_map vm;
    if (!parseOptions(cl, "eval-boxes DETECT.json --truth TRUTH.json|VOC_DIR [--iou 0.5] [--json]", options, positional, vm))
        return kExitOk;
    const double iou = vm["iou"].as<double>();
    if (!(iou > 0 && iou <= 1))
        throw UsageError("--iou must be in (0, 1]");
    auto eval = evaluateBoxes(vm["detections"].as<std::string>(), vm["truth"].as<std::string>(), iou);
    if (!eval)
        throw RuntimeError(eval.error());
    if (vm.count("json")) {
        auto j = eval->scores.toJson();
        j["overall"]["images"] = eval->images;
        j["overall"]["images_missing"] = eval->images_missing;
        j["apart"] = eval->apart.toJson()["classes"]; // other classes: not in the overall figure
        std::cout << j.dump() << "\n";
    } else {
        std::cout << eval->scores.toText();
        if (!eval->apart.classes.empty())
            std::cout << "apart (not in the overall figure):\n" << eval->apart.toText();
        std::cout << eval->images << " images scored";
        if (eval->images_missing)
            std::cout << ", " << eval->images_missing << " of them absent from the detections (all their boxes missed)";
        std::cout << "\n";
    }
    return kExitOk;
}

} // namespace voirie::cli
