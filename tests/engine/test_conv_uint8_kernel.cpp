// mlrt's uint8 convolution (engine/kernels/conv_uint8) and the rewrite that gives it the float
// Conv of a quantized tensor: the AVX-512 VNNI and portable paths against plain sums over odd
// shapes (channels not a multiple of 4, rows shorter and longer than a pixel block, more than
// 16 output channels, asymmetric pads, a batch); DequantizeLinear -> Conv and DequantizeLinear
// -> LeakyRelu -> Conv in ONNX Runtime against the rewritten graph, within what the 15-bit
// weights and the requantized table can change; the convolutions the rewrite leaves, and why;
// the kernel's refusals at run time.
#include <gtest/gtest.h>
#include <onnxruntime_cxx_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "engine/kernels/conv_uint8.hpp"
#include "engine/kernels/custom_ops.hpp"
#include "engine/kernels/rewrite.hpp"
#include "engine/onnx_builder.hpp"
#include "engine/ort_env.hpp"
#include "kernel_test_support.hpp"

namespace {

using namespace mlrt::detail;
using namespace mlrt::test::kernel_tests;
using kernels::ConvPath;
using kernels::ConvUint8Shape;

std::vector<float> random_floats(std::size_t n, unsigned seed, float lo, float hi) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}

std::size_t count(const ConvUint8Shape& s) {
    return static_cast<std::size_t>(s.batch * s.out_channels * s.out_height() * s.out_width());
}

const char* path_name(ConvPath path) {
    switch (path) {
        case ConvPath::Best:
            return "best";
        case ConvPath::Avx512Vnni:
            return "AVX-512 VNNI";
        case ConvPath::AvxVnni:
            return "AVX-VNNI";
        case ConvPath::Portable:
            return "portable";
    }
    return "?";
}

// The path against the plain sums in double, over odd shapes.
void expect_plain_sums(ConvPath path) {
    std::mt19937 rng(7);
    const std::vector<ConvUint8Shape> shapes{
        // batch, C, H, W, M, kh, kw, pads t, l, b, r
        {1, 5, 6, 13, 12, 3, 3, 1, 1, 1, 1},   // C not a multiple of 4, a row of 12 + 1
        {2, 8, 4, 30, 17, 2, 2, 0, 1, 1, 0},   // 2 blocks of outputs, asymmetric pads
        {1, 256, 3, 7, 12, 2, 2, 1, 1, 0, 0},  // upconv7's last layer, a short row
        {1, 3, 5, 12, 1, 1, 1, 0, 0, 0, 0},    // 1x1, one output, exactly a block
        {1, 4, 9, 40, 48, 3, 3, 2, 0, 0, 3},   // 3 blocks, pads wider than the kernel needs
        {1, 7, 8, 5, 3, 3, 1, 1, 0, 1, 0},     // a 3x1 kernel
        {1, 6, 3, 70, 5, 3, 3, 1, 1, 1, 1},    // 2 registers of pixels per pass, a tail of 6
        {1, 9, 2, 53, 4, 1, 3, 0, 1, 0, 1},    // 3 registers of pixels per pass
        {1, 12, 4, 33, 20, 3, 3, 1, 1, 1, 1},  // 2 passes of 10 outputs
        {1, 6, 3, 37, 2, 3, 3, 1, 1, 1, 1},    // 2 outputs over 2 or 3 registers of pixels
    };
    for (const ConvUint8Shape& s : shapes) {
        const std::string what = "C" + std::to_string(s.channels) + " M" +
                                 std::to_string(s.out_channels) + " " + std::to_string(s.kernel_h) +
                                 "x" + std::to_string(s.kernel_w) + " W" + std::to_string(s.width);
        const auto x = random_bytes(
            static_cast<std::size_t>(s.batch * s.channels * s.height * s.width), rng());
        const std::int64_t per = s.channels * s.kernel_h * s.kernel_w;
        std::vector<std::int16_t> w(static_cast<std::size_t>(s.out_channels * per));
        std::uniform_int_distribution<int> wd(-kernels::kConvWeightMax, kernels::kConvWeightMax);
        for (auto& v : w) v = static_cast<std::int16_t>(wd(rng));
        w[0] = kernels::kConvWeightMax;  // both extremes: the split into bytes at its edges
        w[1] = -kernels::kConvWeightMax;
        const auto w_scale =
            random_floats(static_cast<std::size_t>(s.out_channels), 3, 1e-6f, 1e-5f);
        const auto bias = random_floats(static_cast<std::size_t>(s.out_channels), 4, -2.0f, 2.0f);
        const kernels::Quantization xq{0.013f, 37};
        // The plain sums in double, and the largest magnitude they pass through.
        const std::int64_t oh = s.out_height(), ow = s.out_width();
        std::vector<double> want(count(s)), magnitude(count(s));
        for (std::int64_t n = 0; n < s.batch; ++n)
            for (std::int64_t m = 0; m < s.out_channels; ++m)
                for (std::int64_t i = 0; i < oh; ++i)
                    for (std::int64_t j = 0; j < ow; ++j) {
                        double sum = 0, mag = 0;
                        for (std::int64_t c = 0; c < s.channels; ++c)
                            for (std::int64_t u = 0; u < s.kernel_h; ++u)
                                for (std::int64_t v = 0; v < s.kernel_w; ++v) {
                                    const std::int64_t yi = i + u - s.pad_top;
                                    const std::int64_t xi = j + v - s.pad_left;
                                    if (yi < 0 || yi >= s.height || xi < 0 || xi >= s.width)
                                        continue;
                                    const double d =
                                        double(x[static_cast<std::size_t>(
                                            ((n * s.channels + c) * s.height + yi) * s.width +
                                            xi)]) -
                                        xq.zero_point;
                                    const double p =
                                        d *
                                        w[static_cast<std::size_t>(
                                            ((m * s.channels + c) * s.kernel_h + u) * s.kernel_w +
                                            v)];
                                    sum += p;
                                    mag += std::fabs(p);
                                }
                        const double scale =
                            double(xq.scale) * w_scale[static_cast<std::size_t>(m)];
                        const auto at =
                            static_cast<std::size_t>(((n * s.out_channels + m) * oh + i) * ow + j);
                        want[at] = sum * scale + bias[static_cast<std::size_t>(m)];
                        magnitude[at] = mag * scale + std::fabs(bias[static_cast<std::size_t>(m)]);
                    }
        std::vector<float> got(count(s), std::nanf(""));
        kernels::conv_uint8(x.data(), xq, s, w.data(), w_scale.data(), bias.data(), got.data(),
                            kSerial, path);
        int bad = 0;
        for (std::size_t k = 0; k < got.size(); ++k)
            if (!(std::fabs(got[k] - want[k]) <= 1e-6 * magnitude[k] + 1e-6) && bad++ < 3)
                ADD_FAILURE() << what << " " << path_name(path) << ": output " << k << " is "
                              << got[k] << ", not " << want[k];
        EXPECT_EQ(bad, 0) << what;
    }
}

