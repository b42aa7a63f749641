#pragma once
// The conversion only ever changes element types, and a float may sit at the bottom of a
// sequence or optional type, so these look through those wrappers.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>

namespace mlrt::detail::fp16 {

inline constexpr std::int32_t kFloat = onnx::TensorProto::FLOAT;
inline constexpr std::int32_t kHalf = onnx::TensorProto::FLOAT16;

// Element type at the bottom of a tensor / sequence / optional type; 0 when unknown.
std::int32_t elem_type(const onnx::TypeProto& type);
void set_elem_type(onnx::TypeProto& type, std::int32_t elem);

// The schema spelling ("seq(tensor(float16))") of `type` once converted to float16.
std::string half_type_string(const onnx::TypeProto& type);

onnx::TypeProto tensor_type(std::int32_t elem);
onnx::TypeProto sequence_of(const onnx::TypeProto& inner);
onnx::TypeProto optional_of(const onnx::TypeProto& inner);

}  // namespace mlrt::detail::fp16
