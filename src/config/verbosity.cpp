#include "mlrt/config/verbosity.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "mlrt/config/logging.hpp"

namespace mlrt::config {

// Exact levels only, as the reference's dict lookup: 15 or 35 fall back to WARNING too.
Verbosity verbosity_from_logging(int python_logging_level) noexcept {
    switch (python_logging_level) {
        case LogLevel::DEBUG:
            return Verbosity::VERBOSE;
        case LogLevel::INFO:
            return Verbosity::INFO;
        case LogLevel::WARNING:
            return Verbosity::WARNING;
        case LogLevel::ERROR:
            return Verbosity::ERROR;
        case LogLevel::CRITICAL:
            return Verbosity::FATAL;
        default:
            return Verbosity::WARNING;
    }
}

// Python's level names (and its aliases WARN and FATAL) in any case, or a level number.
Verbosity verbosity_from_logging(std::string_view level_name) noexcept {
    int number = 0;
    const char* end = level_name.data() + level_name.size();
    if (auto [ptr, ec] = std::from_chars(level_name.data(), end, number);
        ec == std::errc{} && ptr == end && !level_name.empty())
        return verbosity_from_logging(number);

    const auto is = [level_name](std::string_view name) {
        return std::ranges::equal(level_name, name, [](char a, char b) {
            return std::toupper(static_cast<unsigned char>(a)) == b;
        });
    };
    if (is("DEBUG")) return Verbosity::VERBOSE;
    if (is("INFO")) return Verbosity::INFO;
    if (is("ERROR")) return Verbosity::ERROR;
    if (is("CRITICAL") || is("FATAL")) return Verbosity::FATAL;
    return Verbosity::WARNING;
}

const char* to_string(Verbosity v) noexcept {
    switch (v) {
        case Verbosity::VERBOSE:
            return "VERBOSE";
        case Verbosity::INFO:
            return "INFO";
        case Verbosity::WARNING:
            return "WARNING";
        case Verbosity::ERROR:
            return "ERROR";
        case Verbosity::FATAL:
            return "FATAL";
    }
    return "UNKNOWN";
}

}  // namespace mlrt::config
