// `voirie sample`: writes a synthetic survey with exact ground truth.
#include "cli_support.hpp"

#include "voirie/sample/survey_generator.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <regex>
#include <unistd.h>

namespace voirie::cli {

namespace {

// The settings of the survey in --evolve-from, one campaign later. Only --gps-noise-m (and the
// output options) may differ: the road, its size and its defects are the earlier survey's.
sample::GeneratorSettings evolvedSettings(const po::variables_map& vm, sample::GeneratorSettings s)
{
    const std::filesystem::path from = vm["evolve-from"].as<std::string>();
    const int years = vm["years"].as<int>();
    if (years < 0 || years > 10)
        throw UsageError("--years must be between 0 (another drive of the same campaign) and 10");
    for (const char* fixed : {"seed", "length-m", "speed-kmh", "fps", "size", "damage-per-km", "clean", "stills-only",
                              "camera-height-m", "camera-pitch-deg", "camera-roll-deg", "hfov-deg"})
        if (vm.count(fixed) && !vm[fixed].defaulted())
            throw UsageError(std::string("--") + fixed + " cannot be given with --evolve-from: the road is the earlier survey's");
    auto earlier = sample::readGeneratorSettings(from);
    if (!earlier)
        throw RuntimeError("--evolve-from: " + earlier.error());
    const sample::GeneratorSettings given = s;
    s = *earlier;
    if (!vm["gps-noise-m"].defaulted())
        s.gps_noise_m = given.gps_noise_m;
    s.embed_gps = given.embed_gps; // how this drive's camera records: not the road's
    s.lens_metadata = given.lens_metadata;
    s.clock_offset_s = given.clock_offset_s;
    s.evolution_years.push_back(years);
    return s;
}

} // namespace

int runSample(const CommandLine& cl)
{
    po::options_description options("options");
    options.add_options()
        ("out", po::value<std::string>()->required(), "folder to write the survey into")
        ("seed", po::value<uint64_t>()->default_value(1), "random seed: the same seed gives the same survey")
        ("length-m", po::value<double>()->default_value(400), "metres of road driven")
        ("speed-kmh", po::value<double>()->default_value(40), "driving speed")
        ("fps", po::value<double>()->default_value(30), "video frame rate")
        ("size", po::value<std::string>()->default_value("1280x720"), "video size WIDTHxHEIGHT")
        ("damage-per-km", po::value<double>()->default_value(40), "defects per km (D00, D10, D20, D40 in equal numbers)")
        ("clean", "the same road with no damage (for false-positive rates)")
        ("gps-noise-m", po::value<double>()->default_value(1.7), "per-axis standard deviation of the GPS error in metres (0: perfect)")
        ("embed-gps", po::value<std::string>(), "also record the GPS inside survey.mp4 as cameras do: gpmf (a GoPro's 18 Hz track) "
                                                "or novatek (a dash-cam's 1 Hz records)")
        ("lens-metadata", "also record the lens inside survey.mp4 as a GoPro (HERO8 and later) does: its Linear lens mode and "
                          "diagonal field of view, which calibration reads")
        ("camera-height-m", po::value<double>()->default_value(1.3), "the camera's height above the road")
        ("camera-pitch-deg", po::value<double>()->default_value(12), "the camera's pitch below the horizon")
        ("camera-roll-deg", po::value<double>()->default_value(0), "the camera's roll (positive: clockwise as seen from behind)")
        ("hfov-deg", po::value<double>()->default_value(90), "the camera's horizontal field of view")
        ("clock-offset-s", po::value<double>()->default_value(0), "the container's clock against GPS time in seconds (3600: a "
                                                                "camera set to UTC+1; a fraction moves the true start instead, as the container stores whole seconds)")
        ("stills-only", "render only stills/ and their truth, no video (fast: image-level tests and tuning)")
        ("evolve-from", po::value<std::string>(), "the same road a campaign later: DIR is an earlier survey (its road, defects and "
                                                  "settings); some defects grow, some are repaired (a patch in their place), new ones "
                                                  "appear, and it is driven again (another speed, line and GPS error)")
        ("years", po::value<int>()->default_value(1), "with --evolve-from: years since that survey (1 to 10; 0: another drive of the same campaign, "
                                                         "for voirie merge)")
        ("overwrite", "replace a survey already in --out")
        ("quiet", "no progress output");
    po::variables_map vm;
    if (!parseOptions(cl, "sample --out DIR [--seed N] [--length-m M] [--speed-kmh S] [--fps F] [--size WxH] "
                          "[--damage-per-km K] [--clean] [--gps-noise-m N] | sample --evolve-from DIR [--years N] --out DIR2",
                      options, {}, vm))
        return kExitOk;
    sample::GeneratorSettings s;
    s.seed = vm["seed"].as<uint64_t>();
    s.length_m = vm["length-m"].as<double>();
    s.speed_kmh = vm["speed-kmh"].as<double>();
    s.fps = vm["fps"].as<double>();
    s.damage_per_km = vm["damage-per-km"].as<double>();
    s.clean = vm.count("clean") != 0;
    s.gps_noise_m = vm["gps-noise-m"].as<double>();
    if (!(s.gps_noise_m >= 0 && s.gps_noise_m <= 50))
        throw UsageError("--gps-noise-m must be between 0 and 50");
    s.stills_only = vm.count("stills-only") != 0;
    if (vm.count("embed-gps")) {
        s.embed_gps = vm["embed-gps"].as<std::string>();
        if (s.embed_gps != "gpmf" && s.embed_gps != "novatek")
            throw UsageError("--embed-gps must be gpmf or novatek");
    }
    s.lens_metadata = vm.count("lens-metadata") != 0;
    s.camera_height_m = vm["camera-height-m"].as<double>();
    s.camera_pitch_deg = vm["camera-pitch-deg"].as<double>();
    s.camera_roll_deg = vm["camera-roll-deg"].as<double>();
    s.camera_hfov_deg = vm["hfov-deg"].as<double>();
    s.clock_offset_s = vm["clock-offset-s"].as<double>();
    if (!(s.camera_height_m >= 0.5 && s.camera_height_m <= 4))
        throw UsageError("--camera-height-m must be between 0.5 and 4");
    if (!(s.camera_pitch_deg >= 2 && s.camera_pitch_deg <= 40))
        throw UsageError("--camera-pitch-deg must be between 2 and 40");
    if (!(std::abs(s.camera_roll_deg) <= 10))
        throw UsageError("--camera-roll-deg must be between -10 and 10");
    if (!(s.camera_hfov_deg >= 40 && s.camera_hfov_deg <= 150))
        throw UsageError("--hfov-deg must be between 40 and 150");
    if (!(std::abs(s.clock_offset_s) <= 86400))
        throw UsageError("--clock-offset-s must be within a day");
    std::smatch size;
    const std::string size_text = vm["size"].as<std::string>();
    if (!std::regex_match(size_text, size, std::regex(R"((\d+)x(\d+))")))
        throw UsageError("--size \"" + size_text + "\" must look like 1280x720");
    s.width = std::stoi(size[1]);
    s.height = std::stoi(size[2]);
    if (s.width < 160 || s.height < 120 || s.width > 4096 || s.height > 4096 || s.width % 2 || s.height % 2)
        throw UsageError("--size must be even numbers between 160x120 and 4096x4096");
    if (!(s.length_m >= 20 && s.length_m <= 100000))
        throw UsageError("--length-m must be between 20 and 100000");
    if (!(s.speed_kmh >= 5 && s.speed_kmh <= 130))
        throw UsageError("--speed-kmh must be between 5 and 130");
    if (!(s.fps >= 5 && s.fps <= 120))
        throw UsageError("--fps must be between 5 and 120");
    if (!(s.damage_per_km >= 0 && s.damage_per_km <= 500))
        throw UsageError("--damage-per-km must be between 0 and 500");

    if (vm.count("evolve-from"))
        s = evolvedSettings(vm, s);

    const std::filesystem::path out = vm["out"].as<std::string>();
    std::error_code ec;
    if (std::filesystem::exists(out / "survey.json", ec) && !vm.count("overwrite"))
        throw RuntimeError(out.string() + " already holds a survey; pass --overwrite to replace it");
    const bool show = !vm.count("quiet") && isatty(STDERR_FILENO);
    const auto t0 = std::chrono::steady_clock::now();
    sample::SurveyGenerator generator(s);
    auto written = generator.write(out, [&](int done, int total) {
        if (show && (done % 30 == 0 || done == total))
            std::cerr << "\rrendering frame " << done << " / " << total << std::flush;
    });
    if (show)
        std::cerr << "\n";
    if (!written)
        throw RuntimeError(written.error());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!vm.count("quiet"))
        std::cout << "wrote " << out.string() << ": " << generator.frameCount() << " frames, " << generator.truth().size()
                  << " defects" << (s.clean ? " (clean road)" : "") << ", in " << std::fixed << std::setprecision(1)
                  << seconds << " s\n"
                  << "place: " << sample::SurveyGenerator::placeDescription() << "\n";
    if (!vm.count("quiet") && generator.campaign() > 0) {
        std::map<std::string, int> changes;
        for (const auto& t : generator.truth())
            ++changes[t.change];
        std::cout << "campaign " << generator.campaign() << ", " << s.evolution_years.back() << " year(s) after "
                  << vm["evolve-from"].as<std::string>() << ": " << changes["unchanged"] << " unchanged, " << changes["grown"]
                  << " grown, " << generator.repairedIds().size() << " repaired, " << changes["new"] << " new\n";
    }
    return kExitOk;
}

} // namespace voirie::cli
