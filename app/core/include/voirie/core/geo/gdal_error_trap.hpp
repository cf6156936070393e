// GDAL's own error lines are Voirie's to explain: while a trap is alive, GDAL's messages on this
// thread are collected instead of printed, so that the caller can say what failed in one sentence
// (and recognise a full disk). `voirie --verbose` shows them as they come.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace voirie {

class GdalErrorTrap {
public:
    GdalErrorTrap();
    ~GdalErrorTrap();
    GdalErrorTrap(const GdalErrorTrap&) = delete;
    GdalErrorTrap& operator=(const GdalErrorTrap&) = delete;

    // Failures and fatal errors seen so far (warnings are dropped), oldest first.
    const std::vector<std::string>& errors() const { return errors_; }
    // The most telling error: a full disk first, else the first failure; empty when none.
    std::string reason() const;
    bool sawDiskFull() const;

private:
    void handle(int type, int code, const char* message);
    std::vector<std::string> errors_;
};

// Whether a message from GDAL, SQLite, Qt or the C library says the disk is full.
bool saysDiskFull(const std::string& message);

// A failed GDAL write, in one sentence: "cannot WHAT FILE: the disk is full (N KB free)..." when
// GDAL or SQLite said so (or the disk has next to no room left), else with GDAL's last error.
std::string gdalWriteFailure(const std::string& what, const std::filesystem::path& file);

// Why the last GDAL write failed, for a sentence that names the file itself: "the disk is full"
// when GDAL or SQLite said so, else GDAL's last error.
std::string gdalWriteReason();

// Lets every GDAL message through to stderr as "GDAL: ..." (voirie --verbose); by default the
// command line keeps them out of the user's way.
void setGdalMessagesVerbose(bool verbose);

} // namespace voirie
