#pragma once
// Turns the user's ONNX model into the graph the sessions run: parsed, checked against the
// frames it will see, optionally converted to float16, with its input fixed to the tile size.
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "mlrt/engine.hpp"

namespace mlrt::detail {

// A tensor's declared shape; -1 marks a dynamic dimension.
struct TensorSignature {
    std::string name;
    int elem_type = 0;  // onnx::TensorProto_DataType
    std::vector<long long> dims;
};

struct ModelSignature {
    TensorSignature input;
    TensorSignature output;
};

std::string read_model_bytes(const ModelSource& source);
// `bytes` as read once from `source` (named in messages): everything after works on this copy,
// so a file changing on disk during a load cannot mix two versions.
onnx::ModelProto parse_model(const std::string& bytes, const ModelSource& source);

// Checks the one-input/one-output 4-D contract; `source` names the model in messages.
ModelSignature model_signature(const onnx::ModelProto& model, const std::string& source);

// The size granularity the model needs: the deepest downsampling (strided Conv/pool,
// SpaceToDepth) on any path from the input, else 1.
int size_multiple(const onnx::ModelProto& model);

// Fixes the input to [1, channels, height, width]. Shapes recorded for another input size go:
// the intermediate tensors' value_info (exporters write the sizes they traced at) and concrete
// output height and width, which ONNX Runtime then infers from the new input instead of merging
// stale ones.
void specialise_input(onnx::ModelProto& model, int channels, int height, int width);

// The output dims ONNX shape inference derives (-1 where it cannot tell; empty on failure, with
// the node-naming message in `error`). Only for models ONNX Runtime has already accepted: ONNX
// 1.12's inference can crash on malformed graphs.
std::vector<long long> inferred_output_dims(const onnx::ModelProto& model, std::string* error);

SampleType sample_type_of(int onnx_elem_type, const std::string& what);

}  // namespace mlrt::detail
