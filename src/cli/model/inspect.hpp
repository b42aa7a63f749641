#pragma once
// Reading an ONNX file for `mlrt info` and for the checks `mlrt run` makes before building an
// engine: declared inputs and outputs, opsets, operators, and an estimate of the compute.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlrt::cli {

struct TensorInfo {
    std::string name;
    int elem_type = 0;                 // onnx::TensorProto_DataType
    std::vector<std::string> dims;     // a number, a symbolic name, or "?"
    std::vector<std::int64_t> values;  // -1 where not a fixed number
    int channels() const noexcept {
        return values.size() == 4 && values[1] > 0 ? static_cast<int>(values[1]) : -1;
    }
};

struct ModelSummary {
    std::string path;
    std::uintmax_t file_bytes = 0;
    std::int64_t ir_version = 0;
    std::string producer;
    std::vector<std::pair<std::string, std::int64_t>> opsets;  // domain ("" is ai.onnx), version
    std::vector<TensorInfo> inputs;  // graph inputs that are not initializers
    std::vector<TensorInfo> outputs;
    std::map<std::string, int> op_counts;
    std::int64_t parameters = 0;  // elements in initializers
};

// Throws mlrt::Error (Io for a missing file, InvalidModel for one that does not parse).
onnx::ModelProto load_model(const std::string& path);
ModelSummary summarize(const onnx::ModelProto& model, const std::string& path);
const char* elem_type_name(int elem_type) noexcept;

struct ComputeEstimate {
    int probe_width = 0, probe_height = 0;  // the input size the estimate was made at
    std::int64_t out_width = 0, out_height = 0;
    int scale = 0;      // 0 when the output is not a whole multiple of the input
    double flops = 0;   // 2 x multiply-adds of Conv, ConvTranspose, Gemm and MatMul
    int uncounted = 0;  // such nodes whose shapes inference could not tell
};

// Specialises a copy of the model to one probe frame and runs ONNX shape inference on it.
// Empty (with `why`) when inference fails.
std::optional<ComputeEstimate> estimate_compute(const onnx::ModelProto& model, int probe_width,
                                                int probe_height, std::string* why);

}  // namespace mlrt::cli
