// set_log_handler: ONNX Runtime's lines reach the handler, as many as the engine's severity lets
// through, and the default comes back when the handler is removed.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "mlrt/engine.hpp"
#include "mlrt/log.hpp"
#include "support/models.hpp"

using namespace mlrt;

namespace {

struct Collected {
    std::mutex mutex;
    std::vector<std::pair<LogSeverity, std::string>> lines;
};

// Installs a collecting handler for one test and puts the previous one back.
class ScopedHandler {
  public:
    explicit ScopedHandler(Collected& into)
        : previous_(set_log_handler([&into](const LogRecord& r) {
              const std::lock_guard lock(into.mutex);
              into.lines.emplace_back(r.severity, std::string(r.message));
          })) {}
    ~ScopedHandler() { set_log_handler(previous_); }
    ScopedHandler(const ScopedHandler&) = delete;
    ScopedHandler& operator=(const ScopedHandler&) = delete;

  private:
    LogHandler previous_;
};

void make_engine(LogSeverity severity) {
    EngineOptions o;
    o.log_severity = severity;
    const Engine e(ModelSource::from_bytes(test::identity_model(3)),
                   {8, 8, SampleType::Float32, {3}}, o);
}

}  // namespace

TEST(Log, HandlerReceivesSessionLinesAtTheEnginesSeverity) {
    Collected verbose;
    {
        const ScopedHandler h(verbose);
        make_engine(LogSeverity::Verbose);
    }
    ASSERT_FALSE(verbose.lines.empty());
    bool below_warning = false;
    for (const auto& [severity, message] : verbose.lines) {
        EXPECT_FALSE(message.empty());
        below_warning = below_warning || severity < LogSeverity::Warning;
    }
    EXPECT_TRUE(below_warning) << "a verbose session logs info or verbose lines";

    Collected fatal;
    {
        const ScopedHandler h(fatal);
        make_engine(LogSeverity::Fatal);
    }
    EXPECT_TRUE(fatal.lines.empty()) << fatal.lines.front().second;
}

TEST(Log, ReplacedHandlerIsNotCalledAgain) {
    Collected first, second;
    const LogHandler previous = set_log_handler([&first](const LogRecord& r) {
        const std::lock_guard lock(first.mutex);
        first.lines.emplace_back(r.severity, std::string(r.message));
    });
    {
        const ScopedHandler h(second);  // replaces `first`, puts it back after
        make_engine(LogSeverity::Verbose);
    }
    const LogHandler restored = set_log_handler(previous);
    EXPECT_TRUE(first.lines.empty());
    EXPECT_FALSE(second.lines.empty());
    EXPECT_TRUE(restored) << "ScopedHandler put the first handler back";
}
