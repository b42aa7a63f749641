#include "support/models.hpp"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <random>

#include "mlrt/frame.hpp"

namespace mlrt::test {
namespace {

using onnx::TensorProto_DataType;
constexpr int kFloat = onnx::TensorProto_DataType_FLOAT;
constexpr int kHalf = onnx::TensorProto_DataType_FLOAT16;

onnx::ModelProto new_model(int opset = 13) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.set_producer_name("mlrt-tests");
    m.add_opset_import()->set_version(opset);
    m.mutable_graph()->set_name("test");
    return m;
}

// dims: 0 means dynamic (named), >0 fixed.
void add_value(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>* list,
               const std::string& name, int type, std::vector<long long> dims) {
    auto* v = list->Add();
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(type);
    auto* shape = t->mutable_shape();
    int sym = 0;
    for (long long d : dims) {
        auto* dim = shape->add_dim();
        if (d > 0)
            dim->set_dim_value(d);
        else
            dim->set_dim_param(name + "_d" + std::to_string(sym++));
    }
}

onnx::NodeProto* add_node(onnx::GraphProto* g, const std::string& op, std::vector<std::string> in,
                          std::vector<std::string> out, const std::string& name = "") {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? op + "_" + std::to_string(g->node_size()) : name);
    for (auto& s : in) n->add_input(s);
    for (auto& s : out) n->add_output(s);
    return n;
}

void add_int_attr(onnx::NodeProto* n, const std::string& name, long long v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
}

void add_ints_attr(onnx::NodeProto* n, const std::string& name, std::vector<long long> v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto x : v) a->add_ints(x);
}

void add_string_attr(onnx::NodeProto* n, const std::string& name, const std::string& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
}

void add_float_tensor(onnx::GraphProto* g, const std::string& name, std::vector<long long> dims,
                      const std::vector<float>& values, bool half) {
    auto* t = g->add_initializer();
    t->set_name(name);
    for (auto d : dims) t->add_dims(d);
    if (half) {
        t->set_data_type(kHalf);
        for (float v : values) t->add_int32_data(mlrt::float_to_half(v));
    } else {
        t->set_data_type(kFloat);
        for (float v : values) t->add_float_data(v);
    }
}

void add_int64_tensor(onnx::GraphProto* g, const std::string& name, std::vector<long long> dims,
                      const std::vector<long long>& values) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto_DataType_INT64);
    for (auto d : dims) t->add_dims(d);
    for (auto v : values) t->add_int64_data(v);
}

}  // namespace

std::string identity_model(int channels, bool float16, int fixed_h, int fixed_w) {
    auto m = new_model();
    auto* g = m.mutable_graph();
    add_node(g, "Identity", {"input"}, {"output"});
    const int type = float16 ? kHalf : kFloat;
    add_value(g->mutable_input(), "input", type, {1, channels, fixed_h, fixed_w});
    add_value(g->mutable_output(), "output", type, {1, channels, fixed_h, fixed_w});
    return m.SerializeAsString();
}

std::string conv_stack_model(const ConvStackSpec& s) {
    auto m = new_model();
    auto* g = m.mutable_graph();
    std::mt19937 rng(s.seed);
    std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
    const int type = s.float16 ? kHalf : kFloat;
    std::string x = "input";
    int c = s.in_channels;
    if (s.space_to_depth) {
        auto* n = add_node(g, "SpaceToDepth", {x}, {"s2d"});
        add_int_attr(n, "blocksize", 2);
        x = "s2d";
        c *= 4;
    }
    const int final_c = s.out_channels * s.scale * s.scale * (s.space_to_depth ? 4 : 1);
    for (int l = 0; l < s.layers; ++l) {
        const int oc = l + 1 == s.layers ? final_c : s.hidden;
        const std::string w = "w" + std::to_string(l), b = "b" + std::to_string(l);
        std::vector<float> wv(static_cast<std::size_t>(oc * c * 9)),
            bv(static_cast<std::size_t>(oc));
        for (auto& v : wv) v = dist(rng) / static_cast<float>(c);
        for (auto& v : bv) v = dist(rng) * 0.1f;
        add_float_tensor(g, w, {oc, c, 3, 3}, wv, s.float16);
        add_float_tensor(g, b, {oc}, bv, s.float16);
        const std::string y = "conv" + std::to_string(l);
        auto* n = add_node(g, "Conv", {x, w, b}, {y});
        add_ints_attr(n, "kernel_shape", {3, 3});
        add_ints_attr(n, "pads", {1, 1, 1, 1});
        x = y;
        if (l + 1 < s.layers) {
            add_node(g, "Relu", {x}, {x + "_relu"});
            x += "_relu";
        }
        c = oc;
    }
    const int total_scale = s.scale * (s.space_to_depth ? 2 : 1);
    if (total_scale > 1) {
        auto* n = add_node(g, "DepthToSpace", {x}, {"output"});
        add_int_attr(n, "blocksize", total_scale);
        add_string_attr(n, "mode", "CRD");
    } else {
        add_node(g, "Identity", {x}, {"output"});
    }
    add_value(g->mutable_input(), "input", type, {1, s.in_channels, s.fixed_h, s.fixed_w});
    add_value(g->mutable_output(), "output", type,
              {1, s.out_channels, s.fixed_h ? s.fixed_h * s.scale : 0,
               s.fixed_w ? s.fixed_w * s.scale : 0});
    return m.SerializeAsString();
}

