#pragma once
// What the op schemas (and, where they say too little, ONNX Runtime's kernels) allow at each
// port of a node: the conversion may only change a type where the op accepts float16.
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>

#include <string>
#include <unordered_map>
#include <vector>

namespace mlrt::detail::fp16 {

using OpsetMap = std::unordered_map<std::string, int>;  // canonical domain -> opset version
using Param = onnx::OpSchema::FormalParameter;

std::string canonical_domain(const std::string& domain);
bool is_default_domain(const onnx::NodeProto& node);
OpsetMap opset_map(const onnx::ModelProto& model);

// nullptr for ops unknown at the model's opset (custom domains included).
const onnx::OpSchema* find_schema(const onnx::NodeProto& node, const OpsetMap& opsets);
// The formal parameter of port `index`, the last one standing for a variadic tail.
const Param* formal_param(const std::vector<Param>& params, int index);
bool is_type_param(const onnx::OpSchema& schema, const std::string& type_str);
bool accepts(const Param& param, const std::string& type_string);
bool input_binds(const onnx::OpSchema& schema, const std::string& type_param);
// A type parameter shared by the ports of `param`, so one binding holds for all of them
// (not so for heterogeneous variadics such as Loop's loop-carried values).
bool binds(const onnx::OpSchema& schema, const Param* param);

// Inputs ONNX Runtime kernels read as float32 whatever the schema allows (Resize's roi is
// typed T2 but the kernels read it as float).
bool input_must_stay_float(const onnx::NodeProto& node, int index);

// How the precision of a float output is decided when no input type parameter fixes it.
enum class OutputRule {
    Unknown,      // the op derives it some other way: keep the node float32
    ByAttribute,  // an attribute picks it: either precision is free
    FollowsInput  // the *Like ops without dtype: the type of input 0
};

OutputRule attribute_output_rule(const onnx::NodeProto& node);

// Ops whose float32 result can be recomputed exactly by a copy of the node.
bool duplicable(const onnx::NodeProto& node);

}  // namespace mlrt::detail::fp16
