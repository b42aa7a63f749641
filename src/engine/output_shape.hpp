#pragma once
// The output dims of one tile, found the cheapest way that works.
#include <onnx/onnx_pb.h>
#include <onnxruntime_cxx_api.h>

#include <string>
#include <vector>

#include "engine/model_prep.hpp"
#include "engine/session_stream.hpp"

namespace mlrt::detail {

// What ONNX Runtime resolved for `session`; else ONNX shape inference on `model` (safe now that
// ONNX Runtime accepted the graph); else one run on a zero tile of `input`. Always 4 positive
// dims; throws mlrt::Error(InvalidModel) naming `name` when none of the three can tell.
std::vector<long long> resolve_output_dims(Ort::Session& session, const onnx::ModelProto& model,
                                           const ModelSignature& sig, const TensorShape& input,
                                           const std::string& name);

}  // namespace mlrt::detail
