#include "mlrt/builtin_models.hpp"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <vector>

#include "engine/onnx_builder.hpp"
#include "mlrt/error.hpp"

namespace mlrt {
namespace {

using detail::add_initializer;
using detail::add_numbered_node;
using detail::float_tensor;
using detail::int64_tensor;
using detail::make_model;
using detail::set_int;
using detail::set_ints;
using detail::set_string;
using detail::tensor_info;

constexpr std::int32_t kFloat = onnx::TensorProto::FLOAT;

void build_upscale2x(onnx::GraphProto& g, int channels) {
    add_initializer(g, float_tensor("scales", {4}, {1.f, 1.f, 2.f, 2.f}));
    auto& resize = add_numbered_node(g, "Resize", {"input", "", "scales"}, {"upsampled"});
    set_string(resize, "mode", "linear");
    set_string(resize, "coordinate_transformation_mode", "half_pixel");

    // Edge padding instead of the convolution's zero padding keeps the borders from ringing.
    add_initializer(g, int64_tensor("pads", {8}, {0, 0, 1, 1, 0, 0, 1, 1}));
    auto& pad = add_numbered_node(g, "Pad", {"upsampled", "pads"}, {"padded"});
    set_string(pad, "mode", "edge");

    // Unsharp-style kernel, one per channel (depthwise): centre 1 + 4a, the 4 neighbours -a.
    constexpr float a = 0.125f;
    std::vector<float> k;
    for (int c = 0; c < channels; ++c)
        for (float v : {0.f, -a, 0.f, -a, 1.f + 4 * a, -a, 0.f, -a, 0.f}) k.push_back(v);
    add_initializer(g, float_tensor("sharpen", {channels, 1, 3, 3}, k));
    auto& conv = add_numbered_node(g, "Conv", {"padded", "sharpen"}, {"sharpened"});
    set_int(conv, "group", channels);
    set_ints(conv, "kernel_shape", {3, 3});

    add_initializer(g, float_tensor("lo", {}, {0.f}));
    add_initializer(g, float_tensor("hi", {}, {1.f}));
    add_numbered_node(g, "Clip", {"sharpened", "lo", "hi"}, {"output"});
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
    const bool upscale = kind == BuiltinModel::Upscale2x;
    onnx::ModelProto m = make_model(13, "mlrt make-model", upscale ? "upscale2x" : "identity");
    auto& g = *m.mutable_graph();
    *g.add_input() = tensor_info("input", kFloat, {1, channels, "height", "width"});
    switch (kind) {
        case BuiltinModel::Identity:
            add_numbered_node(g, "Identity", {"input"}, {"output"});
            *g.add_output() = tensor_info("output", kFloat, {1, channels, "height", "width"});
            break;
        case BuiltinModel::Upscale2x:
            build_upscale2x(g, channels);
            *g.add_output() = tensor_info("output", kFloat, {1, channels, "height2", "width2"});
            break;
    }
    return m.SerializeAsString();
}

}  // namespace mlrt