TEST(ConvUint8Kernel, PortablePathEqualsPlainSums) {
    expect_plain_sums(ConvPath::Portable);
}

TEST(ConvUint8Kernel, Avx512VnniPathEqualsPlainSums) {
    if (!kernels::conv_path_available(ConvPath::Avx512Vnni))
        GTEST_SKIP() << "this CPU has no AVX-512 VNNI";
    expect_plain_sums(ConvPath::Avx512Vnni);
}

TEST(ConvUint8Kernel, AvxVnniPathEqualsPlainSums) {
    if (!kernels::conv_path_available(ConvPath::AvxVnni))
        GTEST_SKIP() << "this CPU has no AVX-VNNI";
    expect_plain_sums(ConvPath::AvxVnni);
}

TEST(ConvUint8Kernel, BestPathEqualsPlainSums) {
    expect_plain_sums(ConvPath::Best);
}

TEST(ConvUint8Kernel, APathThisCpuLacksIsRefusedByName) {
    for (const ConvPath path : {ConvPath::Avx512Vnni, ConvPath::AvxVnni}) {
        if (kernels::conv_path_available(path)) continue;
        const ConvUint8Shape s{};
        const std::vector<std::uint8_t> x(1, 0);
        const std::int16_t w = 1;
        const float one = 1.0f;
        float y = 0.0f;
        try {
            kernels::conv_uint8(x.data(), {1.0f, 0}, s, &w, &one, &one, &y, kSerial, path);
            ADD_FAILURE() << path_name(path) << " ran on a CPU without it";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find("this CPU lacks the instructions"),
                      std::string::npos)
                << e.what();
        }
        return;
    }
    GTEST_SKIP() << "this CPU has every vector path (AVX-512 VNNI and AVX-VNNI)";
}

