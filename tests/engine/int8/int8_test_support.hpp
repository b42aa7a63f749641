#pragma once
// What the int8 tests share: the graph builder under short names, range tables for a plan,
// models built in code, and calibrating and running the engine on a frame.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/int8/int8.hpp"
#include "engine/int8/quantizer.hpp"
#include "engine/onnx_builder.hpp"
#include "mlrt/engine.hpp"
#include "mlrt/int8.hpp"
#include "support/frames.hpp"
#include "support/models.hpp"
#include "support/onnx_inspect.hpp"

namespace mlrt::test::int8 {

using detail::add_node;
using detail::float_tensor;
using detail::raw_float_tensor;
using detail::set_int;
using detail::set_ints;
using detail::tensor_info;
using detail::int8::plan_quantization;
using detail::int8::quantize;
using detail::int8::QuantizeOptions;
using detail::int8::Range;
using detail::int8::RangeTable;

inline constexpr std::int32_t kFloat = onnx::TensorProto::FLOAT;
inline constexpr std::int32_t kInt8 = onnx::TensorProto::INT8;
inline constexpr std::int32_t kUint8 = onnx::TensorProto::UINT8;
inline constexpr std::int32_t kInt32 = onnx::TensorProto::INT32;

inline QuantizeOptions options(std::vector<std::string> blacklist = {}, bool reduce_range = false) {
    QuantizeOptions o;
    o.blacklist = std::move(blacklist);
    o.reduce_range = reduce_range;
    return o;
}

inline onnx::ModelProto parse(const std::string& bytes) {
    onnx::ModelProto m;
    EXPECT_TRUE(m.ParseFromString(bytes));
    return m;
}

// 3 -> hidden -> ... -> 3 channels, `layers` 3x3 Convs with Relu between (support/models).
inline ConvStackSpec stack_spec(int layers = 4, int hidden = 16, unsigned seed = 1) {
    ConvStackSpec s;
    s.layers = layers;
    s.hidden = hidden;
    s.seed = seed;
    return s;
}

// A range for every tensor the plan (with an empty blacklist) needs.
inline RangeTable ranges_for(const onnx::ModelProto& model, Range r = {-1.0f, 2.0f}) {
    RangeTable t;
    for (const auto& name : plan_quantization(model, {}).tensors) t[name] = r;
    return t;
}

inline onnx::ModelProto make_model(int opset = 13) {
    return detail::make_model(opset, "mlrt-tests", "test");
}

inline std::vector<float> ramp(std::size_t n, float step = 0.01f, float offset = -0.3f) {
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] =
            offset + step * static_cast<float>((i * 7) % 61) + 0.001f * static_cast<float>(i % 5);
    return v;
}

// X[4,K] -> MatMul(W[K,N]) -> Relu -> Y
inline onnx::ModelProto matmul_model(int k = 6, int n = 5) {
    onnx::ModelProto m = make_model();
    auto& g = *m.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {4, k});
    *g.add_initializer() = float_tensor("W", {k, n}, ramp(static_cast<std::size_t>(k * n)));
    add_node(g, "MatMul", {"X", "W"}, {"M"}, "matmul");
    add_node(g, "Relu", {"M"}, {"Y"}, "relu");
    *g.add_output() = tensor_info("Y", kFloat, {4, n});
    return m;
}

// X[4,K] -> Gemm(W, B, transB) -> Relu -> Y[4,N]; W is [N,K] with transB, else [K,N].
inline onnx::ModelProto gemm_model(bool trans_b, int opset = 13, int k = 6, int n = 5) {
    onnx::ModelProto m = make_model(opset);
    auto& g = *m.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {4, k});
    const std::vector<std::int64_t> wdims =
        trans_b ? std::vector<std::int64_t>{n, k} : std::vector<std::int64_t>{k, n};
    *g.add_initializer() = float_tensor("W", wdims, ramp(static_cast<std::size_t>(k * n)));
    *g.add_initializer() = raw_float_tensor("B", {n}, ramp(static_cast<std::size_t>(n), 0.05f));
    auto& gemm = add_node(g, "Gemm", {"X", "W", "B"}, {"G"}, "gemm");
    if (trans_b) set_int(gemm, "transB", 1);
    add_node(g, "Relu", {"G"}, {"Y"}, "relu");
    *g.add_output() = tensor_info("Y", kFloat, {4, n});
    return m;
}

// X[1,4,5,5] -> ConvTranspose(W[4,3,3,3], B[3], stride 2) -> Relu -> Y[1,3,11,11]
inline onnx::ModelProto conv_transpose_model(int opset = 13) {
    onnx::ModelProto m = make_model(opset);
    auto& g = *m.mutable_graph();
    *g.add_input() = tensor_info("X", kFloat, {1, 4, 5, 5});
    *g.add_initializer() = float_tensor("W", {4, 3, 3, 3}, ramp(4 * 3 * 3 * 3));
    *g.add_initializer() = float_tensor("B", {3}, {0.1f, -0.2f, 0.3f});
    auto& ct = add_node(g, "ConvTranspose", {"X", "W", "B"}, {"T"}, "deconv");
    set_ints(ct, "kernel_shape", {3, 3});
    set_ints(ct, "strides", {2, 2});
    add_node(g, "Relu", {"T"}, {"Y"}, "relu");
    *g.add_output() = tensor_info("Y", kFloat, {1, 3, 11, 11});
    return m;
}

inline Frame frame(int w, int h, unsigned seed = 7, SampleType type = SampleType::Float32) {
    return make_frame(w, h, 3, seed, type);
}

inline InputFormat format_of(const Frame& f) {
    return {f.width(), f.height(), f.type(), {f.num_planes()}};
}

// The calibration of `model` on `frames` (each a one-clip frame).
inline std::shared_ptr<const Int8Calibration> calibrate(const std::string& model,
                                                        const std::vector<Frame>& frames,
                                                        const EngineOptions& o = {}) {
    Calibrator c(ModelSource::from_bytes(model), format_of(frames.at(0)), o);
    for (const auto& f : frames) {
        const FrameView v = f.view();
        c.add(std::span<const FrameView>(&v, 1));
    }
    return std::make_shared<const Int8Calibration>(c.finish());
}

inline EngineOptions int8_options(std::shared_ptr<const Int8Calibration> calibration,
                                  const std::filesystem::path& cache_dir,
                                  std::optional<std::vector<std::string>> blacklist = {}) {
    EngineOptions o;
    o.int8 = true;
    o.int8_calibration = std::move(calibration);
    o.int8_blacklist = std::move(blacklist);
    o.fp16_cache_dir = cache_dir;
    o.intra_op_threads = 1;
    return o;
}

inline Frame run(const Engine& e, const Frame& in) {
    const FrameView v = in.view();
    return e.run(std::span<const FrameView>(&v, 1));
}

inline Frame run(const std::string& model, const Frame& in, const EngineOptions& o) {
    Engine e(ModelSource::from_bytes(model), format_of(in), o);
    return run(e, in);
}

// Bitwise equality of two frames' samples.
inline bool identical(const Frame& a, const Frame& b) {
    if (a.width() != b.width() || a.height() != b.height() || a.num_planes() != b.num_planes() ||
        a.type() != b.type())
        return false;
    const auto n = static_cast<std::size_t>(a.width()) * static_cast<std::size_t>(a.height());
    for (int p = 0; p < a.num_planes(); ++p)
        for (std::size_t i = 0; i < n; ++i) {
            const float x = sample(a, p, i), y = sample(b, p, i);
            if (std::memcmp(&x, &y, sizeof x) != 0) return false;
        }
    return true;
}

}  // namespace mlrt::test::int8
