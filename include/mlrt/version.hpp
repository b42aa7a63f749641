#pragma once
#include <string>
#include <vector>

#include "mlrt/engine.hpp"

namespace mlrt {

struct RuntimeInfo {
    std::string mlrt_version;
    std::string onnxruntime_version;
    std::vector<std::string> reported_providers;  // what the ONNX Runtime library lists
    std::vector<std::string> loadable_providers;  // what mlrt could actually load here
};

const char* version() noexcept;
RuntimeInfo runtime_info();

// Whether `p` can be loaded in this process (library present, device reachable). On failure
// `why` (when given) receives ONNX Runtime's reason.
bool provider_loads(Provider p, int device_id = 0, std::string* why = nullptr);
std::vector<Provider> loadable_providers(int device_id = 0);

}  // namespace mlrt
