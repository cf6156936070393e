// `voirie check`: every check a command makes before it reads a project, at once, with what can
// still be trusted.
#include "cli_support.hpp"

#include "voirie/core/project/project_open.hpp"

#include <iostream>

namespace voirie::cli {

int runCheck(const CommandLine& cl)
{
    po::options_description options("options");
    options.add_options()
        ("project", po::value<std::string>()->required(), "the project GeoPackage to check")
        ("json", "print the findings as JSON");
    po::positional_options_description positional;
    positional.add("project", 1);
    po::variables_map vm;
    if (!parseOptions(cl, "check PROJECT.gpkg [--json]", options, positional, vm))
        return kExitOk;
    const std::string project = vm["project"].as<std::string>();
    const ProjectCheck check = checkProject(project);
    if (vm.count("json")) {
        auto j = check.toJson();
        j["project"] = project;
        std::cout << j.dump() << "\n";
    } else {
        std::cout << project << "\n" << check.toText();
    }
    return check.ok ? kExitOk : kExitFailure;
}

} // namespace voirie::cli
