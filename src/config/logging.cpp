#include "mlrt/config/logging.hpp"

#include <atomic>

namespace mlrt::config {
namespace {
// The one mutable global of the configuration layer, on purpose: it mirrors Python's logger
// level, which the reference reads whenever a backend is built without a verbosity.
std::atomic<int> g_log_level{LogLevel::WARNING};
}  // namespace

void set_log_level(int level) noexcept {
    g_log_level.store(level, std::memory_order_relaxed);
}
int get_log_level() noexcept {
    return g_log_level.load(std::memory_order_relaxed);
}

}  // namespace mlrt::config
