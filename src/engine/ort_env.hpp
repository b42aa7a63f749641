#pragma once
// The one Ort::Env of the process. ONNX Runtime allows a single environment per process, so
// it is created on first use and shared by every engine.
#include <onnxruntime_cxx_api.h>

#include <mutex>
#include <string>
#include <vector>

#include "mlrt/log_severity.hpp"

namespace mlrt::detail {

Ort::Env& ort_env();

// Takes the log lines of the sessions created with log id `log_id()` while it lives: ONNX
// Runtime says where it placed each node only at verbose level, so such a session logs verbosely
// and the tap keeps the placement lines, drops the other lines below `pass`, and drops ONNX
// Runtime's vague warning that some nodes left the preferred provider (the engine names them).
class SessionLogTap {
  public:
    explicit SessionLogTap(LogSeverity pass);
    ~SessionLogTap();
    SessionLogTap(const SessionLogTap&) = delete;
    SessionLogTap& operator=(const SessionLogTap&) = delete;

    const std::string& log_id() const noexcept { return log_id_; }
    // The "Node placements" lines seen so far, as ONNX Runtime wrote them.
    std::vector<std::string> placement_lines() const;

    // For the environment's logging function: whether the line was taken.
    bool take(LogSeverity severity, const char* location, const char* message);

  private:
    std::string log_id_;
    LogSeverity pass_;
    mutable std::mutex mutex_;
    std::vector<std::string> placements_;
};

}  // namespace mlrt::detail
