// A generated survey shared by the end-to-end suites: rendered once per build of voirie (ctest
// runs each test in its own process) and renamed into place, so that parallel tests never see half.
#pragma once

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace voirie::test {

// 150 m at 1280x720, 80 defects per km, seed 5, a perfect GPS (--gps-noise-m 0): what is left of
// the position error is Voirie's own.
inline std::filesystem::path cachedSampleSurvey()
{
    namespace fs = std::filesystem;
    // Keyed by the voirie binary's build time: a rebuilt generator renders the survey afresh.
    const auto built = fs::last_write_time(VOIRIE_CLI).time_since_epoch().count();
    const fs::path survey = fs::path(VOIRIE_BUILD_DIR) / "test-data" / ("analyze-seed5-150m-" + std::to_string(built));
    if (!fs::exists(survey / "survey.json")) {
        TempDir tmp;
        auto r = runCommand(shellQuoted(VOIRIE_CLI) + " sample --out " + shellQuoted(tmp / "s") +
                            " --length-m 150 --damage-per-km 80 --seed 5 --gps-noise-m 0 --quiet");
        EXPECT_EQ(r.exit_code, 0) << r.err;
        fs::create_directories(survey.parent_path());
        std::error_code ec;
        fs::rename(tmp / "s", survey, ec); // another test process may have won: theirs is the same
    }
    return survey;
}

// The analyze arguments for that survey with the built-in classical plugins.
inline std::string sampleSurveyInputs(const std::filesystem::path& survey)
{
    return "--video " + shellQuoted(survey / "survey.mp4") + " --track " + shellQuoted(survey / "survey.gpx") +
           " --camera " + shellQuoted(survey / "camera.json") + " --plugins cracks,potholes";
}

// That survey analysed (classical plugins, no anonymizer: faster) and rated in 100 m segments,
// with its basemap beside it: what the GUI suites open. Made once per build of voirie.
inline std::filesystem::path cachedSampleProject()
{
    namespace fs = std::filesystem;
    const fs::path survey = cachedSampleSurvey();
    const fs::path folder = survey.parent_path() / (survey.filename().string() + "-project");
    if (!fs::exists(folder / "project.gpkg")) {
        TempDir tmp;
        fs::create_directories(tmp / "p");
        auto r = runCommand(shellQuoted(VOIRIE_CLI) + " analyze " + sampleSurveyInputs(survey) +
                            " --no-anonymize --quiet --out " + shellQuoted(tmp / "p" / "project.gpkg"));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        r = runCommand(shellQuoted(VOIRIE_CLI) + " rate " + shellQuoted(tmp / "p" / "project.gpkg"));
        EXPECT_EQ(r.exit_code, 0) << r.err;
        fs::copy_file(survey / "basemap.tif", tmp / "p" / "basemap.tif");
        std::error_code ec;
        fs::rename(tmp / "p", folder, ec); // another test process may have won: theirs is the same
    }
    return folder / "project.gpkg";
}

// The sample street (perfect GPS) two years later ("later"), and driven again the same year
// ("drive2"); both analysed as the sample project was (classical plugins, no anonymizer). Made
// once per build of voirie (ctest runs each test in its own process) and renamed into place.
inline std::filesystem::path cachedSampleCampaigns()
{
    namespace fs = std::filesystem;
    const fs::path survey = cachedSampleSurvey();
    const fs::path folder = survey.parent_path() / (survey.filename().string() + "-campaigns");
    if (!fs::exists(folder / "drive2.gpkg")) {
        TempDir tmp;
        for (const auto& [name, years] : {std::pair{"later", 2}, std::pair{"drive2", 0}}) {
            auto r = runCommand(shellQuoted(VOIRIE_CLI) + " " + "sample --quiet --evolve-from " + shellQuoted(survey) + " --years " + std::to_string(years) +
                               " --out " + shellQuoted(tmp / "c" / name));
            EXPECT_EQ(r.exit_code, 0) << r.err;
            r = runCommand(shellQuoted(VOIRIE_CLI) + " " + "analyze " + sampleSurveyInputs(tmp / "c" / name) + " --no-anonymize --quiet --out " +
                          shellQuoted(tmp / "c" / (std::string(name) + ".gpkg")));
            EXPECT_EQ(r.exit_code, 0) << r.err;
        }
        std::error_code ec;
        fs::rename(tmp / "c", folder, ec); // another test process may have won: theirs is the same
    }
    return folder;
}

} // namespace voirie::test
