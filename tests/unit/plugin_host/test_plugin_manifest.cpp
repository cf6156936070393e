#include "test_support.hpp"

#include "voirie/core/plugin_host/plugin_manifest.hpp"

#include <gtest/gtest.h>
#include <voirie/plugin_abi.h>
#include <nlohmann/json.hpp>

extern "C" int voirie_abi_c11_api_major(void);

namespace {

using voirie::test::TempDir;
using voirie::test::writeFile;

nlohmann::json validManifest()
{
    return nlohmann::json::parse(R"({
      "id": "cracks", "name": "Cracks", "vendor": "Voirie", "version": "1.2.0", "api_version": "1.0",
      "classes": ["D00", "D10", "D20"], "thread_safety": "instance-safe", "license": "MIT",
      "parameters": [
        {"name": "threshold", "type": "double", "default": 0.5, "min": 0, "max": 1, "description": "t"},
        {"name": "mode", "type": "string", "default": "fast", "choices": ["fast", "exact"]},
        {"name": "steps", "type": "int", "default": 3},
        {"name": "debug", "type": "bool", "default": false}
      ]})");
}

std::string errorFor(const nlohmann::json& doc)
{
    TempDir dir;
    writeFile(dir / "plugin.json", doc.dump());
    auto m = voirie::readPluginManifest(dir / "plugin.json");
    EXPECT_FALSE(m.ok()) << "expected " << doc.dump() << " to be rejected";
    return m.ok() ? std::string() : m.error();
}

TEST(AbiHeader, CompilesAsC11)
{
    EXPECT_EQ(voirie_abi_c11_api_major(), VOIRIE_API_MAJOR);
}

TEST(PluginManifest, ReadsEveryField)
{
    TempDir dir;
    writeFile(dir / "plugin.json", validManifest().dump());
    auto m = voirie::readPluginManifest(dir / "plugin.json");
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_EQ(m->id, "cracks");
    EXPECT_EQ(m->version, "1.2.0");
    EXPECT_EQ(m->api_major, 1u);
    EXPECT_EQ(m->api_minor, 0u);
    EXPECT_EQ(m->classes, (std::vector<std::string>{"D00", "D10", "D20"}));
    EXPECT_EQ(m->thread_safety, voirie::ThreadSafety::InstanceSafe);
    EXPECT_EQ(m->library, "cracks.so");
    EXPECT_EQ(m->libraryPath(), dir.path() / "cracks.so");
    ASSERT_EQ(m->parameters.size(), 4u);
    EXPECT_EQ(m->parameters[0].type, voirie::ParameterType::Double);
    EXPECT_EQ(std::get<double>(m->parameters[0].default_value), 0.5);
    EXPECT_EQ(*m->parameters[0].max, 1.0);
    EXPECT_EQ(m->parameters[1].choices, (std::vector<std::string>{"fast", "exact"}));
    EXPECT_EQ(std::get<int64_t>(m->parameters[2].default_value), 3);
    EXPECT_EQ(std::get<bool>(m->parameters[3].default_value), false);
}

TEST(PluginManifest, NotJsonNamesTheFile)
{
    TempDir dir;
    writeFile(dir / "plugin.json", "{ this is not json");
    auto m = voirie::readPluginManifest(dir / "plugin.json");
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.error().find((dir / "plugin.json").string()), std::string::npos);
    EXPECT_NE(m.error().find("not valid JSON"), std::string::npos);
}

TEST(PluginManifest, MissingFileIsReported)
{
    auto m = voirie::readPluginManifest("/nonexistent/plugin.json");
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.error().find("cannot be read"), std::string::npos);
}

