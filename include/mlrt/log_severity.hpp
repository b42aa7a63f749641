#pragma once
// How much the engine (and ONNX Runtime under it) logs. The values are ONNX Runtime's severity
// levels one to one: Verbose (0) is the most talkative, Fatal (4) the least. The reference's
// Verbosity enum (VERBOSE ... FATAL) is the configuration layer's: mlrt/config/verbosity.hpp.
#include "mlrt/export.hpp"

namespace mlrt {

enum class LogSeverity : int { Verbose = 0, Info = 1, Warning = 2, Error = 3, Fatal = 4 };

MLRT_API const char* to_string(LogSeverity s) noexcept;  // "verbose", "info", ...

}  // namespace mlrt