TEST(ConvUint8Kernel, WeightsKeepFifteenBitsPerOutputChannel) {
    const std::vector<float> w{0.5f,
                               -0.25f,
                               1e-4f,
                               0.0f,
                               /* channel 2: */ -3.0f,
                               2.9999f,
                               0,
                               0,
                               /* channel 3, all zero: */ 0,
                               0,
                               0,
                               0};
    std::vector<float> scales;
    const auto q = kernels::quantize_conv_weights(w, 4, scales);
    ASSERT_EQ(scales.size(), 3u);
    EXPECT_FLOAT_EQ(scales[0], 0.5f / kernels::kConvWeightMax);
    EXPECT_FLOAT_EQ(scales[1], 3.0f / kernels::kConvWeightMax);
    EXPECT_EQ(scales[2], 1.0f);
    EXPECT_EQ(q[0], kernels::kConvWeightMax);
    EXPECT_EQ(q[4], -kernels::kConvWeightMax);
    for (std::size_t k = 0; k < w.size(); ++k)
        EXPECT_LE(std::fabs(q[k] * scales[k / 4] - w[k]), 0.5f * scales[k / 4] * 1.0001f) << k;
    EXPECT_THROW(kernels::quantize_conv_weights(w, 5, scales), std::invalid_argument);
}

struct QuantizedConv {
    std::int64_t channels = 5, out_channels = 7, kernel = 3, height = 9, width = 23;
    std::vector<std::int64_t> pads{1, 1, 1, 1};
    bool leaky =
        false;  // DequantizeLinear -> LeakyRelu(0.1) -> Conv, else DequantizeLinear -> Conv
    float x_scale = 0.02f;
    std::uint8_t x_zero = 60;
};

// X uint8 -> DequantizeLinear [-> LeakyRelu] -> Conv (float weights of both signs, a bias) -> Y.
onnx::ModelProto quantized_conv_model(const QuantizedConv& p) {
    auto m = make_model(13, "mlrt-tests", "quantized-conv");
    auto& g = *m.mutable_graph();
    add_initializer(g, float_tensor("x_scale", {}, {p.x_scale}));
    add_initializer(g, uint8_scalar("x_zero", p.x_zero));
    add_node(g, "DequantizeLinear", {"x", "x_scale", "x_zero"}, {"xf"}, "dq");
    std::string conv_in = "xf";
    if (p.leaky) {
        set_float(add_node(g, "LeakyRelu", {"xf"}, {"act"}, "act"), "alpha", 0.1f);
        conv_in = "act";
    }
    const std::int64_t per = p.channels * p.kernel * p.kernel;
    add_initializer(g, float_tensor("w", {p.out_channels, p.channels, p.kernel, p.kernel},
                                    random_floats(static_cast<std::size_t>(p.out_channels * per),
                                                  11, -0.3f, 0.3f)));
    add_initializer(
        g, float_tensor("b", {p.out_channels},
                        random_floats(static_cast<std::size_t>(p.out_channels), 12, -1.0f, 1.0f)));
    auto& conv = add_node(g, "Conv", {conv_in, "w", "b"}, {"y"}, "conv");
    set_ints(conv, "pads", p.pads);
    *g.add_input() =
        tensor_info("x", onnx::TensorProto_DataType_UINT8, {1, p.channels, p.height, p.width});
    *g.add_output() =
        tensor_info("y", onnx::TensorProto_DataType_FLOAT, {1, p.out_channels, "h", "w"});
    return m;
}

std::vector<float> run_float(const onnx::ModelProto& model, const std::vector<std::uint8_t>& x,
                             const std::vector<std::int64_t>& dims, bool custom) {
    Ort::SessionOptions so;
    so.SetIntraOpNumThreads(2);
    if (custom) so.Add(kernels::custom_op_domain());
    const std::string bytes = model.SerializeAsString();
    Ort::Session s(ort_env(), bytes.data(), bytes.size(), so);
    const auto mem = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault);
    auto input = x;
    Ort::Value in = Ort::Value::CreateTensor<std::uint8_t>(mem, input.data(), input.size(),
                                                           dims.data(), dims.size());
    const char* in_names[] = {"x"};
    const char* out_names[] = {"y"};
    auto out = s.Run(Ort::RunOptions{}, in_names, &in, 1, out_names, 1);
    const float* y = out[0].GetTensorData<float>();
    return {y, y + out[0].GetTensorTypeAndShapeInfo().GetElementCount()};
}

