// AtomicOutput: a finished file appears whole at its path or not at all.
#include "voirie/core/base/atomic_output.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using voirie::AtomicOutput;

class AtomicOutputTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir_ = fs::temp_directory_path() /
               ("voirie-atomic-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override
    {
        fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
        fs::remove_all(dir_);
    }
    static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
    static std::string read(const fs::path& p)
    {
        std::ifstream in(p);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    fs::path dir_;
};

TEST_F(AtomicOutputTest, CommitMovesTheTemporaryIntoPlace)
{
    auto out = AtomicOutput::prepare(dir_ / "survey.gpkg", false);
    ASSERT_TRUE(out) << out.error();
    EXPECT_EQ(out->temporaryPath().parent_path(), dir_);
    EXPECT_EQ(out->temporaryPath().extension(), ".gpkg"); // drivers recognise the format by it
    EXPECT_NE(out->temporaryPath(), out->target());
    write(out->temporaryPath(), "finished");
    EXPECT_FALSE(fs::exists(dir_ / "survey.gpkg")); // nothing at the target before commit
    ASSERT_TRUE(out->commit());
    EXPECT_EQ(read(dir_ / "survey.gpkg"), "finished");
    EXPECT_FALSE(fs::exists(out->temporaryPath()));
}

TEST_F(AtomicOutputTest, WithoutCommitNothingIsLeftBehind)
{
    fs::path temporary;
    {
        auto out = AtomicOutput::prepare(dir_ / "survey.gpkg", false);
        ASSERT_TRUE(out);
        temporary = out->temporaryPath();
        write(temporary, "half");
        write(temporary.string() + "-journal", "journal");
    }
    EXPECT_FALSE(fs::exists(temporary));
    EXPECT_FALSE(fs::exists(temporary.string() + "-journal"));
    EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(AtomicOutputTest, AnExistingFileIsKeptUnlessOverwriteIsAsked)
{
    write(dir_ / "survey.gpkg", "old");
    auto refused = AtomicOutput::prepare(dir_ / "survey.gpkg", false);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("already exists; pass --overwrite"), std::string::npos) << refused.error();
    EXPECT_EQ(read(dir_ / "survey.gpkg"), "old");

    auto out = AtomicOutput::prepare(dir_ / "survey.gpkg", true);
    ASSERT_TRUE(out);
    write(out->temporaryPath(), "new");
    EXPECT_EQ(read(dir_ / "survey.gpkg"), "old"); // the old file stays until the new one is whole
    ASSERT_TRUE(out->commit());
    EXPECT_EQ(read(dir_ / "survey.gpkg"), "new");
}

TEST_F(AtomicOutputTest, AMissingFolderOrAFolderTargetIsAClearError)
{
    auto missing = AtomicOutput::prepare(dir_ / "no-such" / "survey.gpkg", false);
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().find("does not exist"), std::string::npos) << missing.error();
    fs::create_directories(dir_ / "folder");
    auto folder = AtomicOutput::prepare(dir_ / "folder", true);
    ASSERT_FALSE(folder);
    EXPECT_NE(folder.error().find("is a folder"), std::string::npos) << folder.error();
}

TEST_F(AtomicOutputTest, MovedFromOutputOwnsNothing)
{
    auto out = AtomicOutput::prepare(dir_ / "a.json", false);
    ASSERT_TRUE(out);
    write(out->temporaryPath(), "x");
    {
        AtomicOutput moved(std::move(*out));
        EXPECT_TRUE(fs::exists(moved.temporaryPath()));
    } // the moved-to object removes the temporary; the moved-from one must not fail later
    EXPECT_TRUE(fs::is_empty(dir_));
}

} // namespace

namespace {

TEST_F(AtomicOutputTest, WriteThenCommitReplacesThePreviousFileWhole)
{
    const fs::path target = dir_ / "out.bin";
    write(target, "previous");
    auto out = voirie::AtomicOutput::prepare(target, true);
    ASSERT_TRUE(out.ok()) << out.error();
    const std::string content(100000, 'v');
    ASSERT_TRUE(out->write(content).ok());
    EXPECT_EQ(read(target), "previous"); // not before the commit
    ASSERT_TRUE(out->commit().ok());
    EXPECT_EQ(read(target), content);
}

TEST(AtomicOutputFailure, AFullDiskIsNamedAsSuch)
{
    const std::string full = voirie::writeFailure("/tmp/x/report.pdf", ENOSPC);
    EXPECT_EQ(full.rfind("cannot write /tmp/x/report.pdf: the disk is full", 0), 0u) << full;
    EXPECT_NE(voirie::writeFailure("/tmp/x/report.pdf", EROFS).find("read-only"), std::string::npos);
    // Writing into a missing folder fails with a sentence, not a crash.
    EXPECT_FALSE(voirie::writeWholeFile("/nonexistent-folder/a.bin", "x").ok());
}

} // namespace
