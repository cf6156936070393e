#include "voirie/core/plugin_host/crash_reporter.hpp"

#include <csignal>
#include <cstring>
#include <unistd.h>

namespace voirie {
namespace {

thread_local const std::string* current_activity = nullptr;

void writeRaw(const char* text) { (void)!::write(STDERR_FILENO, text, std::strlen(text)); }

// Async-signal-safe: only write(2) and _exit(2).
void onFatalSignal(int signal)
{
    const char* name = signal == SIGSEGV ? "SIGSEGV, invalid memory access"
                       : signal == SIGBUS ? "SIGBUS"
                       : signal == SIGFPE ? "SIGFPE, arithmetic error"
                       : signal == SIGILL ? "SIGILL, illegal instruction"
                       : signal == SIGABRT ? "SIGABRT, aborted"
                                           : "fatal signal";
    if (const std::string* activity = current_activity) {
        writeRaw("voirie: ");
        writeRaw(activity->c_str());
        writeRaw(" crashed (");
        writeRaw(name);
        writeRaw("); remove or update this plugin. Committed results are safe.\n");
    } else {
        writeRaw("voirie: internal crash (");
        writeRaw(name);
        writeRaw("); please report this with the command you ran.\n");
    }
    ::_exit(1);
}

} // namespace

void installCrashReporter()
{
    static char alternate_stack[64 * 1024]; // so a stack overflow can still be reported
    stack_t stack{};
    stack.ss_sp = alternate_stack;
    stack.ss_size = sizeof(alternate_stack);
    sigaltstack(&stack, nullptr);
    struct sigaction action {};
    action.sa_handler = &onFatalSignal;
    action.sa_flags = SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT})
        sigaction(s, &action, nullptr);
}

CrashActivity::CrashActivity(std::string description)
    : description_(std::move(description)), previous_(current_activity)
{
    current_activity = &description_;
}

CrashActivity::~CrashActivity() { current_activity = previous_; }

} // namespace voirie
