#pragma once
// The ONNX Runtime execution providers mlrt can drive, and which of them load here.
#include <string>
#include <string_view>
#include <vector>

#include "mlrt/export.hpp"

namespace mlrt {

// WebGPU is ONNX Runtime's WebGPU provider (Dawn over Vulkan, D3D12 or Metal): any vendor's GPU
// through its ordinary graphics driver.
enum class Provider { CPU, CUDA, DML, CoreML, WebGPU };
MLRT_API const char* to_string(Provider p) noexcept;  // "CPU", "CUDA", "DML", "COREML", "WEBGPU"
// Accepts "", "CPU", "CUDA", "DML", "COREML", "WEBGPU" in any case ("" is CPU). Throws mlrt::Error.
MLRT_API Provider parse_provider(std::string_view name);

// Whether `p` can be loaded in this process (library present, device reachable). On failure
// `why` (when given) receives ONNX Runtime's reason.
MLRT_API bool provider_loads(Provider p, int device_id = 0, std::string* why = nullptr);
MLRT_API std::vector<Provider> loadable_providers(int device_id = 0);

// Every provider mlrt knows, in the order messages list them.
inline constexpr Provider kAllProviders[] = {Provider::CPU, Provider::CUDA, Provider::DML,
                                             Provider::CoreML, Provider::WebGPU};

}  // namespace mlrt
