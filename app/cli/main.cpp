// `voirie`: the command line. Exit codes: 0 success, 1 runtime failure, 2 usage error.
#include "cli_support.hpp"

#include "voirie/core/base/version.hpp"
#include "voirie/core/geo/gdal_error_trap.hpp"
#include "voirie/core/ingest/video_decoder_log.hpp"
#include "voirie/core/plugin_host/crash_reporter.hpp"
#include "voirie/core/plugin_host/plugin_library.hpp"

#include <algorithm>
#include <functional>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace {

using namespace voirie::cli;

struct Command {
    const char* name;
    const char* summary;
    std::function<int(const CommandLine&)> run;
};

const std::vector<Command>& commands()
{
    static const std::vector<Command> list = {
        {"plugins", "list every plugin found, loaded or failed with its reason", runPlugins},
        {"plugins validate", "check that a plugin conforms before you ship it", runPluginsValidate},
        {"detect", "run detector plugins on still images", runDetect},
        {"sample", "write a synthetic survey with exact ground truth", runSample},
        {"eval", "score a project's damages against ground truth on the map", runEval},
        {"eval-boxes", "score detect --json output against true boxes (CRDDC style)", runEvalBoxes},
        {"analyze", "the whole pipeline: survey in, one project GeoPackage of damages out", runAnalyze},
        {"anonymize", "blur faces and licence plates in still images (anonymizer plugins)", runAnonymize},
        {"export", "a project's layers as GeoPackage, GeoJSON, Shapefile, KML, CSV or FlatGeobuf", runExport},
        {"rate", "condition index, grade and treatment per road segment (rating schemes)", runRate},
        {"report", "a survey report for the council: HTML (and PDF) with map, charts, worst segments", runReport},
        {"frames", "georeferenced frames of a survey, sampled by distance travelled", runFrames},
        {"calibrate", "the camera's height, pitch and roll worked out from the footage and its GPS", runCalibrate},
        {"telemetry", "the GPS recorded inside videos (GoPro, dash-cams), as a track file", runTelemetry},
        {"merge", "one network project from several analysed drives of a campaign", runMerge},
        {"compare", "what changed between two campaigns: new, grown, repaired defects, segment grades", runCompare},
        {"eval-changes", "score compare's change labels against generated truth (sample --evolve-from)", runEvalChanges},
        {"ortho", "the road surface of a project as one georeferenced image (Cloud Optimized GeoTIFF)", runOrtho},
        {"eval-surface", "score a surface mosaic against generated truth (where its road lies)", runEvalSurface},
        {"dataset", "reviewed projects made into training data: anonymized frames, masks, VOC boxes", runDataset},
        {"check", "check a project: integrity, layers, fields, whether its analysis is complete", runCheck},
    };
    return list;
}

void printHelp()
{
    std::cout << "voirie " << VOIRIE_VERSION
              << " — offline road-surface inspection: footage + GPS in, geolocated road damage out.\n\n"
                 "usage: voirie <command> [options]     (voirie <command> --help for its options)\n\n"
                 "commands:\n";
    for (const auto& c : commands())
        std::cout << "  " << std::left << std::setw(18) << c.name << c.summary << "\n";
    std::cout << "\n--verbose (any command): also show GDAL's and FFmpeg's own messages.\n"
                 "Exit codes: 0 success, 1 failure, 2 usage error.\n"
                 "Plugins are searched in --plugin-dir, then VOIRIE_PLUGIN_PATH (colon-separated), "
                 "then the plugin folder installed beside voirie.\n";
}

} // namespace

int main(int argc, char** argv)
{
    voirie::installCrashReporter();
    std::vector<std::string> args(argv + 1, argv + argc);
    // GDAL's and FFmpeg's own lines are turned into Voirie's sentences; --verbose shows them too.
    const auto verbose = std::find(args.begin(), args.end(), "--verbose");
    const bool show_library_messages = verbose != args.end();
    if (show_library_messages)
        args.erase(verbose);
    voirie::setGdalMessagesVerbose(show_library_messages);
    voirie::setVideoDecoderMessagesVerbose(show_library_messages);
    if (args.empty()) {
        printHelp();
        return kExitUsage;
    }
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        printHelp();
        return kExitOk;
    }
    if (args[0] == "--version") {
        std::cout << "voirie " << VOIRIE_VERSION << " (plugin API " << voirie::hostApiVersion() << ")\n";
        return kExitOk;
    }

    // The longest command name that prefixes the arguments ("plugins validate" before "plugins").
    const Command* chosen = nullptr;
    size_t words = 0;
    for (const auto& c : commands()) {
        std::vector<std::string> parts;
        std::stringstream s(c.name);
        for (std::string w; s >> w;)
            parts.push_back(w);
        if (parts.size() > args.size() || parts.size() <= words)
            continue;
        if (std::equal(parts.begin(), parts.end(), args.begin())) {
            chosen = &c;
            words = parts.size();
        }
    }
    if (chosen == nullptr) {
        std::cerr << "voirie: unknown command '" << args[0] << "'; run 'voirie --help' for the list\n";
        return kExitUsage;
    }
    CommandLine cl{chosen->name, std::vector<std::string>(args.begin() + long(words), args.end())};
    try {
        return chosen->run(cl);
    } catch (const UsageError& e) {
        std::cerr << "voirie " << cl.command << ": " << e.what() << " (see 'voirie " << cl.command << " --help')\n";
        return kExitUsage;
    } catch (const RuntimeError& e) {
        std::cerr << "voirie " << cl.command << ": " << e.what() << "\n";
        return kExitFailure;
    } catch (const std::exception& e) {
        std::cerr << "voirie " << cl.command << ": unexpected error: " << e.what() << "\n";
        return kExitFailure;
    }
}
