#include "model/builtin.hpp"

#include <onnx/onnx_pb.h>

#include "mlrt/error.hpp"

namespace mlrt::cli {
namespace {

void set_io(onnx::ValueInfoProto* v, const std::string& name, int channels, const char* h,
            const char* w) {
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto_DataType_FLOAT);
    auto* s = t->mutable_shape();
    s->add_dim()->set_dim_value(1);
    s->add_dim()->set_dim_value(channels);
    s->add_dim()->set_dim_param(h);
    s->add_dim()->set_dim_param(w);
}

onnx::TensorProto* add_float_init(onnx::GraphProto* g, const std::string& name,
                                  std::initializer_list<std::int64_t> dims,
                                  const std::vector<float>& values) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto_DataType_FLOAT);
    for (auto d : dims) t->add_dims(d);
    for (float v : values) t->add_float_data(v);
    return t;
}

onnx::NodeProto* add_node(onnx::GraphProto* g, const char* op,
                          std::initializer_list<const char*> in,
                          std::initializer_list<const char*> out) {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(std::string(op) + "_" + std::to_string(g->node_size()));
    for (const char* i : in) n->add_input(i);
    for (const char* o : out) n->add_output(o);
    return n;
}

void attr(onnx::NodeProto* n, const char* name, const char* s) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_STRING);
    a->set_s(s);
}

void attr(onnx::NodeProto* n, const char* name, std::int64_t i) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_INT);
    a->set_i(i);
}

void attr_ints(onnx::NodeProto* n, const char* name, std::initializer_list<std::int64_t> v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_INTS);
    for (auto x : v) a->add_ints(x);
}

void build_upscale2x(onnx::GraphProto* g, int channels) {
    add_float_init(g, "scales", {4}, {1.f, 1.f, 2.f, 2.f});
    auto* resize = add_node(g, "Resize", {"input", "", "scales"}, {"upsampled"});
    attr(resize, "mode", "linear");
    attr(resize, "coordinate_transformation_mode", "half_pixel");

    // Edge padding instead of the convolution's zero padding keeps the borders from ringing.
    auto* pads = g->add_initializer();
    pads->set_name("pads");
    pads->set_data_type(onnx::TensorProto_DataType_INT64);
    pads->add_dims(8);
    for (std::int64_t p : {0, 0, 1, 1, 0, 0, 1, 1}) pads->add_int64_data(p);
    auto* pad = add_node(g, "Pad", {"upsampled", "pads"}, {"padded"});
    attr(pad, "mode", "edge");

    // Unsharp-style kernel, one per channel (depthwise): centre 1 + 4a, the 4 neighbours -a.
    constexpr float a = 0.125f;
    std::vector<float> k;
    for (int c = 0; c < channels; ++c)
        for (float v : {0.f, -a, 0.f, -a, 1.f + 4 * a, -a, 0.f, -a, 0.f}) k.push_back(v);
    add_float_init(g, "sharpen", {channels, 1, 3, 3}, k);
    auto* conv = add_node(g, "Conv", {"padded", "sharpen"}, {"sharpened"});
    attr(conv, "group", static_cast<std::int64_t>(channels));
    attr_ints(conv, "kernel_shape", {3, 3});

    add_float_init(g, "lo", {}, {0.f});
    add_float_init(g, "hi", {}, {1.f});
    add_node(g, "Clip", {"sharpened", "lo", "hi"}, {"output"});
}

}  // namespace

BuiltinModel parse_builtin_model(std::string_view kind, int* channels) {
    if (kind == "identity") return BuiltinModel::Identity;
    if (kind == "gray-identity") {
        *channels = 1;
        return BuiltinModel::Identity;
    }
    if (kind == "upscale2x") return BuiltinModel::Upscale2x;
    if (kind == "gray-upscale2x") {
        *channels = 1;
        return BuiltinModel::Upscale2x;
    }
    throw Error(ErrorKind::InvalidArgument,
                "--kind: unknown model kind '" + std::string(kind) +
                    "'; expected identity, gray-identity, upscale2x or gray-upscale2x");
}

std::string build_model(BuiltinModel kind, int channels) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.set_producer_name("mlrt make-model");
    m.add_opset_import()->set_version(13);
    auto* g = m.mutable_graph();
    set_io(g->add_input(), "input", channels, "height", "width");
    switch (kind) {
        case BuiltinModel::Identity:
            g->set_name("identity");
            add_node(g, "Identity", {"input"}, {"output"});
            set_io(g->add_output(), "output", channels, "height", "width");
            break;
        case BuiltinModel::Upscale2x:
            g->set_name("upscale2x");
            build_upscale2x(g, channels);
            set_io(g->add_output(), "output", channels, "height2", "width2");
            break;
    }
    return m.SerializeAsString();
}

}  // namespace mlrt::cli
