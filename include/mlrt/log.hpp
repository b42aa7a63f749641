#pragma once
// Where ONNX Runtime's log lines go. By default they are written to stderr; a front end can take
// them instead (the Python module hands them to Python's logging). Which lines there are is set
// per engine by EngineOptions::log_severity, and outside any engine at Warning.
#include <functional>
#include <string_view>

#include "mlrt/export.hpp"
#include "mlrt/log_severity.hpp"

namespace mlrt {

struct LogRecord {
    LogSeverity severity = LogSeverity::Warning;
    std::string_view logger;    // ONNX Runtime's log id: "mlrt", or a session's
    std::string_view category;  // ONNX Runtime's category ("onnxruntime")
    std::string_view location;  // where in ONNX Runtime the line comes from
    std::string_view message;
};

// Called on whichever thread ONNX Runtime logs from, possibly on several at once; the views
// live for the call only. It must not throw (what it throws is dropped).
using LogHandler = std::function<void(const LogRecord&)>;

// Installs `handler` for the whole process and returns the previous one; an empty handler puts
// the default (stderr) back. Thread-safe.
MLRT_API LogHandler set_log_handler(LogHandler handler);

}  // namespace mlrt
