// `voirie anonymize`: anonymized copies of still images, to check what the anonymizers do and to
// clean photo surveys before sharing them.
#include "cli_support.hpp"

#include "voirie/core/base/atomic_output.hpp"

#include "voirie/core/plugin_host/anonymizer_set.hpp"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <iostream>

namespace voirie::cli {

int runAnonymize(const CommandLine& cl)
{
    namespace fs = std::filesystem;
    po::options_description options("options");
    addPluginDirOption(options);
    options.add_options()
        ("out", po::value<std::string>()->required(), "the anonymized copy (one image), or a folder for several")
        ("plugins", po::value<std::string>(), "comma-separated anonymizer ids (default: every usable anonymizer)")
        ("param", po::value<std::vector<std::string>>()->composing(), "plugin parameter PLUGIN_ID.NAME=VALUE (repeatable)")
        ("overwrite", "replace images already at --out")
        ("json", "print {\"images\":[{\"path\",\"out\",\"regions\":[{\"kind\",\"confidence\",\"box\",\"plugin\"}]}]}")
        ("input", po::value<std::vector<std::string>>()->required(), "images (jpg, png) or folders of them");
    po::positional_options_description positional;
    positional.add("input", -1);
    po::variables_map vm;
    if (!parseOptions(cl, "anonymize IMAGE_OR_DIR... --out PATH [--plugins id,...] [--param id.key=value] [--overwrite]",
                      options, positional, vm))
        return kExitOk;
    auto overrides = parseParameterOverrides(
        vm.count("param") ? vm["param"].as<std::vector<std::string>>() : std::vector<std::string>{});
    if (!overrides)
        throw UsageError(overrides.error());
    std::vector<fs::path> dirs;
    if (vm.count("plugin-dir"))
        for (const auto& d : vm["plugin-dir"].as<std::vector<std::string>>())
            dirs.emplace_back(d);
    std::optional<std::vector<std::string>> ids;
    if (vm.count("plugins"))
        ids = splitList(vm["plugins"].as<std::string>());
    auto set = AnonymizerSet::open(dirs, ids, *overrides);
    if (!set)
        throw RuntimeError(set.error());

    const auto inputs = vm["input"].as<std::vector<std::string>>();
    const auto files = expandImageInputs(inputs);
    if (files.empty())
        throw RuntimeError("no jpg or png images were found in the given folders");
    const fs::path out = vm["out"].as<std::string>();
    std::error_code ec;
    const bool to_folder = files.size() > 1 || fs::is_directory(inputs.front(), ec) || fs::is_directory(out, ec);
    if (to_folder) {
        fs::create_directories(out, ec);
        if (!fs::is_directory(out, ec))
            throw RuntimeError("cannot create the output folder " + out.string());
    } else if (!fs::is_directory(out.parent_path().empty() ? fs::path(".") : out.parent_path(), ec)) {
        throw RuntimeError("cannot write " + out.string() + ": its folder does not exist");
    }
    const bool overwrite = vm.count("overwrite") != 0;
    nlohmann::ordered_json images = nlohmann::ordered_json::array();
    bool any_failure = false;
    int64_t total_regions = 0;
    for (const auto& file : files) {
        const fs::path target = to_folder ? out / file.filename() : out;
        nlohmann::ordered_json entry{{"path", file.string()}, {"out", target.string()}};
        cv::Mat image = cv::imread(file.string(), cv::IMREAD_COLOR);
        if (image.empty()) {
            std::cerr << "voirie anonymize: " << file.string() << " cannot be read as an image\n";
            any_failure = true;
            continue;
        }
        if (fs::exists(target, ec) && !overwrite) {
            std::cerr << "voirie anonymize: " << target.string() << " already exists; pass --overwrite to replace it\n";
            any_failure = true;
            continue;
        }
        auto regions = set->apply(image, FrameContext{});
        if (!regions) {
            std::cerr << "voirie anonymize: " << file.string() << ": " << regions.error()
                      << "; the whole image was blurred instead\n";
            any_failure = true;
        }
        // Encoded in memory, written beside the target and renamed: never a half-written image at
        // its name, and a full disk said as such.
        std::vector<unsigned char> encoded;
        auto output = AtomicOutput::prepare(target, true);
        Status written = output ? Status(Ok{}) : Status(fail(output.error()));
        if (written && !cv::imencode(target.extension().string(), image, encoded))
            written = fail("cannot encode " + target.string() + " as " + target.extension().string());
        if (written)
            written = output->write(std::string_view(reinterpret_cast<const char*>(encoded.data()), encoded.size()));
        if (written)
            written = output->commit();
        if (!written) {
            std::cerr << "voirie anonymize: " << written.error() << "\n";
            any_failure = true;
            continue;
        }
        auto& list = entry["regions"] = nlohmann::ordered_json::array();
        if (regions)
            for (const auto& r : *regions) {
                list.push_back({{"kind", r.kind},
                                {"confidence", r.confidence},
                                {"box", {r.box.x, r.box.y, r.box.width, r.box.height}},
                                {"plugin", r.plugin_id}});
                ++total_regions;
            }
        if (!vm.count("json"))
            std::cout << file.string() << " -> " << target.string() << ": " << list.size() << " region(s) blurred\n";
        images.push_back(entry);
    }
    if (vm.count("json"))
        std::cout << nlohmann::ordered_json{{"images", images}}.dump() << "\n";
    else {
        std::string by;
        for (const auto& d : set->describe())
            by += (by.empty() ? "" : ", ") + d;
        std::cerr << images.size() << " image(s) anonymized by " << by << ", " << total_regions << " region(s) blurred\n";
    }
    return any_failure ? kExitFailure : kExitOk;
}

} // namespace voirie::cli
