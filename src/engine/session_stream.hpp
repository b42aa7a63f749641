#pragma once
// One stream: an ONNX Runtime session with its own input and output buffers, bound once and
// reused for every tile it runs.
#include <onnxruntime_cxx_api.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mlrt/frame.hpp"
#include "mlrt/log_severity.hpp"

namespace mlrt::detail {

struct TensorShape {
    SampleType type = SampleType::Float32;
    std::vector<std::int64_t> dims;
    std::size_t bytes() const noexcept;
};

class SessionStream {
  public:
    SessionStream(Ort::Session session, const std::string& input_name, const TensorShape& input,
                  const std::string& output_name, const TensorShape& output,
                  LogSeverity run_log_severity, std::mutex* device_lock = nullptr);

    std::byte* input() noexcept { return input_buffer_.get(); }
    const std::byte* output() const noexcept { return output_buffer_.get(); }
    // Runs the session on the input buffer; throws mlrt::Error(Runtime) on failure.
    void run();
    Ort::Session& session() noexcept { return session_; }

  private:
    Ort::Session session_;
    std::string input_name_;
    // Left uninitialised: an idle stream's buffers are never touched, so they cost address
    // space but no resident memory.
    std::unique_ptr<std::byte[]> input_buffer_;
    std::unique_ptr<std::byte[]> output_buffer_;
    Ort::Value input_value_{nullptr};
    Ort::Value output_value_{nullptr};
    Ort::IoBinding binding_;
    Ort::RunOptions run_options_;
    std::mutex* device_lock_;  // held around uploads and runs where the device is shared
};

}  // namespace mlrt::detail
