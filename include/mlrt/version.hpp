#pragma once
// What this build is: mlrt's version, ONNX Runtime's, and the providers that load here.
#include <string>
#include <vector>

#include "mlrt/export.hpp"
#include "mlrt/provider.hpp"
#include "mlrt/webgpu.hpp"

namespace mlrt {

struct RuntimeInfo {
    std::string mlrt_version;
    std::string onnxruntime_version;
    std::vector<std::string> reported_providers;  // what the ONNX Runtime library lists
    std::vector<std::string> loadable_providers;  // what mlrt could actually load here
    AdapterList webgpu;                           // the adapters the WebGPU backend can use
};

MLRT_API const char* version() noexcept;
MLRT_API RuntimeInfo runtime_info();

}  // namespace mlrt
