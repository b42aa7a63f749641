#pragma once
// Every failure of the conversion is the model's fault, so it is one error kind, and the
// message names the node so that the user can blacklist it.
#include <onnx/onnx_pb.h>

#include <string>

namespace mlrt::detail::fp16 {

// Throws mlrt::Error(InvalidModel) with the message prefixed "fp16 conversion: ".
[[noreturn]] void fail(const std::string& message);

// "node 'name' (Op)", or for unnamed nodes the op and the value it produces.
std::string node_label(const onnx::NodeProto& node);

}  // namespace mlrt::detail::fp16
