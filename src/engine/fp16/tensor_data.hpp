#pragma once
// Float tensor payloads in both of ONNX's encodings (float_data, little-endian raw_data), and
// their rewrite to float16.
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace mlrt::detail::fp16 {

// Data in an external file cannot be read or rewritten here.
bool is_external(const onnx::TensorProto& t);

// Catches the malformed float tensors up front so the rewrite itself cannot fail half way.
void check_float_tensor(const onnx::TensorProto& t, const std::string& what);

std::vector<float> float_values(const onnx::TensorProto& t);

// A float32 tensor becomes float16 raw_data, rounded to nearest even; other types are kept.
void tensor_to_half(onnx::TensorProto& t);

// An unnamed float16 tensor of `values`: rank 0 when `scalar`, else 1-D.
onnx::TensorProto half_constant(const std::vector<float>& values, bool scalar);

}  // namespace mlrt::detail::fp16
