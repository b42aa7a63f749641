#include "engine/ort_env.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

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

// The live taps. Reading it costs a lock only while one exists.
struct TapRegistry {
    std::mutex mutex;
    std::vector<detail::SessionLogTap*> taps;
    std::atomic<int> count{0};
};

TapRegistry& taps() {
    static TapRegistry r;
    return r;
}

bool tapped(const char* logid, OrtLoggingLevel level, const char* location, const char* message) {
    auto& r = taps();
    if (r.count.load(std::memory_order_acquire) == 0 || logid == nullptr) return false;
    const std::lock_guard lock(r.mutex);
    for (auto* tap : r.taps)
        if (tap->log_id() == logid)
            return tap->take(static_cast<LogSeverity>(static_cast<int>(level)), location, message);
    return false;
}

std::string next_log_id() {
    static std::atomic<int> serial{0};
    return "mlrt-session-" + std::to_string(++serial);
}

// The environment's logging function: every logger ONNX Runtime has (the environment's and each
// session's) ends here, after its own severity filter.
void ORT_API_CALL log_line(void* /*param*/, OrtLoggingLevel level, const char* category,
                           const char* logid, const char* location, const char* message) {
    try {
        if (tapped(logid, level, location, message)) return;
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

SessionLogTap::SessionLogTap(LogSeverity pass) : log_id_(next_log_id()), pass_(pass) {
    auto& r = taps();
    const std::lock_guard lock(r.mutex);
    r.taps.push_back(this);
    r.count.store(static_cast<int>(r.taps.size()), std::memory_order_release);
}

SessionLogTap::~SessionLogTap() {
    auto& r = taps();
    const std::lock_guard lock(r.mutex);
    r.taps.erase(std::remove(r.taps.begin(), r.taps.end(), this), r.taps.end());
    r.count.store(static_cast<int>(r.taps.size()), std::memory_order_release);
}

std::vector<std::string> SessionLogTap::placement_lines() const {
    const std::lock_guard lock(mutex_);
    return placements_;
}

bool SessionLogTap::take(LogSeverity severity, const char* location, const char* message) {
    const char* m = message ? message : "";
    if (location && std::strstr(location, "VerifyEachNodeIsAssignedToAnEp")) {
        const std::lock_guard lock(mutex_);
        placements_.emplace_back(m);
        return true;
    }
    if (std::strstr(m, "were not assigned to the preferred execution providers")) return true;
    return severity < pass_;
}

Ort::Env& ort_env() {
    // Sessions set their own severity from EngineOptions::log_severity; the environment's level
    // only governs messages logged outside any session. Lines go through log_line, so that
    // set_log_handler can take them.
    static Ort::Env env(ORT_LOGGING_LEVEL_WARNING, "mlrt", &log_line, nullptr);
    return env;
}

}  // namespace detail
}  // namespace mlrt
