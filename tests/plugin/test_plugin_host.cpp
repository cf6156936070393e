// The plugin host against fake plugins: every failure is a sentence naming the file, failed
// plugins stay listed, the others keep working.
#include "test_support.hpp"

#include "voirie/core/plugin_host/detector_instance.hpp"
#include "voirie/core/plugin_host/plugin_parameters.hpp"
#include "voirie/core/plugin_host/plugin_registry.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

namespace {

namespace fs = std::filesystem;
using voirie::test::TempDir;
using voirie::test::writeFile;

const fs::path kFakePlugins = VOIRIE_FAKE_PLUGIN_DIR;

// Copies a built fake plugin folder (binary + plugin.json) into `dir`, optionally renamed.
fs::path copyPlugin(const std::string& id, const fs::path& dir, const std::string& as = "")
{
    const fs::path target = dir / (as.empty() ? id : as);
    fs::create_directories(target);
    fs::copy(kFakePlugins / id, target, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    return target;
}

void editManifest(const fs::path& plugin_dir, const std::function<void(nlohmann::json&)>& edit)
{
    auto doc = nlohmann::json::parse(voirie::test::readFile(plugin_dir / "plugin.json"));
    edit(doc);
    writeFile(plugin_dir / "plugin.json", doc.dump(2));
}

const voirie::PluginEntry& entryAt(const voirie::PluginRegistry& r, const fs::path& location)
{
    for (const auto& e : r.entries())
        if (e.location == fs::weakly_canonical(location))
            return e;
    throw std::runtime_error("no entry at " + location.string());
}

std::unique_ptr<voirie::DetectorInstance> makeDetector(voirie::PluginRegistry& r, const std::string& id,
                                                       std::map<std::string, std::string> overrides = {})
{
    auto lib = r.load(id);
    EXPECT_TRUE(lib.ok()) << (lib.ok() ? "" : lib.error());
    if (!lib)
        return nullptr;
    auto params = voirie::resolveParameters((*lib)->manifest(), overrides);
    EXPECT_TRUE(params.ok()) << (params.ok() ? "" : params.error());
    auto inst = voirie::DetectorInstance::create(*lib, *params);
    EXPECT_TRUE(inst.ok()) << (inst.ok() ? "" : inst.error());
    return inst ? std::move(*inst) : nullptr;
}

cv::Mat frame(int w = 640, int h = 360) { return cv::Mat(h, w, CV_8UC3, cv::Scalar(90, 90, 90)); }

std::string loadError(voirie::PluginRegistry& r, const std::string& id)
{
    auto lib = r.load(id);
    EXPECT_FALSE(lib.ok()) << id << " should not load";
    return lib.ok() ? std::string() : lib.error();
}

#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

TEST(PluginHost, GoodPluginDetectsWithParameters)
{
    TempDir dir;
    copyPlugin("good", dir.path());
    voirie::PluginRegistry registry({dir.path()});
    auto detector = makeDetector(registry, "good", {{"count", "3"}, {"label", "D00"}, {"confidence", "0.25"}});
    ASSERT_TRUE(detector);
    voirie::FrameContext ctx;
    ctx.camera = voirie::CameraModel{640, 360, 320, 320, 320, 180, 1.3, 12, 0};
    auto out = detector->detect(frame(), ctx);
    ASSERT_TRUE(out.ok()) << out.error();
    ASSERT_EQ(out->detections.size(), 3u);
    EXPECT_EQ(out->dropped, 0);
    const auto& d = out->detections[0];
    EXPECT_EQ(d.plugin_id, "good");
    EXPECT_EQ(d.plugin_version, "1.0.0");
    EXPECT_EQ(d.class_code, "D00");
    EXPECT_DOUBLE_EQ(d.confidence, 0.25);
    EXPECT_DOUBLE_EQ(d.box.width, 80);
    EXPECT_DOUBLE_EQ(d.box.height, 45);
    EXPECT_DOUBLE_EQ(d.box.x, (640 - 80) / 4.0);
    EXPECT_DOUBLE_EQ(d.box.y, 270 - 22.5);
    EXPECT_EQ(d.shape, voirie::ShapeKind::Polygon);
    EXPECT_EQ(d.points.size(), 4u);
    EXPECT_EQ(d.severity_hint, voirie::Severity::Medium);
    ASSERT_EQ(d.attributes.size(), 1u);
    EXPECT_EQ(d.attributes[0], std::make_pair(std::string("has_camera"), 1.0));
    EXPECT_EQ(entryAt(registry, dir / "good").state, voirie::PluginState::Loaded);
}

TEST(PluginHost, GrayAndBgraFramesAreConvertedForThePlugin)
{
    TempDir dir;
    copyPlugin("good", dir.path());
    voirie::PluginRegistry registry({dir.path()});
    auto detector = makeDetector(registry, "good");
    ASSERT_TRUE(detector);
    EXPECT_EQ(detector->detect(cv::Mat(100, 200, CV_8UC1, cv::Scalar(0)), {})->detections.size(), 1u);
    EXPECT_EQ(detector->detect(cv::Mat(100, 200, CV_8UC4, cv::Scalar(0)), {})->detections.size(), 1u);
    EXPECT_FALSE(detector->detect(cv::Mat(), {}).ok());
}

TEST(PluginHost, PlainCPluginWorks)
{
    TempDir dir;
    copyPlugin("c-plain", dir.path());
    voirie::PluginRegistry registry({dir.path()});
    auto detector = makeDetector(registry, "c-plain");
    ASSERT_TRUE(detector);
    auto out = detector->detect(frame(400, 200), {});
    ASSERT_TRUE(out.ok()) << out.error();
    ASSERT_EQ(out->detections.size(), 1u);
    EXPECT_EQ(out->detections[0].class_code, "D10");
    EXPECT_EQ(out->detections[0].shape, voirie::ShapeKind::Polyline);
    EXPECT_DOUBLE_EQ(out->detections[0].points[1].x, 300);
    EXPECT_EQ(out->detections[0].attributes[0].first, "width_px");
}

TEST(PluginHost, ThrowInDetectBecomesAnErrorAndTheHostGoesOn)
{
    TempDir dir;
    copyPlugin("throws-detect", dir.path());
    copyPlugin("good", dir.path());
    voirie::PluginRegistry registry({dir.path()});
    auto bad = makeDetector(registry, "throws-detect");
    ASSERT_TRUE(bad);
    auto out = bad->detect(frame(), {});
    ASSERT_FALSE(out.ok());
    EXPECT_CONTAINS(out.error(), "plugin 'throws-detect'");
    EXPECT_CONTAINS(out.error(), "model exploded on purpose");
    auto good = makeDetector(registry, "good");
    ASSERT_TRUE(good);
    EXPECT_TRUE(good->detect(frame(), {}).ok());
    EXPECT_FALSE(bad->detect(frame(), {}).ok()); // still failing, still no crash
}

TEST(PluginHost, ThrowInCreateIsReported)
{
    TempDir dir;
    copyPlugin("throws-create", dir.path());
    voirie::PluginRegistry registry({dir.path()});
    auto lib = registry.load("throws-create");
    ASSERT_TRUE(lib.ok());
    auto inst = voirie::DetectorInstance::create(*lib, {});
    ASSERT_FALSE(inst.ok());
    EXPECT_CONTAINS(inst.error(), "could not create an instance");
    EXPECT_CONTAINS(inst.error(), "weights file missing on purpose");
}

TEST(PluginHost, ErrorStatusCarriesLastError)
{
    TempDir dir;
    copyPlugin("error-status", dir.path());
    voirie::PluginRegistry registry({dir.path()});
    auto detector = makeDetector(registry, "error-status");
    ASSERT_TRUE(detector);
    auto out = detector->detect(frame(), {});
    ASSERT_FALSE(out.ok());
    EXPECT_CONTAINS(out.error(), "sensor calibration missing");
}

TEST(PluginHost, InvalidOutputIsDroppedAndCounted)
{
    TempDir dir;
    copyPlugin("bad-output", dir.path());
    voirie::PluginRegistry registry({dir.path()});
    auto detector = makeDetector(registry, "bad-output");
    ASSERT_TRUE(detector);
    auto out = detector->detect(frame(), {});
    ASSERT_TRUE(out.ok()) << out.error();
    ASSERT_EQ(out->detections.size(), 1u);
    EXPECT_DOUBLE_EQ(out->detections[0].box.width, 160);
    EXPECT_EQ(out->dropped, 6);
    std::string reasons;
    for (const auto& r : out->drop_reasons)
        reasons += r + "\n";
    EXPECT_CONTAINS(reasons, "not finite");
    EXPECT_CONTAINS(reasons, "outside the 640x360 frame");
    EXPECT_CONTAINS(reasons, "unknown class \"D99\"");
    EXPECT_CONTAINS(reasons, "class D20 is not among the classes its manifest declares");
    EXPECT_CONTAINS(reasons, "outside [0, 1]");
}

TEST(PluginHost, ManifestBinaryDisagreementIsRefused)
{
    TempDir dir;
    copyPlugin("mismatch", dir.path());
    voirie::PluginRegistry registry({dir.path()});
    const auto error = loadError(registry, "mismatch");
    EXPECT_CONTAINS(error, "disagree on the id");
    EXPECT_CONTAINS(error, "something-else");
    EXPECT_CONTAINS(error, (dir / "mismatch" / "mismatch.so").string());
    EXPECT_EQ(entryAt(registry, dir / "mismatch").state, voirie::PluginState::Failed);
}

TEST(PluginHost, BinaryBuiltForAnotherMajorNamesBothVersions)
{
    TempDir dir;
    copyPlugin("binary-api2", dir.path());
    voirie::PluginRegistry registry({dir.path()});
    const auto error = loadError(registry, "binary-api2");
    EXPECT_CONTAINS(error, "API 2.0");
    EXPECT_CONTAINS(error, "implements API 1.1");
}

TEST(PluginHost, ManifestVersionRefusedBeforeOpeningTheBinary)
{
    TempDir dir;
    // A text file where the binary should be: it must never be opened, the version decides first.
    auto major = copyPlugin("good", dir.path(), "major");
    editManifest(major, [](auto& j) { j["id"] = "major"; j["api_version"] = "2.0"; });
    writeFile(major / "major.so", "not a library");
    auto minor = copyPlugin("good", dir.path(), "minor");
    editManifest(minor, [](auto& j) { j["id"] = "minor"; j["api_version"] = "1.7"; });
    voirie::PluginRegistry registry({dir.path()});
    EXPECT_EQ(entryAt(registry, major).state, voirie::PluginState::Failed);
    EXPECT_CONTAINS(entryAt(registry, major).failure, "API 2.0");
    EXPECT_CONTAINS(entryAt(registry, major).failure, "implements API 1.1");
    EXPECT_CONTAINS(entryAt(registry, minor).failure, "API 1.7, newer than the API this Voirie implements (1.1)");
}

TEST(PluginHost, MissingEntryAndNotALibrary)
{
    TempDir dir;
    copyPlugin("missing-entry", dir.path());
    auto text = copyPlugin("good", dir.path(), "text");
    editManifest(text, [](auto& j) { j["id"] = "text"; });
    writeFile(text / "text.so", "#!/bin/sh\necho I am not a library\n");
    auto absent = copyPlugin("good", dir.path(), "absent");
    editManifest(absent, [](auto& j) { j["id"] = "absent"; j["library"] = "nowhere.so"; });
    voirie::PluginRegistry registry({dir.path()});
    EXPECT_CONTAINS(loadError(registry, "missing-entry"), "exports no 'voirie_plugin_entry'");
    const auto not_lib = loadError(registry, "text");
    EXPECT_CONTAINS(not_lib, "is not a loadable shared library");
    EXPECT_CONTAINS(not_lib, (text / "text.so").string());
    EXPECT_CONTAINS(loadError(registry, "absent"), "does not exist");
}

TEST(PluginHost, ManifestProblemsStayListedWithTheirReason)
{
    TempDir dir;
    auto not_json = copyPlugin("good", dir.path(), "not-json");
    writeFile(not_json / "plugin.json", "{ \"id\": ");
    auto invalid = copyPlugin("good", dir.path(), "invalid");
    editManifest(invalid, [](auto& j) { j.erase("thread_safety"); });
    auto no_manifest = copyPlugin("good", dir.path(), "no-manifest");
    fs::remove(no_manifest / "plugin.json");
    fs::copy_file(kFakePlugins / "good" / "good.so", dir / "loose.so");
    copyPlugin("good", dir.path());

    voirie::PluginRegistry registry({dir.path()});
    registry.loadAll();
    EXPECT_CONTAINS(entryAt(registry, not_json).failure, "is not valid JSON");
    EXPECT_CONTAINS(entryAt(registry, not_json).failure, (not_json / "plugin.json").string());
    EXPECT_CONTAINS(entryAt(registry, invalid).failure, "thread_safety");
    EXPECT_CONTAINS(entryAt(registry, no_manifest).failure, "no plugin.json");
    EXPECT_CONTAINS(entryAt(registry, dir / "loose.so").failure, "no plugin.json beside it");
    EXPECT_EQ(entryAt(registry, dir / "good").state, voirie::PluginState::Loaded);
    EXPECT_EQ(registry.usableIds(), std::vector<std::string>{"good"});
}

TEST(PluginHost, DuplicateIdKeepsTheFirstFolder)
{
    TempDir first, second;
    copyPlugin("good", first.path());
    copyPlugin("good", second.path());
    voirie::PluginRegistry registry({first.path(), second.path()});
    ASSERT_EQ(registry.entries().size(), 2u);
    EXPECT_EQ(registry.entries()[0].state, voirie::PluginState::Found);
    EXPECT_EQ(registry.entries()[1].state, voirie::PluginState::Failed);
    EXPECT_CONTAINS(registry.entries()[1].failure, "duplicate id");
    EXPECT_CONTAINS(registry.entries()[1].failure, fs::weakly_canonical(first / "good").string());
    auto lib = registry.load("good");
    ASSERT_TRUE(lib.ok());
    EXPECT_EQ((*lib)->manifest().path.parent_path(), fs::weakly_canonical(first / "good"));
}

TEST(PluginHost, UnknownIdListsWhatExists)
{
    TempDir dir;
    copyPlugin("good", dir.path());
    voirie::PluginRegistry registry({dir.path()});
    const auto error = loadError(registry, "nonesuch");
    EXPECT_CONTAINS(error, "no plugin with id 'nonesuch'");
    EXPECT_CONTAINS(error, "good");
}

TEST(PluginHost, SearchPathOrderAndEnvironment)
{
    TempDir a, b;
    setenv("VOIRIE_PLUGIN_PATH", (a.path().string() + ":" + b.path().string()).c_str(), 1);
    auto dirs = voirie::PluginRegistry::defaultSearchPath({"/explicit"});
    unsetenv("VOIRIE_PLUGIN_PATH");
    ASSERT_GE(dirs.size(), 4u);
    EXPECT_EQ(dirs[0], "/explicit");
    EXPECT_EQ(dirs[1], a.path());
    EXPECT_EQ(dirs[2], b.path());
    EXPECT_EQ(dirs[3].filename(), "plugins"); // beside the binary: ../lib/voirie/plugins
}

TEST(PluginHost, ConcurrentCallsOnInstanceSafePlugin)
{
    TempDir dir;
    copyPlugin("good", dir.path());
    voirie::PluginRegistry registry({dir.path()});
    std::vector<std::unique_ptr<voirie::DetectorInstance>> detectors;
    for (int i = 0; i < 4; ++i)
        detectors.push_back(makeDetector(registry, "good", {{"count", "2"}}));
    std::atomic<int> total{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i)
                total += int(detectors[t]->detect(frame(320, 240), {})->detections.size());
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(total.load(), 4 * 50 * 2);
}

} // namespace