std::vector<std::string> op_types(const onnx::ModelProto& m) {
    std::vector<std::string> ops;
    for (const auto& n : m.graph().node()) ops.push_back(n.op_type());
    return ops;
}

// The rewritten graph against ONNX Runtime's run of the original, each output within `slack`
// times the sum of its weights' magnitudes (what an error of `slack` on every input can move
// it by) plus the 15-bit weights' share.
void expect_rewrite_close(const QuantizedConv& p, float input_slack, const std::string& what) {
    const onnx::ModelProto original = quantized_conv_model(p);
    onnx::ModelProto rewritten = original;
    const auto report = kernels::rewrite_for_cpu_kernels(rewritten, true, true);
    EXPECT_EQ(report.uint8_convs, 1) << what << ": " << kernels::describe(report);
    const std::vector<std::string> want_ops =
        p.leaky ? std::vector<std::string>{kernels::kLookupTable, kernels::kConvUint8}
                : std::vector<std::string>{kernels::kConvUint8};
    EXPECT_EQ(op_types(rewritten), want_ops) << what;
    const std::vector<std::int64_t> dims{1, p.channels, p.height, p.width};
    const auto x = random_bytes(static_cast<std::size_t>(p.channels * p.height * p.width), 5);
    const auto want = run_float(original, x, dims, false);
    const auto got = run_float(rewritten, x, dims, true);
    ASSERT_EQ(got.size(), want.size()) << what;
    const std::int64_t per = p.channels * p.kernel * p.kernel;
    const auto w = random_floats(static_cast<std::size_t>(p.out_channels * per), 11, -0.3f, 0.3f);
    const std::size_t plane = got.size() / static_cast<std::size_t>(p.out_channels);
    double largest_error = 0, error_sum = 0, spread_sum = 0;
    for (std::size_t k = 0; k < got.size(); ++k) {
        const std::size_t m = k / plane;
        double abs_w = 0, largest_w = 0, squared_w = 0;
        for (std::int64_t i = 0; i < per; ++i) {
            const double wi =
                std::fabs(w[m * static_cast<std::size_t>(per) + static_cast<std::size_t>(i)]);
            abs_w += wi;
            squared_w += wi * wi;
            largest_w = std::max(largest_w, wi);
        }
        // Inputs rounded to within +-slack at random move an output by a spread of
        // slack / sqrt(3) times the weights' root sum of squares.
        spread_sum += input_slack / std::sqrt(3.0) * std::sqrt(squared_w);
        const double input_max = 255.0 * p.x_scale;
        const double bound = abs_w * input_slack +
                             double(per) * input_max * 0.5 * largest_w / kernels::kConvWeightMax +
                             1e-5 * (1 + std::fabs(want[k]));
        const double error = std::fabs(double(got[k]) - want[k]);
        largest_error = std::max(largest_error, error);
        error_sum += error;
        ASSERT_LE(error, bound) << what << ": output " << k << " is " << got[k] << ", ONNX Runtime "
                                << want[k];
    }
    // The worst case above is loose; on average, the rounding errors mostly cancel, while a
    // systematic error (a wrong weight split, a skewed table) does not.
    if (input_slack > 0) {
        const auto n = static_cast<double>(got.size());
        EXPECT_LE(error_sum / n, spread_sum / n) << what << ": the mean error";
        ::testing::Test::RecordProperty(what + "_mean_error", std::to_string(error_sum / n));
        ::testing::Test::RecordProperty(what + "_spread", std::to_string(spread_sum / n));
    }
    // Not a vacuous comparison: the outputs span a range far wider than any error allowed.
    const auto [lo, hi] = std::minmax_element(want.begin(), want.end());
    EXPECT_GT(*hi - *lo, 1.0f) << what;
    ::testing::Test::RecordProperty(what + "_largest_error", std::to_string(largest_error));
}

TEST(ConvUint8Kernel, DequantizedConvMatchesOnnxRuntime) {
    QuantizedConv p;
    expect_rewrite_close(p, 0.0f, "3x3, pads 1");
    p.pads = {0, 2, 1, 0};
    p.channels = 16;
    p.out_channels = 20;
    p.kernel = 2;
    expect_rewrite_close(p, 0.0f, "2x2, asymmetric pads, 20 outputs");
}

TEST(ConvUint8Kernel, LeakyReluThenConvMatchesOnnxRuntimeWithinTheRequantizedStep) {
    QuantizedConv p;
    p.leaky = true;
    // The table spans [0.1 * -60, 195] steps of 0.02: requantized to 255 steps, each input moves
    // by at most half a new step.
    const float step = (195.0f + 6.0f) * p.x_scale / 255.0f;
    expect_rewrite_close(p, 0.5f * step * 1.001f, "LeakyRelu");
}

