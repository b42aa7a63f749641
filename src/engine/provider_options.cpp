#include "engine/provider_options.hpp"

namespace mlrt::detail {

ProviderOptionSet provider_option_set(const EngineOptions& o) {
    switch (o.provider) {
        case Provider::CPU: return {};
        case Provider::CUDA:
            return {{"device_id", std::to_string(o.device_id)},
                    {"cudnn_conv_algo_search", o.cuda.cudnn_benchmark ? "EXHAUSTIVE" : "HEURISTIC"},
                    {"enable_cuda_graph", o.cuda.use_cuda_graph ? "1" : "0"},
                    {"use_tf32", o.cuda.tf32 ? "1" : "0"},
                    {"prefer_nhwc", o.cuda.prefer_nhwc ? "1" : "0"},
                    {"do_copy_in_default_stream", "0"},
                    {"arena_extend_strategy", "kSameAsRequested"}};
        case Provider::DML: return {{"device_id", std::to_string(o.device_id)}};
        case Provider::CoreML: return {{"ModelFormat", o.coreml_ml_program ? "MLProgram" : "NeuralNetwork"}};
    }
    return {};
}

}  // namespace mlrt::detail
