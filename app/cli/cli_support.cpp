#include "cli_support.hpp"

#include "voirie/core/project/project_open.hpp"
#include "voirie/core/project/project_reader.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>

namespace voirie::cli {

bool parseOptions(const CommandLine& cl, const std::string& synopsis, po::options_description& options,
                  const po::positional_options_description& positional, po::variables_map& vm)
{
    options.add_options()("help,h", "show this help");
    try {
        po::store(po::command_line_parser(cl.args).options(options).positional(positional).run(), vm);
        if (vm.count("help")) {
            std::cout << "usage: voirie " << synopsis << "\n\n" << options << "\n";
            return false;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }
    return true;
}

void addPluginDirOption(po::options_description& options)
{
    options.add_options()("plugin-dir", po::value<std::vector<std::string>>()->composing(),
                          "also look for plugins in this folder (repeatable); searched before "
                          "VOIRIE_PLUGIN_PATH and the built-in plugin folder");
}

std::vector<std::filesystem::path> checkedPluginDirs(const std::vector<std::string>& plugin_dirs)
{
    std::vector<std::filesystem::path> dirs;
    for (const auto& d : plugin_dirs) {
        std::error_code ec;
        if (!std::filesystem::is_directory(d, ec))
            throw RuntimeError("plugin folder " + d + " does not exist or is not a folder");
        dirs.emplace_back(d);
    }
    return dirs;
}

Result<AnonymizerSet> openAnonymizers(const po::variables_map& vm)
{
    auto overrides = parseParameterOverrides(vm.count("param") ? vm["param"].as<std::vector<std::string>>()
                                                               : std::vector<std::string>{});
    if (!overrides)
        throw UsageError(overrides.error());
    std::optional<std::vector<std::string>> ids;
    if (vm.count("anonymizers"))
        ids = splitList(vm["anonymizers"].as<std::string>());
    return AnonymizerSet::open(
        checkedPluginDirs(vm.count("plugin-dir") ? vm["plugin-dir"].as<std::vector<std::string>>() : std::vector<std::string>{}),
        ids, *overrides);
}

PluginRegistry makeRegistry(const std::vector<std::string>& plugin_dirs)
{
    return PluginRegistry(PluginRegistry::defaultSearchPath(checkedPluginDirs(plugin_dirs)));
}

void warnIfSurveyIncomplete(const std::filesystem::path& project, const std::string& command)
{
    // The command itself opened and checked the file already: no second integrity scan.
    auto ds = openProject(project, {ProjectAccess::read, {}, IntegrityCheck::none});
    if (!ds)
        return;
    const ProjectRun run = readProjectRun(**ds);
    if (run.status.empty() || run.status == "complete")
        return;
    std::cerr << "voirie " << command << ": warning: the analysis in " << project.string() << " is '" << run.status
              << "', not complete";
    if (!run.partial_reasons.empty())
        std::cerr << " (" << run.partial_reasons.front() << ")";
    std::cerr << ": these figures cover only the footage it analysed\n";
}

std::vector<std::string> splitList(const std::string& text)
{
    std::vector<std::string> items;
    std::stringstream s(text);
    std::string item;
    while (std::getline(s, item, ','))
        if (!item.empty())
            items.push_back(item);
    return items;
}

namespace {
bool isImageFile(const std::filesystem::path& p)
{
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

std::vector<std::filesystem::path> expandInputs(const std::vector<std::string>& inputs)
{
    std::vector<std::filesystem::path> files;
    for (const auto& input : inputs) {
        std::error_code ec;
        if (std::filesystem::is_directory(input, ec)) {
            std::vector<std::filesystem::path> inside;
            for (const auto& entry : std::filesystem::directory_iterator(input, ec))
                if (entry.is_regular_file() && isImageFile(entry.path()))
                    inside.push_back(entry.path());
            std::sort(inside.begin(), inside.end());
            files.insert(files.end(), inside.begin(), inside.end());
        } else {
            files.emplace_back(input);
        }
    }
    return files;
}

} // namespace

std::vector<std::filesystem::path> expandImageInputs(const std::vector<std::string>& inputs)
{
    return expandInputs(inputs);
}

std::string commandLineText(const CommandLine& cl)
{
    std::string text = "voirie " + cl.command;
    for (const auto& a : cl.args)
        text += " " + a;
    return text;
}

namespace {
std::atomic<bool> g_interrupted{false};
extern "C" void onInterrupt(int) { g_interrupted = true; }
} // namespace

InterruptFlag::InterruptFlag()
{
    g_interrupted = false;
    struct sigaction action{};
    action.sa_handler = onInterrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_int_);
    sigaction(SIGTERM, &action, &previous_term_);
}

InterruptFlag::~InterruptFlag()
{
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
}

const std::atomic<bool>* InterruptFlag::flag() const { return &g_interrupted; }

} // namespace voirie::cli
