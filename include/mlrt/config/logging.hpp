#pragma once
#include "mlrt/export.hpp"
// The process-wide log level, in Python `logging` numbers. A backend whose verbosity is not given
// takes it from this level when it is constructed, as the reference does with
// logger.getEffectiveLevel(). It is the configuration layer's only mutable global.
namespace mlrt::config {

struct LogLevel {
    static constexpr int NOTSET = 0;
    static constexpr int DEBUG = 10;
    static constexpr int INFO = 20;
    static constexpr int WARNING = 30;
    static constexpr int ERROR = 40;
    static constexpr int CRITICAL = 50;
};

// Thread-safe. Default: LogLevel::WARNING, Python's default effective level.
MLRT_API void set_log_level(int level) noexcept;
MLRT_API int get_log_level() noexcept;

}  // namespace mlrt::config
