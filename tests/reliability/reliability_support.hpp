// What the reliability suites share: a copy of the sample project or survey per test, damage done
// to files, stderr read line by line, and the full-disk hook.
#pragma once

#include "cli_fixtures.hpp"
#include "sample_survey.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <vector>

namespace voirie::test {

#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

// The lines of a command's stderr that are not progress, the skipped-plugin notes or blank.
inline std::vector<std::string> errorLines(const std::string& err)
{
    std::vector<std::string> lines;
    std::stringstream s(err);
    for (std::string line; std::getline(s, line);)
        if (!line.empty() && line.find("skipping a plugin") == std::string::npos)
            lines.push_back(line);
    return lines;
}

// No raw library line reached the user: GDAL's "ERROR 1:", FFmpeg's "[h264 @ ...]".
inline void expectNoLibraryLines(const std::string& err)
{
    EXPECT_EQ(err.find("ERROR 1"), std::string::npos) << err;
    EXPECT_EQ(err.find(" @ 0x"), std::string::npos) << err;
}

// Overwrites `bytes` bytes at `offset` with `value` (or random bytes when value < 0).
inline void damageFile(const std::filesystem::path& p, std::streamoff offset, size_t bytes, int value, unsigned seed = 1)
{
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(offset);
    std::mt19937 rng(seed);
    std::string data(bytes, char(value));
    if (value < 0)
        for (auto& c : data)
            c = char(rng());
    f.write(data.data(), std::streamsize(data.size()));
}

// A command run with a disk that is full after `bytes` bytes written under `folder`.
inline std::string withFullDisk(const std::filesystem::path& folder, long long bytes)
{
    return "env LD_PRELOAD=" + shellQuoted(VOIRIE_TEST_ENOSPC_SHIM) + " VOIRIE_TEST_ENOSPC_DIR=" +
           shellQuoted(std::filesystem::canonical(folder)) + " VOIRIE_TEST_ENOSPC_BYTES=" + std::to_string(bytes) +
           " ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 ";
}

} // namespace voirie::test
