#pragma once
// The exact key/value options mlrt hands ONNX Runtime for each execution provider.
#include <string>
#include <utility>
#include <vector>

#include "mlrt/engine.hpp"

namespace mlrt::detail {

using ProviderOptionSet = std::vector<std::pair<std::string, std::string>>;

ProviderOptionSet provider_option_set(const EngineOptions& options);

}  // namespace mlrt::detail
