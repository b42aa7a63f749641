#pragma once
// What the fp16 conversion tests share: the graph builder under short names, conversion
// options, and the models more than one topic converts.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/fp16/fp16.hpp"
#include "engine/onnx_builder.hpp"
#include "support/onnx_inspect.hpp"

namespace mlrt::test::fp16 {

using detail::add_node;
using detail::convert_to_fp16;
using detail::convert_to_fp16_cached;
using detail::default_fp16_blacklist;
using detail::float_tensor;
using detail::Fp16Options;
using detail::half_tensor;
using detail::int64_tensor;
using detail::raw_float_tensor;
using detail::set_float;
using detail::set_graph;
using detail::set_int;
using detail::set_ints;
using detail::set_string;
using detail::set_tensor;
using detail::tensor_info;

inline constexpr std::int32_t kFloat = onnx::TensorProto::FLOAT;
inline constexpr std::int32_t kHalf = onnx::TensorProto::FLOAT16;
inline constexpr std::int32_t kInt64 = onnx::TensorProto::INT64;
inline constexpr std::int32_t kBool = onnx::TensorProto::BOOL;

inline onnx::ModelProto make_model(int opset = 13) {
    return detail::make_model(opset, "mlrt-tests", "test");
}

inline Fp16Options options(std::vector<std::string> blacklist = default_fp16_blacklist(),
                           bool in32 = true, bool out32 = true) {
    Fp16Options o;
    o.blacklist = std::move(blacklist);
    o.input_float32 = in32;
    o.output_float32 = out32;
    return o;
}

// X[1,3,8,8] -> Conv(W[4,3,3,3] float_data, B[4] raw_data, pad 1) -> Relu -> Y[1,4,8,8]
inline onnx::ModelProto conv_relu_model() {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {1, 3, 8, 8});
    std::vector<float> w(4 * 3 * 3 * 3);
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = 0.25f * static_cast<float>(i % 7) - 0.5f;
    *g.add_initializer() = float_tensor("W", {4, 3, 3, 3}, w);
    *g.add_initializer() = raw_float_tensor("B", {4}, {0.5f, -1.0f, 2.0f, 0.125f});
    auto& conv = add_node(g, "Conv", {"X", "W", "B"}, {"conv_out"}, "conv");
    set_ints(conv, "pads", {1, 1, 1, 1});
    set_ints(conv, "kernel_shape", {3, 3});
    add_node(g, "Relu", {"conv_out"}, {"Y"}, "relu");
    *g.add_output() = tensor_info("Y", kFloat, {1, 4, 8, 8});
    return model;
}

// X -> Conv -> Resize(scales) -> Relu -> Y, with Resize in the default blacklist.
inline onnx::ModelProto conv_resize_relu_model() {
    onnx::ModelProto model = make_model();
    auto& g = *model.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {1, 1, 4, 4});
    *g.add_initializer() = float_tensor("W", {1, 1, 1, 1}, {2.0f});
    *g.add_initializer() = float_tensor("scales", {4}, {1.0f, 1.0f, 2.0f, 2.0f});
    add_node(g, "Conv", {"X", "W"}, {"c"}, "conv");
    add_node(g, "Resize", {"c", "", "scales"}, {"r"}, "resize");
    add_node(g, "Relu", {"r"}, {"Y"}, "relu");
    *g.add_output() = tensor_info("Y", kFloat, {1, 1, 8, 8});
    return model;
}

}  // namespace mlrt::test::fp16
