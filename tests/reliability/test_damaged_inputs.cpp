// Damaged inputs give what can be trusted, and say what was lost: a damaged video is a partial
// survey (exit 1 unless --allow-partial), one bad GPS fix costs that fix, a cut-short GPX gives
// its complete fixes, unreadable CSV rows are counted (issue 32, cases 4, 5, 6 and 7).
#include "reliability_support.hpp"

#include <nlohmann/json.hpp>

#include <regex>

namespace {

using namespace voirie::test;
namespace fs = std::filesystem;

class DamagedInput : public ::testing::Test {
protected:
    fs::path survey() { return cachedSampleSurvey(); }
    std::string inputs(const fs::path& video, const fs::path& track)
    {
        return "--video " + shellQuoted(video) + " --track " + shellQuoted(track) + " --camera " +
               shellQuoted(survey() / "camera.json");
    }
    nlohmann::json framesJson(const fs::path& track, CommandResult* result = nullptr)
    {
        auto r = runVoirie("frames --json " + inputs(survey() / "survey.mp4", track));
        if (result)
            *result = r;
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return nlohmann::json::parse(r.out, nullptr, false);
    }
    // The sample's GPX with one fix's time rewritten by `change`.
    fs::path gpxWithOneFixChanged(const std::function<std::string(const std::string&)>& change, const std::string& name)
    {
        std::string gpx = readFile(survey() / "survey.gpx");
        std::smatch m;
        std::string::const_iterator from = gpx.cbegin();
        const std::regex time("<time>([^<]+)</time>");
        for (int i = 0; i <= 20 && std::regex_search(from, gpx.cend(), m, time); ++i)
            if (i < 20)
                from = m.suffix().first;
        const auto at = size_t(m.position(1) + (from - gpx.cbegin()));
        gpx.replace(at, size_t(m.length(1)), change(m.str(1)));
        const fs::path out = dir_ / name;
        writeFile(out, gpx);
        return out;
    }
    TempDir dir_;
};

TEST_F(DamagedInput, ADamagedVideoIsAPartialSurveyNeverAComplete)
{
    const fs::path video = dir_ / "damaged.mp4";
    fs::copy_file(survey() / "survey.mp4", video);
    const auto size = std::streamoff(fs::file_size(video));
    damageFile(video, size / 3, size_t(size / 8), 0); // an eighth of the file zeroed, a third of the way in

    const fs::path out = dir_ / "p.gpkg";
    auto r = runVoirie("analyze " + inputs(video, survey() / "survey.gpx") +
                       " --plugins cracks,potholes --no-anonymize --json --quiet --out " + shellQuoted(out));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    // Even with --quiet, one sentence says so, and no raw FFmpeg line.
    EXPECT_CONTAINS(r.err, "the survey is PARTIAL");
    EXPECT_EQ(errorLines(r.err).size(), 1u) << r.err;
    expectNoLibraryLines(r.err);
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.out;
    EXPECT_TRUE(j["partial"].get<bool>());
    EXPECT_GT(j["frames_lost"].get<int>(), 0);
    // Decoding went on past the damage, to the end of the video.
    EXPECT_CONTAINS(j["partial_reasons"][0].get<std::string>(), "decoding went on after it");
    // The stretch lost is not counted as covered: an eighth of the file is about an eighth of the drive.
    const double km = j["km"].get<double>(), covered = j["km_covered"].get<double>();
    EXPECT_LT(covered, 0.97 * km) << r.out;
    EXPECT_GT(covered, 0.5 * km) << r.out;
    ASSERT_GE(j["partial_reasons"].size(), 2u) << r.out;
    EXPECT_CONTAINS(j["partial_reasons"].back().get<std::string>(), "the frames analysed cover");
    EXPECT_EQ(sqlText(out, "SELECT status FROM run"), "partial");
    auto check = runVoirie("check " + shellQuoted(out));
    EXPECT_EQ(check.exit_code, 1);
    EXPECT_CONTAINS(check.out, "'partial', not complete");

    // Accepted knowingly: exit 0, still recorded as partial; the summary says how much is covered.
    r = runVoirie("analyze " + inputs(video, survey() / "survey.gpx") +
                  " --plugins cracks,potholes --no-anonymize --allow-partial --overwrite --out " + shellQuoted(out));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(std::regex_search(r.err, std::regex("\npartial: [0-9.]+ of [0-9.]+ km covered, [0-9]+ frames decoded, [0-9]+ sampled\n")))
        << r.err;
    EXPECT_EQ(sqlText(out, "SELECT status FROM run"), "partial");
    // The report says so.
    ASSERT_EQ(runVoirie("rate " + shellQuoted(out) + " --quiet").exit_code, 0);
    r = runVoirie("report " + shellQuoted(out) + " --out " + shellQuoted(dir_ / "r.html"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_CONTAINS(readFile(dir_ / "r.html"), "id=\"partial-survey\"");
    EXPECT_CONTAINS(readFile(dir_ / "r.html"), "lost to damage");
    EXPECT_CONTAINS(readFile(dir_ / "r.html"), "the frames analysed cover");
}

// Bytes flipped here and there: FFmpeg conceals the damage and OpenCV hands the pictures over as
// good ones (every frame "decodes"); on the 400 m sample, 200 flipped bytes gave 17 damages
// instead of 13. FFmpeg's error count is the sign: the survey is partial, exit 1.
TEST_F(DamagedInput, ConcealedDecodingErrorsMakeAPartialSurvey)
{
    const fs::path video = dir_ / "flipped.mp4";
    fs::copy_file(survey() / "survey.mp4", video);
    const auto size = std::streamoff(fs::file_size(video));
    for (int i = 1; i <= 60; ++i) // inside the media data, away from the header and the index
        damageFile(video, size / 10 + (size * 6 / 10) * i / 60, 1, -1, unsigned(i));
    auto r = runVoirie("frames --json " + inputs(video, survey() / "survey.gpx"));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.out;
    const auto& v = j["summary"]["videos"][0];
    EXPECT_EQ(v["frames_lost"].get<int>(), 0) << v.dump(); // nothing skipped: concealed
    EXPECT_GT(v["frames_with_errors"].get<int>(), 0) << v.dump();
    EXPECT_TRUE(j["summary"]["partial"].get<bool>());
    EXPECT_CONTAINS(j["summary"]["partial_reasons"][0].get<std::string>(), "damaged data it concealed");
    expectNoLibraryLines(r.err);
    // The intact video has none.
    auto intact = runVoirie("frames --json " + inputs(survey() / "survey.mp4", survey() / "survey.gpx"));
    ASSERT_EQ(intact.exit_code, 0) << intact.err;
    EXPECT_EQ(nlohmann::json::parse(intact.out)["summary"]["videos"][0]["frames_with_errors"].get<int>(), 0);
}

// A detector that emits garbage (a NaN box, an unknown class) is not mistaken for one that found
// nothing: the invalid detections are dropped and said, even with --quiet.
TEST_F(DamagedInput, APluginsInvalidDetectionsAreSaid)
{
    auto r = runVoirie("analyze " + inputs(survey() / "survey.mp4", survey() / "survey.gpx") +
                       " --plugins cracks,bad-output --plugin-dir " + shellQuoted(VOIRIE_FAKE_PLUGIN_DIR) +
                       " --no-anonymize --quiet --out " + shellQuoted(dir_ / "p.gpkg"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_CONTAINS(r.err, "plugin 'bad-output' emitted an invalid detection: its box is not finite");
    EXPECT_CONTAINS(r.err, "it was dropped (the run goes on)");
    EXPECT_LE(errorLines(r.err).size(), 5u) << r.err; // the first few, not one per frame
}

TEST_F(DamagedInput, AVideoCutBeforeItsIndexIsOneSentence)
{
    const fs::path video = dir_ / "cut.mp4";
    writeFile(video, readFile(survey() / "survey.mp4").substr(0, 200000));
    auto r = runVoirie("analyze " + inputs(video, survey() / "survey.gpx") + " --plugins cracks --no-anonymize --out " +
                       shellQuoted(dir_ / "p.gpkg"));
    EXPECT_EQ(r.exit_code, 1);
    const auto lines = errorLines(r.err);
    ASSERT_EQ(lines.size(), 1u) << r.err;
    EXPECT_CONTAINS(lines[0], "cannot be opened: FFmpeg says \"moov atom not found\"");
    EXPECT_CONTAINS(lines[0], "as when a recording is cut before the camera closes the file");
    expectNoLibraryLines(r.err);
    // --verbose (any command) lets FFmpeg's own lines through, marked as its.
    auto verbose = runVoirie("--verbose analyze " + inputs(video, survey() / "survey.gpx") +
                             " --plugins cracks --no-anonymize --out " + shellQuoted(dir_ / "p.gpkg"));
    EXPECT_EQ(verbose.exit_code, 1);
    EXPECT_CONTAINS(verbose.err, "FFmpeg: ");
}

TEST_F(DamagedInput, OneFixWithAWrongDateCostsThatFixOnly)
{
    const auto clean = framesJson(survey() / "survey.gpx");
    ASSERT_FALSE(clean.is_discarded());
    const int fixes = clean["summary"]["track"]["fixes_read"];
    const size_t frames = clean["frames"].size();
    // A date in another year is a time outlier: dropped, and named.
    const auto year = gpxWithOneFixChanged([](const std::string& t) { return "2926" + t.substr(4); }, "year.gpx");
    auto j = framesJson(year);
    ASSERT_FALSE(j.is_discarded());
    EXPECT_EQ(j["summary"]["track"]["fixes_used"].get<int>(), fixes - 1);
    EXPECT_EQ(j["summary"]["track"]["fixes_dropped"]["time_outlier"].get<int>(), 1);
    EXPECT_EQ(j["frames"].size(), frames);
    EXPECT_CONTAINS(j["summary"]["track"]["dropped_examples"][0].get<std::string>(), "fix 21");
    // Month 94 is no date at all: an unreadable time, not one normalised seven years ahead.
    const auto month = gpxWithOneFixChanged([](const std::string& t) { return t.substr(0, 5) + "94" + t.substr(7); }, "month.gpx");
    j = framesJson(month);
    ASSERT_FALSE(j.is_discarded());
    EXPECT_EQ(j["summary"]["track"]["fixes_read"].get<int>(), fixes - 1);
    EXPECT_EQ(j["summary"]["track"]["rows_without_time"].get<int>(), 1);
    EXPECT_EQ(j["frames"].size(), frames);
    EXPECT_CONTAINS(j["summary"]["warnings"][0].get<std::string>(), "1 without a readable time");
}

TEST_F(DamagedInput, ACutShortGpxGivesItsCompleteFixesAndSaysWhere)
{
    const std::string gpx = readFile(survey() / "survey.gpx");
    const size_t cut = gpx.find("</trkpt>", gpx.size() / 2) + 20; // inside the next point
    const fs::path track = dir_ / "cut.gpx";
    writeFile(track, gpx.substr(0, cut));
    int expected = 0;
    for (size_t at = gpx.find("</trkpt>"); at != std::string::npos && at < cut - 8; at = gpx.find("</trkpt>", at + 1))
        ++expected;
    auto run = runVoirie("frames --json " + inputs(survey() / "survey.mp4", track));
    // The track now ends before the video: the frames after it are not placed, and that is partial.
    EXPECT_EQ(run.exit_code, 1) << run.err;
    const auto j = nlohmann::json::parse(run.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << run.out;
    EXPECT_EQ(j["summary"]["track"]["fixes_read"].get<int>(), expected);
    bool said = false;
    for (const auto& w : j["summary"]["warnings"])
        said = said || w.get<std::string>().find("is cut short after line") != std::string::npos;
    EXPECT_TRUE(said) << j["summary"]["warnings"].dump();
    EXPECT_CONTAINS(run.err, "fall outside the GPS track");
    EXPECT_TRUE(j["summary"]["partial"].get<bool>());
}

TEST_F(DamagedInput, UnreadableCsvRowsAreCountedAndSaid)
{
    // The sample's fixes as CSV, every third row missing its longitude.
    const std::string gpx = readFile(survey() / "survey.gpx");
    const std::regex point("<trkpt lat=\"([^\"]+)\" lon=\"([^\"]+)\">\\s*(?:<ele>[^<]*</ele>\\s*)?<time>([^<]+)</time>");
    std::string csv = "time,lat,lon\n";
    int rows = 0, broken = 0;
    for (auto it = std::sregex_iterator(gpx.begin(), gpx.end(), point); it != std::sregex_iterator(); ++it, ++rows) {
        const bool drop = rows % 3 == 2;
        broken += drop;
        csv += (*it)[3].str() + "," + (*it)[1].str() + "," + (drop ? std::string() : (*it)[2].str()) + "\n";
    }
    ASSERT_GT(rows, 10);
    const fs::path track = dir_ / "t.csv";
    writeFile(track, csv);
    auto r = runVoirie("frames --json " + inputs(survey() / "survey.mp4", track));
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.out << r.err;
    EXPECT_EQ(j["summary"]["track"]["fixes_read"].get<int>(), rows - broken);
    bool said = false;
    for (const auto& w : j["summary"]["warnings"])
        said = said || w.get<std::string>().find(std::to_string(broken) + " of " + std::to_string(rows) +
                                                 " rows of CSV track") != std::string::npos;
    EXPECT_TRUE(said) << j["summary"]["warnings"].dump();
}

} // namespace
