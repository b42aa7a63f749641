#pragma once
// The execution-provider options mlrt hands ONNX Runtime, as plain key/value strings so that
// they can be unit-tested without a GPU. The engine appends them:
//   CUDA:   CreateCUDAProviderOptions, UpdateCUDAProviderOptions(options),
//           SessionOptionsAppendExecutionProvider_CUDA_V2 (each session's provider then
//           creates a compute stream of its own);
//   DML:    SessionOptions::AppendExecutionProvider("DML", options);
//   CoreML: SessionOptions::AppendExecutionProvider("CoreML", options);
//   WebGPU: SessionOptions::AppendExecutionProvider("WebGPU", options);
//   CPU:    nothing to append.
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mlrt/engine.hpp"

namespace mlrt::detail {

struct ProviderOptionSet {
    Provider provider = Provider::CPU;
    // The name ONNX Runtime reports for it in GetAvailableProviders().
    std::string ort_name;
    // In the order they are applied.
    std::vector<std::pair<std::string, std::string>> options;

    std::unordered_map<std::string, std::string> as_map() const {
        return {options.begin(), options.end()};
    }
};

ProviderOptionSet provider_option_set(const EngineOptions& options);

}  // namespace mlrt::detail
