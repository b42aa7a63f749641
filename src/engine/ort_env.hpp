#pragma once
// The one Ort::Env of the process. ONNX Runtime allows a single environment per process, so
// it is created on first use and shared by every engine.
#include <onnxruntime_cxx_api.h>

namespace mlrt::detail {

Ort::Env& ort_env();

}  // namespace mlrt::detail