TEST(PluginManifest, RejectsEachInvalidField)
{
    auto without = [](const char* key) {
        auto d = validManifest();
        d.erase(key);
        return d;
    };
    EXPECT_NE(errorFor(without("id")).find("has no \"id\""), std::string::npos);
    EXPECT_NE(errorFor(without("version")).find("\"version\""), std::string::npos);
    EXPECT_NE(errorFor(without("thread_safety")).find("thread_safety"), std::string::npos);
    EXPECT_NE(errorFor(without("classes")).find("\"classes\""), std::string::npos);
    EXPECT_NE(errorFor(without("license")).find("\"license\""), std::string::npos);

    auto d = validManifest();
    d["api_version"] = "one";
    EXPECT_NE(errorFor(d).find("MAJOR.MINOR"), std::string::npos);
    d = validManifest();
    d["classes"] = {"D00", "D99"};
    EXPECT_NE(errorFor(d).find("\"D99\""), std::string::npos);
    d = validManifest();
    d["classes"] = {"D00", "D00"};
    EXPECT_NE(errorFor(d).find("twice"), std::string::npos);
    d = validManifest();
    d["thread_safety"] = "sometimes";
    EXPECT_NE(errorFor(d).find("sometimes"), std::string::npos);
    d = validManifest();
    d["id"] = "Bad Id";
    EXPECT_NE(errorFor(d).find("lower-case"), std::string::npos);
    d = validManifest();
    d["kind"] = "renderer";
    EXPECT_NE(errorFor(d).find("renderer"), std::string::npos);
    d = validManifest();
    d["library"] = "../elsewhere/x.so";
    EXPECT_NE(errorFor(d).find("file name beside"), std::string::npos);
}

TEST(PluginManifest, RejectsInvalidParameters)
{
    auto with = [](nlohmann::json param) {
        auto d = validManifest();
        d["parameters"] = nlohmann::json::array({param});
        return d;
    };
    EXPECT_NE(errorFor(with({{"name", "x"}, {"type", "float"}, {"default", 1}})).find("unknown type"), std::string::npos);
    EXPECT_NE(errorFor(with({{"name", "x"}, {"type", "int"}})).find("no \"default\""), std::string::npos);
    EXPECT_NE(errorFor(with({{"name", "x"}, {"type", "int"}, {"default", "three"}})).find("type int"), std::string::npos);
    EXPECT_NE(errorFor(with({{"name", "x"}, {"type", "double"}, {"default", 1}, {"min", 2}, {"max", 1}})).find("min greater"),
              std::string::npos);
    EXPECT_NE(errorFor(with({{"type", "int"}, {"default", 1}})).find("parameter #1"), std::string::npos);
    auto twice = validManifest();
    twice["parameters"].push_back(twice["parameters"][0]);
    EXPECT_NE(errorFor(twice).find("declared twice"), std::string::npos);
}

} // namespace

namespace {

TEST(PluginManifest, ReadsDefaultAndRequired)
{
    TempDir dir;
    auto doc = validManifest();
    doc["default"] = true;
    doc["parameters"].push_back({{"name", "model"}, {"type", "string"}, {"default", ""}, {"required", true}});
    writeFile(dir / "plugin.json", doc.dump());
    auto m = voirie::readPluginManifest(dir / "plugin.json");
    ASSERT_TRUE(m.ok()) << m.error();
    EXPECT_TRUE(m->is_default);
    EXPECT_TRUE(m->findParameter("model")->required);
    EXPECT_FALSE(m->findParameter("threshold")->required);
    EXPECT_EQ(m->missingRequired({}), std::vector<std::string>{"model"});
    EXPECT_EQ(m->missingRequired({{"model", ""}}), std::vector<std::string>{"model"});
    EXPECT_TRUE(m->missingRequired({{"model", "m.json"}}).empty());
    EXPECT_EQ(voirie::manifestJson(*m)["default"], true);

    doc["default"] = "yes";
    EXPECT_NE(errorFor(doc).find("\"default\" must be true or false"), std::string::npos);
    doc["default"] = false;
    doc["parameters"].back()["required"] = 1;
    EXPECT_NE(errorFor(doc).find("\"required\" must be true or false"), std::string::npos);
}

} // namespace
