#pragma once
// Helpers shared by the configuration tests.
#include <functional>
#include <string>

#include "mlrt/config/logging.hpp"
#include "mlrt/error.hpp"

namespace mlrt::test {

// Sets the process log level for one test and puts the previous one back.
class ScopedLogLevel {
  public:
    explicit ScopedLogLevel(int level) : previous_(config::get_log_level()) {
        config::set_log_level(level);
    }
    ~ScopedLogLevel() { config::set_log_level(previous_); }
    ScopedLogLevel(const ScopedLogLevel&) = delete;
    ScopedLogLevel& operator=(const ScopedLogLevel&) = delete;

  private:
    int previous_;
};

// The message of the mlrt::Error `f` throws with kind `kind`, or a marker saying what happened.
inline std::string error_of(const std::function<void()>& f,
                            ErrorKind kind = ErrorKind::InvalidArgument) {
    try {
        f();
    } catch (const Error& e) {
        if (e.kind() != kind)
            return std::string("<wrong kind: ") + to_string(e.kind()) + "> " + e.what();
        return e.what();
    } catch (const std::exception& e) {
        return std::string("<not an mlrt::Error> ") + e.what();
    }
    return "<no error>";
}

}  // namespace mlrt::test
