#include "util/interrupt.hpp"

#include <atomic>
#include <csignal>

namespace mlrt::cli {
namespace {

std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the flag is set from a signal handler");

extern "C" void on_sigint(int) {
    if (g_interrupted.exchange(true)) {
        // Second Ctrl-C: the user does not want to wait for the output to be finished.
        std::signal(SIGINT, SIG_DFL);
        std::raise(SIGINT);
    }
}

}  // namespace

void install_interrupt_handler() {
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: blocking reads should return so the reader notices
    sigaction(SIGINT, &sa, nullptr);
    // A closed pipe (e.g. `mlrt run ... - | head -c 100`) should be a write error, not a silent
    // death.
    std::signal(SIGPIPE, SIG_IGN);
}

bool interrupted() noexcept {
    return g_interrupted.load(std::memory_order_relaxed);
}

}  // namespace mlrt::cli
