#pragma once
// The reference's Verbosity, with its spellings, and its conversion from Python logging levels.
// The engine's own type is mlrt::LogSeverity; the two have the same values.
#include <string_view>

#include "mlrt/export.hpp"
#include "mlrt/log_severity.hpp"

namespace mlrt::config {

enum class Verbosity : int { VERBOSE = 0, INFO = 1, WARNING = 2, ERROR = 3, FATAL = 4 };

// Python logging level numbers or names -> Verbosity, as the reference's Verbosity.from_logging:
// DEBUG -> VERBOSE, INFO, WARNING, ERROR, CRITICAL -> FATAL, anything else -> WARNING.
MLRT_API Verbosity verbosity_from_logging(int python_logging_level) noexcept;
MLRT_API Verbosity verbosity_from_logging(std::string_view level_name) noexcept;
MLRT_API const char* to_string(Verbosity v) noexcept;

constexpr LogSeverity to_log_severity(Verbosity v) noexcept {
    return static_cast<LogSeverity>(static_cast<int>(v));
}
constexpr Verbosity to_verbosity(LogSeverity s) noexcept {
    return static_cast<Verbosity>(static_cast<int>(s));
}

}  // namespace mlrt::config
