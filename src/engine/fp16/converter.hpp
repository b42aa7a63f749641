#pragma once
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "engine/fp16/options.hpp"

namespace mlrt::detail {

std::vector<std::string> default_fp16_blacklist();

// Converts `model` in place. Throws mlrt::Error(InvalidModel) naming the node on failure.
void convert_to_fp16(onnx::ModelProto& model, const Fp16Options& options);

}  // namespace mlrt::detail
