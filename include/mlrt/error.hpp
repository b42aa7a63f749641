#pragma once
// Every error mlrt reports crosses the API boundary as mlrt::Error: one type, a category to
// branch on, and a message that names the argument, node or file at fault.
#include <stdexcept>
#include <string>

#include "mlrt/export.hpp"

namespace mlrt {

enum class ErrorKind {
    InvalidArgument,  // a caller-supplied option or frame is unusable
    InvalidModel,     // the ONNX model cannot be used as asked
    Provider,         // an execution provider cannot be loaded or configured
    Runtime,          // ONNX Runtime failed while running
    Io,               // reading or writing a file or stream failed
};

MLRT_API const char* to_string(ErrorKind kind) noexcept;

// Exported whole, so that its type information is one across the library boundary and a
// front end's catch (const mlrt::Error&) sees what the library throws.
class MLRT_API Error : public std::runtime_error {
  public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const noexcept { return kind_; }

  private:
    ErrorKind kind_;
};

}  // namespace mlrt