TEST(ConvUint8Kernel, RewriteLeavesWhatItCannotTakeAndSaysWhy) {
    const auto describe_after = [](onnx::ModelProto m, bool allowed = true) {
        const auto report = kernels::rewrite_for_cpu_kernels(m, true, allowed);
        EXPECT_EQ(report.uint8_convs, 0);
        return kernels::describe(report);
    };
    const auto with_attr = [](const std::string& name, const std::vector<std::int64_t>& v) {
        auto m = quantized_conv_model(QuantizedConv{});
        for (auto& n : *m.mutable_graph()->mutable_node())
            if (n.op_type() == "Conv") set_ints(n, name, v);
        return m;
    };
    EXPECT_EQ(describe_after(with_attr("strides", {2, 2})),
              "on ONNX Runtime's float Conv: Conv 'conv': strided");
    EXPECT_EQ(describe_after(with_attr("dilations", {2, 2})),
              "on ONNX Runtime's float Conv: Conv 'conv': dilated");
    auto m = quantized_conv_model(QuantizedConv{});
    for (auto& n : *m.mutable_graph()->mutable_node())
        if (n.op_type() == "Conv") set_string(n, "auto_pad", "SAME_UPPER");
    EXPECT_EQ(describe_after(m), "on ONNX Runtime's float Conv: Conv 'conv': auto_pad SAME_UPPER");
    EXPECT_EQ(describe_after(with_attr("group", {5})),
              "on ONNX Runtime's float Conv: Conv 'conv': grouped");
    QuantizedConv negative_pads;
    negative_pads.pads = {1, 1, -1, 1};
    EXPECT_EQ(describe_after(quantized_conv_model(negative_pads)),
              "on ONNX Runtime's float Conv: Conv 'conv': pads not 4 values of at least 0");
    EXPECT_EQ(describe_after(with_attr("kernel_shape", {3, 2})),
              "on ONNX Runtime's float Conv: Conv 'conv': kernel_shape not the weights'");
    // 7300 channels of 3x3: 65700 products per output, more than int32 sums can take.
    QuantizedConv wide;
    wide.channels = 7300;
    wide.out_channels = 1;
    wide.height = wide.width = 3;
    EXPECT_EQ(describe_after(quantized_conv_model(wide)),
              "on ONNX Runtime's float Conv: Conv 'conv': more than 65536 products per output");
    // Weights and bias the graph computes, or that do not fit the node.
    const auto with_initializer = [](const std::string& name,
                                     const std::function<void(onnx::TensorProto&)>& change) {
        auto model = quantized_conv_model(QuantizedConv{});
        for (auto& t : *model.mutable_graph()->mutable_initializer())
            if (t.name() == name) change(t);
        return model;
    };
    EXPECT_EQ(describe_after(with_initializer("w", [](auto& t) { t.set_name("w_elsewhere"); })),
              "on ONNX Runtime's float Conv: Conv 'conv': weights computed in the graph");
    EXPECT_EQ(describe_after(with_initializer("b", [](auto& t) { t.set_name("b_elsewhere"); })),
              "on ONNX Runtime's float Conv: Conv 'conv': bias not a float32 constant");
    EXPECT_EQ(describe_after(with_initializer("b", [](auto& t) { t.add_float_data(0.5f); })),
              "on ONNX Runtime's float Conv: Conv 'conv': bias not one value per output channel");
    EXPECT_EQ(
        describe_after(with_initializer(
            "w", [](auto& t) { t.set_float_data(0, std::numeric_limits<float>::infinity()); })),
        "on ONNX Runtime's float Conv: Conv 'conv': weights malformed or not finite");
    // Not where the caller does not allow it (a CPU without AVX-512 VNNI).
    EXPECT_EQ(describe_after(quantized_conv_model(QuantizedConv{}), false), "");
    // The LeakyRelu's float output also read elsewhere: the table stays float.
    QuantizedConv leaky;
    leaky.leaky = true;
    m = quantized_conv_model(leaky);
    *m.mutable_graph()->add_output() =
        tensor_info("act", onnx::TensorProto_DataType_FLOAT, {1, 5, 9, 23});
    EXPECT_EQ(describe_after(m),
              "1 PRelu/LeakyRelu node(s) of int8 input on mlrt's lookup kernel (float out); on "
              "ONNX Runtime's float Conv: Conv 'conv': its input has other readers");
    // An int8 convolution (its weights dequantized in the graph) is ONNX Runtime's QLinearConv:
    // nothing to say about it.
    m = quantized_conv_model(QuantizedConv{});
    auto& g = *m.mutable_graph();
    for (auto& t : *g.mutable_initializer())
        if (t.name() == "w") t.set_name("w_source");
    add_node(g, "DequantizeLinear", {"w_source", "x_scale", "x_zero"}, {"w"}, "dq_w");
    auto* nodes = g.mutable_node();
    std::rotate(nodes->begin(), nodes->end() - 1, nodes->end());
    EXPECT_EQ(describe_after(m), "");
}

