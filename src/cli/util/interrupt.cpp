#include "util/interrupt.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>

namespace mlrt::cli {
namespace {

std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the flag is set from a signal handler");

// The partial output's path, read by the handler: a fixed buffer, published by the flag.
char g_partial[4096];
std::atomic<bool> g_partial_set{false};

void say(const char* line) noexcept {
    // write(2) is what a signal handler may call; a short write only shortens the message.
    (void)!write(STDERR_FILENO, line, std::strlen(line));
}

extern "C" void on_interrupt(int) {
    if (!g_interrupted.exchange(true)) {
        say("\nmlrt: interrupting: finishing the frames in flight and the output; interrupt "
            "again to stop now (the output is then removed)\n");
        return;
    }
    // Second interrupt: the user does not want to wait for the output to be finished.
    if (g_partial_set.load() && unlink(g_partial) == 0)
        say("mlrt: stopped; the unfinished output was removed\n");
    else
        say("mlrt: stopped\n");
    _exit(130);
}

}  // namespace

void set_partial_output(const std::string& path) noexcept {
    g_partial_set.store(false);
    if (path.empty() || path.size() >= sizeof g_partial) return;
    std::memcpy(g_partial, path.c_str(), path.size() + 1);
    g_partial_set.store(true);
}

void install_interrupt_handler() {
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: blocking reads should return so the reader notices
    for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaction(s, &sa, nullptr);
    // A closed pipe (e.g. `mlrt run ... - | head -c 100`) should be a write error, not a silent
    // death.
    std::signal(SIGPIPE, SIG_IGN);
}

bool interrupted() noexcept {
    return g_interrupted.load(std::memory_order_relaxed);
}

}  // namespace mlrt::cli
