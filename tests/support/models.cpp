#include "support/models.hpp"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <random>

#include "engine/onnx_builder.hpp"
#include "mlrt/frame.hpp"

namespace mlrt::test {
namespace {

using detail::add_initializer;
using detail::add_numbered_node;
using detail::set_int;
using detail::set_ints;
using detail::set_string;

constexpr int kFloat = onnx::TensorProto_DataType_FLOAT;
constexpr int kHalf = onnx::TensorProto_DataType_FLOAT16;

onnx::ModelProto new_model(int opset = 13) {
    return detail::make_model(opset, "mlrt-tests", "test");
}

// dims: 0 means dynamic (named), >0 fixed.
onnx::ValueInfoProto value(const std::string& name, int type,
                           const std::vector<std::int64_t>& dims) {
    std::vector<detail::Dim> shape;
    int sym = 0;
    for (std::int64_t d : dims) {
        if (d > 0)
            shape.emplace_back(d);
        else
            shape.emplace_back(name + "_d" + std::to_string(sym++));
    }
    return detail::tensor_info(name, type, shape);
}

void add_float_tensor(onnx::GraphProto& g, const std::string& name,
                      const std::vector<std::int64_t>& dims, const std::vector<float>& values,
                      bool half) {
    if (!half) {
        add_initializer(g, detail::float_tensor(name, dims, values));
        return;
    }
    std::vector<std::uint16_t> bits;
    bits.reserve(values.size());
    for (float v : values) bits.push_back(mlrt::float_to_half(v));
    add_initializer(g, detail::half_tensor(name, dims, bits));
}

void add_int64_tensor(onnx::GraphProto& g, const std::string& name,
                      const std::vector<std::int64_t>& dims,
                      const std::vector<std::int64_t>& values) {
    add_initializer(g, detail::int64_tensor(name, dims, values));
}

}  // namespace

std::string identity_model(int channels, bool float16, int fixed_h, int fixed_w) {
    auto m = new_model();
    auto& g = *m.mutable_graph();
    add_numbered_node(g, "Identity", {"input"}, {"output"});
    const int type = float16 ? kHalf : kFloat;
    *g.add_input() = value("input", type, {1, channels, fixed_h, fixed_w});
    *g.add_output() = value("output", type, {1, channels, fixed_h, fixed_w});
    return m.SerializeAsString();
}

std::string conv_stack_model(const ConvStackSpec& s) {
    auto m = new_model();
    auto& g = *m.mutable_graph();
    std::mt19937 rng(s.seed);
    std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
    const int type = s.float16 ? kHalf : kFloat;
    std::string x = "input";
    int c = s.in_channels;
    if (s.space_to_depth) {
        auto& n = add_numbered_node(g, "SpaceToDepth", {x}, {"s2d"});
        set_int(n, "blocksize", 2);
        x = "s2d";
        c *= 4;
    }
    const int final_c = s.out_channels * s.scale * s.scale * (s.space_to_depth ? 4 : 1);
    for (int l = 0; l < s.layers; ++l) {
        const int oc = l + 1 == s.layers ? final_c : s.hidden;
        const std::string w = "w" + std::to_string(l), b = "b" + std::to_string(l);
        std::vector<float> wv(static_cast<std::size_t>(oc * c * 9)),
            bv(static_cast<std::size_t>(oc));
        for (auto& v : wv) v = dist(rng) / static_cast<float>(c) * s.weight_scale;
        for (auto& v : bv) v = dist(rng) * 0.1f;
        add_float_tensor(g, w, {oc, c, 3, 3}, wv, s.float16);
        add_float_tensor(g, b, {oc}, bv, s.float16);
        const std::string y = "conv" + std::to_string(l);
        auto& n = add_numbered_node(g, "Conv", {x, w, b}, {y});
        set_ints(n, "kernel_shape", {3, 3});
        set_ints(n, "pads", {1, 1, 1, 1});
        x = y;
        if (l + 1 < s.layers) {
            add_numbered_node(g, "Relu", {x}, {x + "_relu"});
            x += "_relu";
        }
        c = oc;
    }
    const int total_scale = s.scale * (s.space_to_depth ? 2 : 1);
    const bool post = s.gain != 1.f || s.offset != 0.f || s.residual;
    const std::string stacked = post ? std::string("stacked") : std::string("output");
    if (total_scale > 1) {
        auto& n = add_numbered_node(g, "DepthToSpace", {x}, {stacked});
        set_int(n, "blocksize", total_scale);
        set_string(n, "mode", "CRD");
    } else {
        add_numbered_node(g, "Identity", {x}, {stacked});
    }
    if (post) {
        x = stacked;
        if (s.gain != 1.f) {
            add_float_tensor(g, "gain", {}, {s.gain}, s.float16);
            add_numbered_node(g, "Mul", {x, "gain"}, {"gained"});
            x = "gained";
        }
        if (s.offset != 0.f) {
            add_float_tensor(g, "offset", {}, {s.offset}, s.float16);
            add_numbered_node(g, "Add", {x, "offset"}, {"offset_out"});
            x = "offset_out";
        }
        if (s.residual) {
            std::string skip = "input";
            if (s.scale > 1) {
                add_float_tensor(g, "skip_scales", {4}, {1.f, 1.f, float(s.scale), float(s.scale)},
                                 false);
                auto& r = add_numbered_node(g, "Resize", {"input", "", "skip_scales"}, {"skip"});
                set_string(r, "mode", "nearest");
                set_string(r, "nearest_mode", "floor");
                set_string(r, "coordinate_transformation_mode", "asymmetric");
                skip = "skip";
            }
            add_numbered_node(g, "Add", {x, skip}, {"residual_out"});
            x = "residual_out";
        }
        add_numbered_node(g, "Identity", {x}, {"output"});
    }
    *g.add_input() = value("input", type, {1, s.in_channels, s.fixed_h, s.fixed_w});
    *g.add_output() = value("output", type,
                            {1, s.out_channels, s.fixed_h ? s.fixed_h * s.scale : 0,
                             s.fixed_w ? s.fixed_w * s.scale : 0});
    return m.SerializeAsString();
}

namespace {

// Deterministic small weights for the hand-built networks below.
std::vector<float> weights(std::mt19937& rng, std::size_t n, float scale) {
    std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
    std::vector<float> v(n);
    for (auto& x : v) x = dist(rng) * scale;
    return v;
}

std::string conv(onnx::GraphProto& g, std::mt19937& rng, const std::string& x, int in_c, int out_c,
                 int stride, const std::string& name) {
    add_float_tensor(
        g, name + "_w", {out_c, in_c, 3, 3},
        weights(rng, static_cast<std::size_t>(out_c) * static_cast<std::size_t>(in_c) * 9,
                2.f / float(in_c)),
        false);
    add_float_tensor(g, name + "_b", {out_c}, weights(rng, static_cast<std::size_t>(out_c), 0.1f),
                     false);
    auto& n = add_numbered_node(g, "Conv", {x, name + "_w", name + "_b"}, {name});
    set_ints(n, "kernel_shape", {3, 3});
    set_ints(n, "pads", {1, 1, 1, 1});
    set_ints(n, "strides", {stride, stride});
    return name;
}

std::string relu(onnx::GraphProto& g, const std::string& x) {
    add_numbered_node(g, "Relu", {x}, {x + "_relu"});
    return x + "_relu";
}

std::string binary(onnx::GraphProto& g, const char* op, const std::string& a, const std::string& b,
                   const std::string& out) {
    add_numbered_node(g, op, {a, b}, {out});
    return out;
}

std::string slice_channels(onnx::GraphProto& g, const std::string& x, int begin, int end,
                           const std::string& out) {
    add_int64_tensor(g, out + "_starts", {1}, {begin});
    add_int64_tensor(g, out + "_ends", {1}, {end});
    add_int64_tensor(g, out + "_axes", {1}, {1});
    add_numbered_node(g, "Slice", {x, out + "_starts", out + "_ends", out + "_axes"}, {out});
    return out;
}

}  // namespace

std::string unet_model(int in_channels, int out_channels, unsigned seed) {
    auto m = new_model();
    auto& g = *m.mutable_graph();
    std::mt19937 rng(seed);
    constexpr int c = 8;
    const std::string e0 = relu(g, conv(g, rng, "input", in_channels, c, 1, "e0"));
    const std::string e1 = relu(g, conv(g, rng, e0, c, c, 2, "e1"));
    const std::string e2 = relu(g, conv(g, rng, e1, c, c, 2, "e2"));
    const std::string e3 = relu(g, conv(g, rng, e2, c, c, 2, "e3"));
    // Each decoder step doubles the size back and adds the encoder's tensor of that size: the
    // Add fails unless the input is a multiple of 8.
    const auto up = [&](const std::string& x, const std::string& skip, const std::string& name) {
        add_float_tensor(g, name + "_w", {c, c, 2, 2}, weights(rng, std::size_t{c} * c * 4, 0.5f),
                         false);
        auto& n = add_numbered_node(g, "ConvTranspose", {x, name + "_w"}, {name});
        set_ints(n, "kernel_shape", {2, 2});
        set_ints(n, "strides", {2, 2});
        return relu(g, binary(g, "Add", name, skip, name + "_sum"));
    };
    const std::string d2 = up(e3, e2, "d2");
    const std::string d1 = up(d2, e1, "d1");
    const std::string d0 = up(d1, e0, "d0");
    const std::string y = conv(g, rng, d0, c, out_channels, 1, "head");
    add_numbered_node(g, "Identity", {y}, {"output"});
    *g.add_input() = value("input", kFloat, {1, in_channels, 0, 0});
    *g.add_output() = value("output", kFloat, {1, out_channels, 0, 0});
    return m.SerializeAsString();
}

std::string interpolator_model(int planes, unsigned seed) {
    auto m = new_model(16);  // GridSample is opset 16
    auto& g = *m.mutable_graph();
    std::mt19937 rng(seed);
    const std::string a = slice_channels(g, "input", 0, planes, "frame_a");
    const std::string b = slice_channels(g, "input", planes, 2 * planes, "frame_b");
    const std::string t = slice_channels(g, "input", 2 * planes, 2 * planes + 1, "t");
    const std::string ab = slice_channels(g, "input", 0, 2 * planes, "frames");
    // The flow, in GridSample's normalised units, from two convolutions over both frames.
    const std::string h = relu(g, conv(g, rng, ab, 2 * planes, 8, 1, "flow_h"));
    add_numbered_node(g, "Tanh", {conv(g, rng, h, 8, 2, 1, "flow_c")}, {"flow_tanh"});
    add_float_tensor(g, "flow_gain", {}, {0.1f}, false);
    const std::string flow = binary(g, "Mul", "flow_tanh", "flow_gain", "flow");
    // The identity grid, built from the frame itself so any size works: cumulative sums of a
    // plane of ones number the pixels 1..W (1..H), normalised as align_corners=0 wants.
    add_float_tensor(g, "zero", {}, {0.f}, false);
    add_float_tensor(g, "one", {}, {1.f}, false);
    add_float_tensor(g, "two", {}, {2.f}, false);
    const std::string ones = binary(g, "Add", binary(g, "Mul", t, "zero", "t0"), "one", "ones");
    const auto axis_grid = [&](int axis, const std::string& name) {
        add_int64_tensor(g, name + "_axis", {}, {axis});
        add_numbered_node(g, "CumSum", {ones, name + "_axis"}, {name + "_n"});
        auto& r = add_numbered_node(g, "ReduceMax", {name + "_n"}, {name + "_size"});
        set_ints(r, "axes", {axis});
        set_int(r, "keepdims", 1);
        const std::string twice = binary(g, "Mul", name + "_n", "two", name + "_2n");
        const std::string centred = binary(g, "Sub", twice, "one", name + "_2n1");
        const std::string unit = binary(g, "Div", centred, name + "_size", name + "_unit");
        return binary(g, "Sub", unit, "one", name);
    };
    const std::string gx = axis_grid(3, "grid_x");
    const std::string gy = axis_grid(2, "grid_y");
    auto& cat = add_numbered_node(g, "Concat", {gx, gy}, {"base"});
    set_int(cat, "axis", 1);
    const std::string one_minus_t = binary(g, "Sub", "one", t, "one_minus_t");
    const std::string grid_a =
        binary(g, "Add", "base", binary(g, "Mul", flow, t, "flow_a"), "grid_a");
    const std::string grid_b =
        binary(g, "Sub", "base", binary(g, "Mul", flow, one_minus_t, "flow_b"), "grid_b");
    const auto warp = [&](const std::string& frame, const std::string& grid) {
        auto& tr = add_numbered_node(g, "Transpose", {grid}, {grid + "_nhwc"});
        set_ints(tr, "perm", {0, 2, 3, 1});
        auto& gs = add_numbered_node(g, "GridSample", {frame, grid + "_nhwc"}, {frame + "_warped"});
        set_string(gs, "mode", "bilinear");
        set_string(gs, "padding_mode", "border");
        set_int(gs, "align_corners", 0);
        return frame + "_warped";
    };
    const std::string wa = binary(g, "Mul", warp(a, grid_a), one_minus_t, "wa");
    const std::string wb = binary(g, "Mul", warp(b, grid_b), t, "wb");
    binary(g, "Add", wa, wb, "output");
    *g.add_input() = value("input", kFloat, {1, 2 * planes + 1, 0, 0});
    *g.add_output() = value("output", kFloat, {1, planes, 0, 0});
    return m.SerializeAsString();
}

std::string window_partition_model(int channels, int window, int export_size) {
    auto m = new_model();
    auto& g = *m.mutable_graph();
    add_numbered_node(g, "Shape", {"input"}, {"shape"});
    add_int64_tensor(g, "i2", {1}, {2});
    add_int64_tensor(g, "i3", {1}, {3});
    add_int64_tensor(g, "win", {1}, {window});
    add_int64_tensor(g, "head", {2}, {1, channels});
    set_int(add_numbered_node(g, "Gather", {"shape", "i2"}, {"h"}), "axis", 0);
    set_int(add_numbered_node(g, "Gather", {"shape", "i3"}, {"w"}), "axis", 0);
    add_numbered_node(g, "Div", {"h", "win"}, {"rows"});
    add_numbered_node(g, "Div", {"w", "win"}, {"cols"});
    set_int(add_numbered_node(g, "Concat", {"head", "rows", "win", "cols", "win"}, {"grid"}),
            "axis", 0);
    add_numbered_node(g, "Reshape", {"input", "grid"}, {"split"});
    set_ints(add_numbered_node(g, "Transpose", {"split"}, {"windows"}), "perm", {0, 1, 2, 4, 3, 5});
    add_float_tensor(g, "two", {}, {2.f}, false);
    add_numbered_node(g, "Mul", {"windows", "two"}, {"scaled"});
    set_ints(add_numbered_node(g, "Transpose", {"scaled"}, {"joined"}), "perm", {0, 1, 2, 4, 3, 5});
    add_numbered_node(g, "Reshape", {"joined", "shape"}, {"output"});
    *g.add_input() = value("input", kFloat, {1, channels, 0, 0});
    *g.add_output() = value("output", kFloat, {1, channels, export_size, export_size});
    const std::int64_t n = export_size / window;
    *g.add_value_info() = value("split", kFloat, {1, channels, n, window, n, window});
    *g.add_value_info() = value("windows", kFloat, {1, channels, n, n, window, window});
    *g.add_value_info() = value("scaled", kFloat, {1, channels, n, n, window, window});
    *g.add_value_info() = value("joined", kFloat, {1, channels, n, window, n, window});
    return m.SerializeAsString();
}

std::string channel_split_model(int in_channels, int out_channels) {
    auto m = new_model();
    auto& g = *m.mutable_graph();
    std::vector<std::int64_t> idx;
    for (int k = 0; k < out_channels; ++k) idx.push_back(k % in_channels);
    add_int64_tensor(g, "idx", {out_channels}, idx);
    auto& n = add_numbered_node(g, "Gather", {"input", "idx"}, {"output"});
    set_int(n, "axis", 1);
    *g.add_input() = value("input", kFloat, {1, in_channels, 0, 0});
    *g.add_output() = value("output", kFloat, {1, out_channels, 0, 0});
    return m.SerializeAsString();
}

std::string nearest_upscale_model(int channels, int scale) {
    auto m = new_model();
    auto& g = *m.mutable_graph();
    add_float_tensor(g, "scales", {4}, {1.f, 1.f, float(scale), float(scale)}, false);
    auto& n = add_numbered_node(g, "Resize", {"input", "", "scales"}, {"output"});
    set_string(n, "mode", "nearest");
    set_string(n, "nearest_mode", "floor");
    set_string(n, "coordinate_transformation_mode", "asymmetric");
    *g.add_input() = value("input", kFloat, {1, channels, 0, 0});
    *g.add_output() = value("output", kFloat, {1, channels, 0, 0});
    return m.SerializeAsString();
}

std::string poison_model(int channels, float gain) {
    auto m = new_model();
    auto& g = *m.mutable_graph();
    add_float_tensor(g, "table", {2}, {0.f, 0.f}, false);
    auto& r = add_numbered_node(g, "ReduceMax", {"input"}, {"max"});
    set_int(r, "keepdims", 1);
    std::string max = "max";
    if (gain != 1.f) {
        add_float_tensor(g, "gain", {}, {gain}, false);
        max = binary(g, "Mul", "max", "gain", "scaled_max");
    }
    auto& c = add_numbered_node(g, "Cast", {max}, {"idx"});
    set_int(c, "to", onnx::TensorProto_DataType_INT64);
    add_numbered_node(g, "Gather", {"table", "idx"}, {"offset"});
    add_numbered_node(g, "Add", {"input", "offset"}, {"output"});
    *g.add_input() = value("input", kFloat, {1, channels, 0, 0});
    *g.add_output() = value("output", kFloat, {1, channels, 0, 0});
    return m.SerializeAsString();
}

std::string two_input_model() {
    auto m = new_model();
    auto& g = *m.mutable_graph();
    add_numbered_node(g, "Add", {"a", "b"}, {"output"});
    *g.add_input() = value("a", kFloat, {1, 3, 0, 0});
    *g.add_input() = value("b", kFloat, {1, 3, 0, 0});
    *g.add_output() = value("output", kFloat, {1, 3, 0, 0});
    return m.SerializeAsString();
}

std::string two_output_model() {
    auto m = new_model();
    auto& g = *m.mutable_graph();
    add_numbered_node(g, "Identity", {"input"}, {"o1"});
    add_numbered_node(g, "Identity", {"input"}, {"o2"});
    *g.add_input() = value("input", kFloat, {1, 3, 0, 0});
    *g.add_output() = value("o1", kFloat, {1, 3, 0, 0});
    *g.add_output() = value("o2", kFloat, {1, 3, 0, 0});
    return m.SerializeAsString();
}

std::string rank3_model() {
    auto m = new_model();
    auto& g = *m.mutable_graph();
    add_numbered_node(g, "Identity", {"input"}, {"output"});
    *g.add_input() = value("input", kFloat, {3, 0, 0});
    *g.add_output() = value("output", kFloat, {3, 0, 0});
    return m.SerializeAsString();
}

std::string int_input_model() {
    auto m = new_model();
    auto& g = *m.mutable_graph();
    add_numbered_node(g, "Identity", {"input"}, {"output"});
    *g.add_input() = value("input", onnx::TensorProto_DataType_UINT8, {1, 3, 0, 0});
    *g.add_output() = value("output", onnx::TensorProto_DataType_UINT8, {1, 3, 0, 0});
    return m.SerializeAsString();
}

std::string batch2_model() {
    auto m = new_model();
    auto& g = *m.mutable_graph();
    add_numbered_node(g, "Identity", {"input"}, {"output"});
    *g.add_input() = value("input", kFloat, {2, 3, 0, 0});
    *g.add_output() = value("output", kFloat, {2, 3, 0, 0});
    return m.SerializeAsString();
}

std::string bad_scale_model() {
    auto m = new_model();
    auto& g = *m.mutable_graph();
    add_int64_tensor(g, "starts", {1}, {1});
    add_int64_tensor(g, "ends", {1}, {std::int64_t{1} << 40});
    add_int64_tensor(g, "axes", {1}, {2});
    add_numbered_node(g, "Slice", {"input", "starts", "ends", "axes"}, {"output"});
    *g.add_input() = value("input", kFloat, {1, 3, 0, 0});
    *g.add_output() = value("output", kFloat, {1, 3, 0, 0});
    return m.SerializeAsString();
}

}  // namespace mlrt::test