// A ConvUint8 node built by hand, as no rewrite would: Session::Run's error names the problem.
struct HandBuilt {
    std::int64_t weight_channels = 4;
    std::int16_t weight = 5;
    std::int64_t scales = 2;
    float x_scale = 0.1f;
    std::int64_t kernel = 3;    // square
    bool flat_weights = false;  // [2, C, k*k] instead of [2, C, k, k]
};

std::string conv_run_error(const HandBuilt& h) {
    auto m = make_model(13, "mlrt-tests", "conv-uint8");
    auto* o = m.add_opset_import();
    o->set_domain(kernels::kDomain);
    o->set_version(1);
    auto& g = *m.mutable_graph();
    onnx::TensorProto w;
    w.set_name("w");
    w.set_data_type(onnx::TensorProto_DataType_INT16);
    w.add_dims(2);
    w.add_dims(h.weight_channels);
    if (h.flat_weights) {
        w.add_dims(h.kernel * h.kernel);
    } else {
        w.add_dims(h.kernel);
        w.add_dims(h.kernel);
    }
    const std::vector<std::int16_t> values(
        static_cast<std::size_t>(2 * h.weight_channels * h.kernel * h.kernel), h.weight);
    w.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * 2));
    add_initializer(g, w);
    add_initializer(g, float_tensor("s", {h.scales},
                                    std::vector<float>(static_cast<std::size_t>(h.scales), 1.0f)));
    add_initializer(g, float_tensor("b", {2}, {0.0f, 0.0f}));
    auto& n = add_node(g, kernels::kConvUint8, {"x", "w", "s", "b"}, {"y"}, "k");
    n.set_domain(kernels::kDomain);
    set_float(n, "x_scale", h.x_scale);
    set_int(n, "x_zero_point", 3);
    set_ints(n, "pads", {1, 1, 1, 1});
    *g.add_input() = tensor_info("x", onnx::TensorProto_DataType_UINT8, {1, 4, 8, 8});
    *g.add_output() = tensor_info("y", onnx::TensorProto_DataType_FLOAT, {1, 2, 8, 8});
    try {
        const std::vector<std::uint8_t> x(4 * 8 * 8, 9);
        const auto y = run_float(m, x, {1, 4, 8, 8}, true);
        // The control: every output is 9 - 3 = 6 times the weights it covers.
        return std::fabs(y[9] - 0.1f * 6 * h.weight * 36) < 1e-3f ? "(ran)" : "(ran, wrong)";
    } catch (const Ort::Exception& e) {
        return e.what();
    }
}

TEST(ConvUint8Kernel, KernelRefusesBadInputsAtRunTimeByName) {
    const auto expect = [](const std::string& got, const std::string& want) {
        EXPECT_NE(got.find(want), std::string::npos) << got;
    };
    EXPECT_EQ(conv_run_error({}), "(ran)");
    expect(conv_run_error({.weight_channels = 3}),
           "mlrt ConvUint8: the input's 4 channels are not the weights' 3");
    expect(conv_run_error({.weight = -32767}), "mlrt ConvUint8: weights outside +-32639");
    expect(conv_run_error({.scales = 3}),
           "mlrt ConvUint8: w_scale and B must hold one value per output");
    expect(conv_run_error({.x_scale = -1.0f}), "x_scale must be positive");
    expect(conv_run_error({.flat_weights = true}),
           "mlrt ConvUint8: input and weights must be 4-D (NCHW)");
    // 8 rows padded by 1 on each side are 10, fewer than the kernel's 11.
    expect(conv_run_error({.kernel = 11}),
           "mlrt ConvUint8: the kernel is larger than the padded input");
}

}  // namespace
