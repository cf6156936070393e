// What every `voirie` command shares: usage errors, option parsing, the plugin registry.
#pragma once

#include "voirie/core/plugin_host/anonymizer_set.hpp"
#include "voirie/core/plugin_host/plugin_registry.hpp"

#include <boost/program_options.hpp>

#include <atomic>
#include <csignal>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace voirie::cli {

namespace po = boost::program_options;

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Thrown for a bad command line; main() prints it and exits with kExitUsage.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Thrown for a failure at run time; main() prints it and exits with kExitFailure.
struct RuntimeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct CommandLine {
    std::string command; // e.g. "plugins validate"
    std::vector<std::string> args;
};

// "voirie <command> <args...>", as recorded in a project's provenance.
std::string commandLineText(const CommandLine& cl);

// Parses `args` against `options` (+ positional); prints help and returns false on --help.
bool parseOptions(const CommandLine& cl, const std::string& synopsis, po::options_description& options,
                  const po::positional_options_description& positional, po::variables_map& vm);

// The plugin registry over --plugin-dir folders (which must exist), VOIRIE_PLUGIN_PATH and the
// folder beside the binary.
PluginRegistry makeRegistry(const std::vector<std::string>& plugin_dirs);
// The --plugin-dir folders, each checked to exist (RuntimeError naming the one that does not).
std::vector<std::filesystem::path> checkedPluginDirs(const std::vector<std::string>& plugin_dirs);

// The anonymizers a command's options choose: --anonymizers (every usable one without it), their
// --param overrides, --plugin-dir (checked); a bad --param is a UsageError. Fails, with the set's
// sentence, when none can be used.
Result<AnonymizerSet> openAnonymizers(const po::variables_map& vm);

// Adds --plugin-dir to a command's options.
void addPluginDirOption(po::options_description& options);

// Says on stderr, in one line, that the project's analysis is not complete (partial, interrupted,
// running), so that figures computed from it are not taken for the whole drive's.
void warnIfSurveyIncomplete(const std::filesystem::path& project, const std::string& command);

// Splits "a,b,c" into its non-empty items.
std::vector<std::string> splitList(const std::string& text);

// Image files as given, folders expanded to their jpg/png files in name order.
std::vector<std::filesystem::path> expandImageInputs(const std::vector<std::string>& inputs);

int runPlugins(const CommandLine& cl);
int runPluginsValidate(const CommandLine& cl);
int runDetect(const CommandLine& cl);
int runFrames(const CommandLine& cl);
int runTelemetry(const CommandLine& cl);
int runCalibrate(const CommandLine& cl);
int runAnalyze(const CommandLine& cl);
int runExport(const CommandLine& cl);
int runRate(const CommandLine& cl);
int runReport(const CommandLine& cl);
int runAnonymize(const CommandLine& cl);
int runSample(const CommandLine& cl);
int runEval(const CommandLine& cl);
int runEvalBoxes(const CommandLine& cl);
int runCheck(const CommandLine& cl);
int runCompare(const CommandLine& cl);
int runMerge(const CommandLine& cl);
int runEvalChanges(const CommandLine& cl);
int runOrtho(const CommandLine& cl);
int runDataset(const CommandLine& cl);
int runEvalSurface(const CommandLine& cl);

// While it lives, Ctrl-C and SIGTERM set a flag instead of killing the process, so that a command
// stops cleanly (its temporaries removed, nothing half-written); the handlers before are restored.
class InterruptFlag {
public:
    InterruptFlag();
    ~InterruptFlag();
    InterruptFlag(const InterruptFlag&) = delete;
    InterruptFlag& operator=(const InterruptFlag&) = delete;
    const std::atomic<bool>* flag() const;

private:
    struct sigaction previous_int_{}, previous_term_{};
};

} // namespace voirie::cli