std::string channel_split_model(int in_channels, int out_channels) {
    auto m = new_model();
    auto* g = m.mutable_graph();
    std::vector<long long> idx;
    for (int k = 0; k < out_channels; ++k) idx.push_back(k % in_channels);
    add_int64_tensor(g, "idx", {out_channels}, idx);
    auto* n = add_node(g, "Gather", {"input", "idx"}, {"output"});
    add_int_attr(n, "axis", 1);
    add_value(g->mutable_input(), "input", kFloat, {1, in_channels, 0, 0});
    add_value(g->mutable_output(), "output", kFloat, {1, out_channels, 0, 0});
    return m.SerializeAsString();
}

std::string nearest_upscale_model(int channels, int scale) {
    auto m = new_model();
    auto* g = m.mutable_graph();
    add_float_tensor(g, "scales", {4}, {1.f, 1.f, float(scale), float(scale)}, false);
    auto* n = add_node(g, "Resize", {"input", "", "scales"}, {"output"});
    add_string_attr(n, "mode", "nearest");
    add_string_attr(n, "nearest_mode", "floor");
    add_string_attr(n, "coordinate_transformation_mode", "asymmetric");
    add_value(g->mutable_input(), "input", kFloat, {1, channels, 0, 0});
    add_value(g->mutable_output(), "output", kFloat, {1, channels, 0, 0});
    return m.SerializeAsString();
}

std::string poison_model(int channels) {
    auto m = new_model();
    auto* g = m.mutable_graph();
    add_float_tensor(g, "table", {2}, {0.f, 0.f}, false);
    auto* r = add_node(g, "ReduceMax", {"input"}, {"max"});
    add_int_attr(r, "keepdims", 1);
    auto* c = add_node(g, "Cast", {"max"}, {"idx"});
    add_int_attr(c, "to", onnx::TensorProto_DataType_INT64);
    add_node(g, "Gather", {"table", "idx"}, {"offset"});
    add_node(g, "Add", {"input", "offset"}, {"output"});
    add_value(g->mutable_input(), "input", kFloat, {1, channels, 0, 0});
    add_value(g->mutable_output(), "output", kFloat, {1, channels, 0, 0});
    return m.SerializeAsString();
}

std::string two_input_model() {
    auto m = new_model();
    auto* g = m.mutable_graph();
    add_node(g, "Add", {"a", "b"}, {"output"});
    add_value(g->mutable_input(), "a", kFloat, {1, 3, 0, 0});
    add_value(g->mutable_input(), "b", kFloat, {1, 3, 0, 0});
    add_value(g->mutable_output(), "output", kFloat, {1, 3, 0, 0});
    return m.SerializeAsString();
}

std::string two_output_model() {
    auto m = new_model();
    auto* g = m.mutable_graph();
    add_node(g, "Identity", {"input"}, {"o1"});
    add_node(g, "Identity", {"input"}, {"o2"});
    add_value(g->mutable_input(), "input", kFloat, {1, 3, 0, 0});
    add_value(g->mutable_output(), "o1", kFloat, {1, 3, 0, 0});
    add_value(g->mutable_output(), "o2", kFloat, {1, 3, 0, 0});
    return m.SerializeAsString();
}

std::string rank3_model() {
    auto m = new_model();
    auto* g = m.mutable_graph();
    add_node(g, "Identity", {"input"}, {"output"});
    add_value(g->mutable_input(), "input", kFloat, {3, 0, 0});
    add_value(g->mutable_output(), "output", kFloat, {3, 0, 0});
    return m.SerializeAsString();
}

std::string int_input_model() {
    auto m = new_model();
    auto* g = m.mutable_graph();
    add_node(g, "Identity", {"input"}, {"output"});
    add_value(g->mutable_input(), "input", onnx::TensorProto_DataType_UINT8, {1, 3, 0, 0});
    add_value(g->mutable_output(), "output", onnx::TensorProto_DataType_UINT8, {1, 3, 0, 0});
    return m.SerializeAsString();
}

std::string batch2_model() {
    auto m = new_model();
    auto* g = m.mutable_graph();
    add_node(g, "Identity", {"input"}, {"output"});
    add_value(g->mutable_input(), "input", kFloat, {2, 3, 0, 0});
    add_value(g->mutable_output(), "output", kFloat, {2, 3, 0, 0});
    return m.SerializeAsString();
}

std::string bad_scale_model() {
    auto m = new_model();
    auto* g = m.mutable_graph();
    add_int64_tensor(g, "starts", {1}, {1});
    add_int64_tensor(g, "ends", {1}, {1LL << 40});
    add_int64_tensor(g, "axes", {1}, {2});
    add_node(g, "Slice", {"input", "starts", "ends", "axes"}, {"output"});
    add_value(g->mutable_input(), "input", kFloat, {1, 3, 0, 0});
    add_value(g->mutable_output(), "output", kFloat, {1, 3, 0, 0});
    return m.SerializeAsString();
}

}  // namespace mlrt::test
