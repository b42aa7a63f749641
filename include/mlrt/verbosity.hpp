#pragma once
// Log verbosity shared by the engine and the configuration layer. The values match ONNX
// Runtime's severity levels one to one: VERBOSE (0) is the most talkative, FATAL (4) the least.
#include <string_view>

namespace mlrt {

enum class Verbosity : int { VERBOSE = 0, INFO = 1, WARNING = 2, ERROR = 3, FATAL = 4 };

// Python logging level names/numbers -> Verbosity, as the reference's Verbosity.from_logging.
Verbosity verbosity_from_logging(int python_logging_level) noexcept;
Verbosity verbosity_from_logging(std::string_view level_name) noexcept;
const char* to_string(Verbosity v) noexcept;

}  // namespace mlrt
