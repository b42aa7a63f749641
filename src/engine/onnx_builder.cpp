#include "engine/onnx_builder.hpp"

#include <bit>

namespace mlrt::detail {
namespace {

onnx::AttributeProto& add_attribute(onnx::NodeProto& node, const std::string& name,
                                    onnx::AttributeProto::AttributeType type) {
    onnx::AttributeProto& attr = *node.add_attribute();
    attr.set_name(name);
    attr.set_type(type);
    return attr;
}

void fill_node(onnx::NodeProto& node, const std::string& op, const std::vector<std::string>& inputs,
               const std::vector<std::string>& outputs, const std::string& name) {
    node.set_op_type(op);
    if (!name.empty()) node.set_name(name);
    for (const auto& in : inputs) node.add_input(in);
    for (const auto& out : outputs) node.add_output(out);
}

onnx::TensorProto tensor_header(const std::string& name, std::int32_t data_type,
                                const std::vector<std::int64_t>& dims) {
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(data_type);
    for (auto d : dims) t.add_dims(d);
    return t;
}

}  // namespace

onnx::ModelProto make_model(int opset, const std::string& producer, const std::string& graph_name) {
    onnx::ModelProto model;
    model.set_ir_version(8);
    model.set_producer_name(producer);
    model.add_opset_import()->set_version(opset);
    model.mutable_graph()->set_name(graph_name);
    return model;
}

onnx::ValueInfoProto tensor_info(const std::string& name, std::int32_t elem_type,
                                 const std::vector<Dim>& dims) {
    onnx::ValueInfoProto info;
    info.set_name(name);
    auto* tensor = info.mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(elem_type);
    auto* shape = tensor->mutable_shape();
    for (const Dim& d : dims) {
        auto* dim = shape->add_dim();
        if (d.param.empty())
            dim->set_dim_value(d.value);
        else
            dim->set_dim_param(d.param);
    }
    return info;
}

onnx::TensorProto float_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                               const std::vector<float>& values) {
    onnx::TensorProto t = tensor_header(name, onnx::TensorProto::FLOAT, dims);
    for (float v : values) t.add_float_data(v);
    return t;
}

onnx::TensorProto raw_float_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                                   const std::vector<float>& values) {
    onnx::TensorProto t = tensor_header(name, onnx::TensorProto::FLOAT, dims);
    // raw_data is little-endian by definition, whatever the host is.
    std::string raw;
    raw.reserve(values.size() * 4);
    for (float v : values) {
        const auto bits = std::bit_cast<std::uint32_t>(v);
        for (int i = 0; i < 4; ++i) raw.push_back(static_cast<char>((bits >> (8 * i)) & 0xffu));
    }
    t.set_raw_data(std::move(raw));
    return t;
}

onnx::TensorProto int64_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                               const std::vector<std::int64_t>& values) {
    onnx::TensorProto t = tensor_header(name, onnx::TensorProto::INT64, dims);
    for (auto v : values) t.add_int64_data(v);
    return t;
}

onnx::TensorProto half_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                              const std::vector<std::uint16_t>& bits) {
    onnx::TensorProto t = tensor_header(name, onnx::TensorProto::FLOAT16, dims);
    for (auto b : bits) t.add_int32_data(b);
    return t;
}

onnx::TensorProto& add_initializer(onnx::GraphProto& graph, onnx::TensorProto tensor) {
    onnx::TensorProto& added = *graph.add_initializer();
    added = std::move(tensor);
    return added;
}

onnx::NodeProto make_node(const std::string& op, const std::vector<std::string>& inputs,
                          const std::vector<std::string>& outputs, const std::string& name) {
    onnx::NodeProto node;
    fill_node(node, op, inputs, outputs, name);
    return node;
}

onnx::NodeProto& add_node(onnx::GraphProto& graph, const std::string& op,
                          const std::vector<std::string>& inputs,
                          const std::vector<std::string>& outputs, const std::string& name) {
    onnx::NodeProto& node = *graph.add_node();
    fill_node(node, op, inputs, outputs, name);
    return node;
}

onnx::NodeProto& add_numbered_node(onnx::GraphProto& graph, const std::string& op,
                                   const std::vector<std::string>& inputs,
                                   const std::vector<std::string>& outputs) {
    const std::string name = op + "_" + std::to_string(graph.node_size() + 1);
    return add_node(graph, op, inputs, outputs, name);
}

void set_int(onnx::NodeProto& node, const std::string& name, std::int64_t value) {
    add_attribute(node, name, onnx::AttributeProto::INT).set_i(value);
}

void set_ints(onnx::NodeProto& node, const std::string& name,
              const std::vector<std::int64_t>& values) {
    onnx::AttributeProto& attr = add_attribute(node, name, onnx::AttributeProto::INTS);
    for (auto v : values) attr.add_ints(v);
}

void set_float(onnx::NodeProto& node, const std::string& name, float value) {
    add_attribute(node, name, onnx::AttributeProto::FLOAT).set_f(value);
}

void set_string(onnx::NodeProto& node, const std::string& name, const std::string& value) {
    add_attribute(node, name, onnx::AttributeProto::STRING).set_s(value);
}

void set_tensor(onnx::NodeProto& node, const std::string& name, const onnx::TensorProto& value) {
    *add_attribute(node, name, onnx::AttributeProto::TENSOR).mutable_t() = value;
}

void set_graph(onnx::NodeProto& node, const std::string& name, const onnx::GraphProto& value) {
    *add_attribute(node, name, onnx::AttributeProto::GRAPH).mutable_g() = value;
}

}  // namespace mlrt::detail
