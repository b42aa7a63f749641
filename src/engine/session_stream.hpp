#pragma once
// One stream: an ONNX Runtime session with its own input and output buffers, bound once and
// reused for every tile it runs.
#include <onnxruntime_cxx_api.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "mlrt/frame.hpp"
#include "mlrt/log_severity.hpp"

namespace mlrt::detail {

// A tensor's buffer on a 64-byte boundary, as ONNX Runtime's own allocator aligns: its kernels'
// vector loads and stores take slower paths on a buffer that is not.
struct AlignedDelete {
    void operator()(std::byte* p) const noexcept { ::operator delete[](p, std::align_val_t{64}); }
};
using AlignedBuffer = std::unique_ptr<std::byte[], AlignedDelete>;

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
    // Runs the session on the input buffer, or on `input` where given (the caller's memory, laid
    // out as the input tensor), and writes the output buffer, or `output` where given. Throws
    // mlrt::Error(Runtime) on failure.
    void run(const std::byte* input = nullptr, std::byte* output = nullptr);
    Ort::Session& session() noexcept { return session_; }

  private:
    Ort::Session session_;
    std::string input_name_;
    std::string output_name_;
    TensorShape input_shape_;
    TensorShape output_shape_;
    // Left uninitialised: an idle stream's buffers are never touched, so they cost address
    // space but no resident memory.
    AlignedBuffer input_buffer_;
    AlignedBuffer output_buffer_;
    Ort::Value input_value_{nullptr};
    Ort::Value output_value_{nullptr};
    Ort::IoBinding binding_;
    Ort::RunOptions run_options_;
    std::mutex* device_lock_;  // held around uploads and runs where the device is shared
};

}  // namespace mlrt::detail
