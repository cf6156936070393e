// Turns a crash inside plugin code into one sentence naming the plugin and what it was doing,
// instead of a bare "Segmentation fault". The process still ends (exit code 1): in-process
// plugins cannot be recovered from a crash, but the user learns which one to blame.
#pragma once

#include <string>

namespace voirie {

// Installs handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT. Call once from main().
void installCrashReporter();

// While alive, a crash on this thread is reported as "<description> crashed (<signal>)".
class CrashActivity {
public:
    explicit CrashActivity(std::string description);
    ~CrashActivity();
    CrashActivity(const CrashActivity&) = delete;
    CrashActivity& operator=(const CrashActivity&) = delete;

private:
    std::string description_;
    const std::string* previous_;
};

} // namespace voirie
