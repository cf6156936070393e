#include "voirie/core/plugin_host/plugin_parameters.hpp"

#include <gtest/gtest.h>

namespace {

voirie::PluginManifest manifest()
{
    voirie::PluginManifest m;
    m.id = "pot";
    voirie::ParameterSpec threshold{"threshold", voirie::ParameterType::Double, 0.5, 0.0, 1.0, {}, ""};
    voirie::ParameterSpec steps{"steps", voirie::ParameterType::Int, int64_t(3), 1.0, 10.0, {}, ""};
    voirie::ParameterSpec debug{"debug", voirie::ParameterType::Bool, false, {}, {}, {}, ""};
    voirie::ParameterSpec mode{"mode", voirie::ParameterType::String, std::string("fast"), {}, {}, {"fast", "exact"}, ""};
    m.parameters = {threshold, steps, debug, mode};
    return m;
}

TEST(ParameterOverrides, ParsesIdKeyValue)
{
    auto o = voirie::parseParameterOverrides({"pot.threshold=0.7", "cracks.mode=a=b"});
    ASSERT_TRUE(o.ok()) << o.error();
    EXPECT_EQ((*o)["pot"]["threshold"], "0.7");
    EXPECT_EQ((*o)["cracks"]["mode"], "a=b");
}

TEST(ParameterOverrides, RejectsMalformed)
{
    for (const char* bad : {"threshold=0.7", "pot.threshold", ".x=1", "pot.=1"}) {
        auto o = voirie::parseParameterOverrides({bad});
        ASSERT_FALSE(o.ok()) << bad;
        EXPECT_NE(o.error().find(bad), std::string::npos);
    }
}

TEST(ResolveParameters, DefaultsThenOverridesTyped)
{
    auto v = voirie::resolveParameters(manifest(), {{"threshold", "0.25"}, {"steps", "7"}, {"debug", "true"}});
    ASSERT_TRUE(v.ok()) << v.error();
    EXPECT_EQ(std::get<double>((*v)["threshold"]), 0.25);
    EXPECT_EQ(std::get<int64_t>((*v)["steps"]), 7);
    EXPECT_TRUE(std::get<bool>((*v)["debug"]));
    EXPECT_EQ(std::get<std::string>((*v)["mode"]), "fast");
}

TEST(ResolveParameters, ExplainsEachRefusal)
{
    auto m = manifest();
    auto err = [&](std::map<std::string, std::string> o) {
        auto v = voirie::resolveParameters(m, o);
        EXPECT_FALSE(v.ok());
        return v.ok() ? std::string() : v.error();
    };
    EXPECT_NE(err({{"threshold", "1.5"}}).find("outside its range [0, 1]"), std::string::npos);
    EXPECT_NE(err({{"threshold", "abc"}}).find("must be a number"), std::string::npos);
    EXPECT_NE(err({{"steps", "2.5"}}).find("must be an integer"), std::string::npos);
    EXPECT_NE(err({{"steps", "0"}}).find("outside its range"), std::string::npos);
    EXPECT_NE(err({{"debug", "maybe"}}).find("true or false"), std::string::npos);
    EXPECT_NE(err({{"mode", "slow"}}).find("one of fast, exact"), std::string::npos);
    const std::string unknown = err({{"colour", "red"}});
    EXPECT_NE(unknown.find("no parameter 'colour'"), std::string::npos);
    EXPECT_NE(unknown.find("threshold"), std::string::npos);
}

} // namespace
