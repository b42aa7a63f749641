#include "engine/provider_options.hpp"

namespace mlrt::detail {
namespace {

const char* flag(bool on) {
    return on ? "1" : "0";
}

}  // namespace

ProviderOptionSet provider_option_set(const EngineOptions& o) {
    ProviderOptionSet set;
    set.provider = o.provider;
    switch (o.provider) {
        case Provider::CPU:
            set.ort_name = "CPUExecutionProvider";
            break;
        case Provider::CUDA:
            set.ort_name = "CUDAExecutionProvider";
            set.options = {
                {"device_id", std::to_string(o.device_id)},
                {"cudnn_conv_algo_search", o.cuda.cudnn_benchmark ? "EXHAUSTIVE" : "HEURISTIC"},
                {"enable_cuda_graph", flag(o.cuda.use_cuda_graph)},
                // ONNX Runtime enables TF32 by default; the reference keeps it off unless asked.
                {"use_tf32", flag(o.cuda.tf32)},
                {"prefer_nhwc", flag(o.cuda.prefer_nhwc)},
                // Each session's provider has its own compute stream. "1" keeps the copies on
                // that same stream; "0" moves them to separate streams, which ONNX
                // Runtime documents as racy with its arena (onnxruntime#4829, PR #5445), and
                // which upstream vs-mlrt warns against too.
                {"do_copy_in_default_stream", "1"},
                // Tile buffers have a fixed size: growing the arena by powers of two would
                // only waste device memory.
                {"arena_extend_strategy", "kSameAsRequested"},
            };
            break;
        case Provider::DML:
            set.ort_name = "DmlExecutionProvider";
            set.options = {{"device_id", std::to_string(o.device_id)}};
            break;
        case Provider::CoreML:
            set.ort_name = "CoreMLExecutionProvider";
            set.options = {{"ModelFormat", o.coreml_ml_program ? "MLProgram" : "NeuralNetwork"}};
            break;
        case Provider::WebGPU:
            // The adapter is chosen by power preference (engine/webgpu/adapter_choice.hpp);
            // "deviceId" is ONNX Runtime's context number, not an adapter, and stays 0 so that
            // every stream's session shares one device.
            set.ort_name = "WebGpuExecutionProvider";
            set.options = {
                {"powerPreference", o.webgpu.power_preference == PowerPreference::LowPower
                                        ? "low-power"
                                        : "high-performance"},
                {"preferredLayout", o.webgpu.layout == TensorLayout::NCHW ? "NCHW" : "NHWC"},
                // ONNX Runtime validates by default ("basic"), which costs time on every dispatch.
                {"validationMode", o.webgpu.validation ? "basic" : "disabled"},
            };
            break;
    }
    return set;
}

}  // namespace mlrt::detail
