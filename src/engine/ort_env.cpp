#include "engine/ort_env.hpp"

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "mlrt/log.hpp"

namespace mlrt {
namespace {

std::mutex& handler_mutex() {
    static std::mutex m;
    return m;
}

// Shared so that a line being handled keeps its handler alive while another is installed.
std::shared_ptr<const LogHandler>& handler_slot() {
    static std::shared_ptr<const LogHandler> slot;
    return slot;
}

std::shared_ptr<const LogHandler> current_handler() {
    const std::lock_guard lock(handler_mutex());
    return handler_slot();
}

char severity_letter(LogSeverity s) {
    switch (s) {
        case LogSeverity::Verbose:
            return 'V';
        case LogSeverity::Info:
            return 'I';
        case LogSeverity::Warning:
            return 'W';
        case LogSeverity::Error:
            return 'E';
        case LogSeverity::Fatal:
            return 'F';
    }
    return '?';
}

// The environment's logging function: every logger ONNX Runtime has (the environment's and each
// session's) ends here, after its own severity filter.
void ORT_API_CALL log_line(void* /*param*/, OrtLoggingLevel level, const char* category,
                           const char* logid, const char* location, const char* message) {
    try {
        const LogRecord record{static_cast<LogSeverity>(static_cast<int>(level)),
                               logid ? logid : "", category ? category : "",
                               location ? location : "", message ? message : ""};
        if (const auto handler = current_handler()) {
            (*handler)(record);
            return;
        }
        // The default: one line on stderr, as ONNX Runtime's own sink writes it.
        const std::string line = std::string("[") + severity_letter(record.severity) + ":" +
                                 std::string(record.category) + ":" + std::string(record.logger) +
                                 ", " + std::string(record.location) + "] " +
                                 std::string(record.message) + "\n";
        std::fputs(line.c_str(), stderr);
    } catch (...) {  // nothing may unwind into ONNX Runtime
    }
}

}  // namespace

LogHandler set_log_handler(LogHandler handler) {
    auto next = handler ? std::make_shared<const LogHandler>(std::move(handler)) : nullptr;
    std::shared_ptr<const LogHandler> previous;
    {
        const std::lock_guard lock(handler_mutex());
        previous = std::exchange(handler_slot(), std::move(next));
    }
    return previous ? *previous : LogHandler{};
}

namespace detail {

Ort::Env& ort_env() {
    // Sessions set their own severity from EngineOptions::log_severity; the environment's level
    // only governs messages logged outside any session. Lines go through log_line, so that
    // set_log_handler can take them.
    static Ort::Env env(ORT_LOGGING_LEVEL_WARNING, "mlrt", &log_line, nullptr);
    return env;
}

}  // namespace detail
}  // namespace mlrt
