#pragma once
// The one place ONNX graphs are assembled by hand: the built-in models, the fp16 converter's
// Casts and the tests' models all go through these, so they agree on how a tensor or an
// attribute is spelled in the protobuf.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mlrt::detail {

// One dimension of a declared shape: a fixed size, or a symbolic name for a dynamic one.
struct Dim {
    // Implicit, so that a shape reads as a list: {1, channels, "height", "width"}.
    Dim(std::int64_t size) : value(size) {}
    Dim(int size) : value(size) {}
    Dim(const char* name) : param(name) {}
    Dim(std::string name) : param(std::move(name)) {}

    std::int64_t value = 0;
    std::string param;  // non-empty: symbolic
};

// IR version 8 with the default domain at `opset`, so ONNX Runtime builds of the last years
// all load it.
onnx::ModelProto make_model(int opset, const std::string& producer, const std::string& graph_name);

// A tensor value; the shape is always present (an empty `dims` declares a scalar).
onnx::ValueInfoProto tensor_info(const std::string& name, std::int32_t elem_type,
                                 const std::vector<Dim>& dims);

onnx::TensorProto float_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                               const std::vector<float>& values);
// The same values as little-endian raw_data, the form most exporters write.
onnx::TensorProto raw_float_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                                   const std::vector<float>& values);
onnx::TensorProto int64_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                               const std::vector<std::int64_t>& values);
// float16 bit patterns, stored in int32_data as the ONNX spec asks.
onnx::TensorProto half_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                              const std::vector<std::uint16_t>& bits);

onnx::TensorProto& add_initializer(onnx::GraphProto& graph, onnx::TensorProto tensor);

// A node outside any graph (for splicing into a rewritten node list). An empty `name` leaves
// the node unnamed.
onnx::NodeProto make_node(const std::string& op, const std::vector<std::string>& inputs,
                          const std::vector<std::string>& outputs, const std::string& name = "");
onnx::NodeProto& add_node(onnx::GraphProto& graph, const std::string& op,
                          const std::vector<std::string>& inputs,
                          const std::vector<std::string>& outputs, const std::string& name = "");
// Named "<op>_<position>" (1-based), which keeps names unique without the caller tracking them.
onnx::NodeProto& add_numbered_node(onnx::GraphProto& graph, const std::string& op,
                                   const std::vector<std::string>& inputs,
                                   const std::vector<std::string>& outputs);

// Attributes are appended, so they keep the order they are set in.
void set_int(onnx::NodeProto& node, const std::string& name, std::int64_t value);
void set_ints(onnx::NodeProto& node, const std::string& name,
              const std::vector<std::int64_t>& values);
void set_float(onnx::NodeProto& node, const std::string& name, float value);
void set_string(onnx::NodeProto& node, const std::string& name, const std::string& value);
void set_tensor(onnx::NodeProto& node, const std::string& name, const onnx::TensorProto& value);
void set_graph(onnx::NodeProto& node, const std::string& name, const onnx::GraphProto& value);

}  // namespace mlrt::detail
