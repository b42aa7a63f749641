#pragma once
// What a model file is, without building an engine: declared inputs and outputs, opsets,
// operators, parameters, and an estimate of the compute per frame. For `mlrt info`, and for
// front ends that must know a model's planes before they set up their frames.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mlrt/export.hpp"
#include "mlrt/model_source.hpp"

namespace mlrt {

struct TensorDescription {
    std::string name;
    std::string type;                  // "float32", "float16", "int64", ..., "other"
    std::vector<std::string> dims;     // a number, a symbolic name, or "?"
    std::vector<std::int64_t> values;  // -1 where not a fixed number
    int channels() const noexcept {
        return values.size() == 4 && values[1] > 0 ? static_cast<int>(values[1]) : -1;
    }
};

struct ModelDescription {
    std::string source;  // the path, or the label given to bytes
    std::uintmax_t model_bytes = 0;
    std::int64_t ir_version = 0;
    std::string producer;
    std::vector<std::pair<std::string, std::int64_t>> opsets;  // domain ("" is ai.onnx), version
    std::vector<TensorDescription> inputs;  // graph inputs that are not initializers
    std::vector<TensorDescription> outputs;
    std::map<std::string, int> op_counts;
    std::int64_t parameters = 0;  // elements in initializers
};

struct ComputeEstimate {
    int probe_width = 0, probe_height = 0;  // the input size the estimate was made at
    std::int64_t out_width = 0, out_height = 0;
    int scale = 0;      // 0 when the output is not a whole multiple of the input
    double flops = 0;   // 2 x multiply-adds of Conv, ConvTranspose, Gemm and MatMul
    int uncounted = 0;  // such nodes whose shapes inference could not tell
    // Memory for one run at the probe size, at 4 bytes a sample (conservative for float16):
    // the most bytes of intermediate tensors alive at once, walking the graph in order, plus the
    // im2col workspace of the convolution running then (ONNX Runtime's CPU Conv unrolls its
    // input); and the weights. Tensors whose shapes inference could not tell count as the
    // largest known one, so a partly inferred graph is not underestimated.
    std::int64_t peak_activation_bytes = 0;
    std::int64_t weight_bytes = 0;
};

// Reads and parses the model once. Throws mlrt::Error (Io for a missing or unreadable file,
// InvalidModel for bytes that are not an ONNX model).
MLRT_API ModelDescription describe_model(const ModelSource& source);

// The model's compute at one input size. ONNX Runtime must accept the model first (ONNX's own
// shape inference is not safe on graphs it rejects); then ONNX shape inference runs on a copy
// with the input pinned to the probe size. Empty, with the reason in `why`, when either fails.
MLRT_API std::optional<ComputeEstimate> estimate_compute(const ModelSource& source, int probe_width,
                                                         int probe_height, std::string* why);

}  // namespace mlrt
