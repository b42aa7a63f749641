// mlrt's lookup kernel (engine/kernels/lookup) and the rewrite that gives it the quantized PRelu
// nodes: the AVX-512 VBMI and portable paths against a plain reference; DequantizeLinear ->
// PRelu -> QuantizeLinear (and DequantizeLinear -> PRelu) in ONNX Runtime against the rewritten
// graph, exactly, for every input byte and slopes of both signs, zero and above 1; the nodes the
// rewrite leaves, and why; and on the shared SRVGG model, the int8 graph keeps no
// DequantizeLinear -> PRelu -> QuantizeLinear and the engine's output is the same with and
// without mlrt's kernels.
#include <gtest/gtest.h>
#include <onnxruntime_cxx_api.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/int8/quantizer.hpp"
#include "engine/kernels/conv_uint8.hpp"
#include "engine/kernels/custom_ops.hpp"
#include "engine/kernels/lookup.hpp"
#include "engine/kernels/rewrite.hpp"
#include "engine/onnx_builder.hpp"
#include "engine/ort_env.hpp"
#include "int8/int8_test_support.hpp"
#include "kernel_test_support.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace mlrt::detail;
using namespace mlrt::test::kernel_tests;
using kernels::LookupPath;
using kernels::LookupShape;

TEST(LookupKernel, BothPathsEqualThePlainTableForEveryLayout) {
    // Runs shorter than, equal to and longer than a 64-byte vector, one table or one per
    // channel, channel-major (NCHW) and channel-minor (NHWC: inner 1).
    for (const LookupShape shape :
         {LookupShape{1, 3, 1000}, LookupShape{2, 5, 65}, LookupShape{1, 4, 64},
          LookupShape{3, 2, 63}, LookupShape{1, 1, 7}, LookupShape{50, 16, 1},
          LookupShape{7, 3, 5}}) {
        for (const std::int64_t rows : {std::int64_t{1}, shape.channels}) {
            const auto n = static_cast<std::size_t>(shape.outer * shape.channels * shape.inner);
            const auto x = random_bytes(n, 3);
            const auto table = random_bytes(static_cast<std::size_t>(rows) * 256, 5);
            std::vector<std::uint8_t> want(n);
            for (std::size_t i = 0; i < n; ++i) {
                const auto c = static_cast<std::int64_t>(i) / shape.inner % shape.channels;
                want[i] = table[static_cast<std::size_t>((rows == 1 ? 0 : c) * 256) + x[i]];
            }
            for (const LookupPath path : {LookupPath::Best, LookupPath::Portable}) {
                std::vector<std::uint8_t> got(n, 0);
                kernels::lookup(x.data(), got.data(), shape, table.data(), rows, kSerial, path);
                EXPECT_EQ(got, want)
                    << shape.outer << "x" << shape.channels << "x" << shape.inner << " rows "
                    << rows << (path == LookupPath::Best ? " best" : " portable");
            }
            std::vector<float> ftable(table.begin(), table.end()), fgot(n);
            kernels::lookup(x.data(), fgot.data(), shape, ftable.data(), rows, kSerial);
            EXPECT_TRUE(std::equal(fgot.begin(), fgot.end(), want.begin()));
        }
    }
}

struct QdqPrelu {
    std::vector<std::int64_t> slope_dims{4, 1, 1};
    std::vector<float> slopes{0.25f, -0.5f, 0.0f, 1.75f};
    float in_scale = 0.0173f;
    std::uint8_t in_zero = 131;
    float out_scale = 0.0121f;
    std::uint8_t out_zero = 97;
    bool requantize = true;  // else the PRelu's float output is the graph's
    bool leaky = false;      // LeakyRelu(alpha = slopes[0]) instead of PRelu
};

// X uint8 [1,4,16,16] -> DequantizeLinear -> PRelu(slope) -> QuantizeLinear -> Y uint8 (or Y
// float straight from the PRelu).
onnx::ModelProto qdq_prelu_model(const QdqPrelu& p) {
    auto m = make_model(13, "mlrt-tests", "qdq-prelu");
    auto& g = *m.mutable_graph();
    add_initializer(g, float_tensor("in_scale", {}, {p.in_scale}));
    add_initializer(g, uint8_scalar("in_zero", p.in_zero));
    add_node(g, "DequantizeLinear", {"x", "in_scale", "in_zero"}, {"xf"}, "dq");
    const std::string y = p.requantize ? "yf" : "y";
    if (p.leaky) {
        set_float(add_node(g, "LeakyRelu", {"xf"}, {y}, "prelu"), "alpha", p.slopes[0]);
    } else {
        add_initializer(g, float_tensor("slope", p.slope_dims, p.slopes));
        add_node(g, "PRelu", {"xf", "slope"}, {y}, "prelu");
    }
    if (p.requantize) {
        add_initializer(g, float_tensor("out_scale", {}, {p.out_scale}));
        add_initializer(g, uint8_scalar("out_zero", p.out_zero));
        add_node(g, "QuantizeLinear", {"yf", "out_scale", "out_zero"}, {"y"}, "q");
    }
    *g.add_input() = tensor_info("x", onnx::TensorProto_DataType_UINT8, {1, 4, 16, 16});
    *g.add_output() = tensor_info(
        "y", p.requantize ? onnx::TensorProto_DataType_UINT8 : onnx::TensorProto_DataType_FLOAT,
        {1, 4, 16, 16});
    return m;
}

// The model's output bytes for an input holding every byte value in every channel.
std::string run_bytes(const onnx::ModelProto& model, bool custom) {
    Ort::SessionOptions so;
    so.SetIntraOpNumThreads(2);
    if (custom) so.Add(kernels::custom_op_domain());
    const std::string bytes = model.SerializeAsString();
    Ort::Session s(ort_env(), bytes.data(), bytes.size(), so);
    std::vector<std::uint8_t> x(4 * 16 * 16);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::uint8_t>((i * 37) % 256);
    const std::vector<std::int64_t> dims{1, 4, 16, 16};
    const auto mem = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault);
    Ort::Value in =
        Ort::Value::CreateTensor<std::uint8_t>(mem, x.data(), x.size(), dims.data(), dims.size());
    const char* in_names[] = {"x"};
    const char* out_names[] = {"y"};
    auto out = s.Run(Ort::RunOptions{}, in_names, &in, 1, out_names, 1);
    const auto info = out[0].GetTensorTypeAndShapeInfo();
    const std::size_t size =
        info.GetElementCount() *
        (info.GetElementType() == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT ? sizeof(float) : 1);
    const auto* data = static_cast<const char*>(out[0].GetTensorRawData());
    return {data, data + size};
}

void expect_same_as_onnx_runtime(const QdqPrelu& p, const std::string& what) {
    const onnx::ModelProto original = qdq_prelu_model(p);
    onnx::ModelProto rewritten = original;
    const auto report = kernels::rewrite_for_cpu_kernels(rewritten, true);
    EXPECT_EQ(report.lookups, p.requantize ? 1 : 0) << what << ": " << kernels::describe(report);
    EXPECT_EQ(report.dequantizing_lookups, p.requantize ? 0 : 1) << what;
    ASSERT_EQ(rewritten.graph().node_size(), 1) << what << ": the DQ and Q nodes are folded in";
    EXPECT_EQ(rewritten.graph().node(0).op_type(),
              p.requantize ? kernels::kLookupTable : kernels::kLookupTableFloat);
    const std::string got = run_bytes(rewritten, true), want = run_bytes(original, false);
    ASSERT_EQ(got.size(), want.size()) << what;
    // Values, not bytes: a zero's sign may differ.
    const std::size_t width = p.requantize ? 1 : sizeof(float);
    int differing = 0;
    for (std::size_t i = 0; i < got.size(); i += width) {
        float g = 0, w = 0;
        if (p.requantize) {
            g = static_cast<std::uint8_t>(got[i]);
            w = static_cast<std::uint8_t>(want[i]);
        } else {
            std::memcpy(&g, got.data() + i, sizeof g);
            std::memcpy(&w, want.data() + i, sizeof w);
        }
        if (g != w && differing++ < 5)
            ADD_FAILURE() << what << ": element " << i / width << " is " << g
                          << ", ONNX Runtime gives " << w;
    }
    EXPECT_EQ(differing, 0) << what;
}

TEST(LookupKernel, QuantizedPreluEqualsOnnxRuntimesExactly) {
    QdqPrelu p;
    expect_same_as_onnx_runtime(p, "per channel [C,1,1]");
    // Saturation at both ends: a small output scale clips most of the range.
    p.out_scale = 0.003f;
    expect_same_as_onnx_runtime(p, "saturating");
    p = QdqPrelu{};
    p.slope_dims = {1};
    p.slopes = {0.1f};
    expect_same_as_onnx_runtime(p, "one slope");
    // A slope along the last axis is per column, not per channel (ONNX's broadcast).
    p.slope_dims = {16};
    p.slopes.assign(16, 0.0f);
    for (int i = 0; i < 16; ++i) p.slopes[static_cast<std::size_t>(i)] = 0.1f * float(i - 5);
    expect_same_as_onnx_runtime(p, "per column [W]");
    p = QdqPrelu{};
    p.slope_dims = {1, 4, 1, 1};
    expect_same_as_onnx_runtime(p, "per channel [1,C,1,1]");
}

TEST(LookupKernel, DequantizedPreluEqualsOnnxRuntimesExactly) {
    QdqPrelu p;
    p.requantize = false;
    expect_same_as_onnx_runtime(p, "float out");
}

// ONNX Runtime fuses DequantizeLinear -> LeakyRelu -> QuantizeLinear into its QLinearLeakyRelu:
// the table must give what that gives.
TEST(LookupKernel, QuantizedLeakyReluEqualsOnnxRuntimesExactly) {
    QdqPrelu p;
    p.leaky = true;
    for (const float alpha : {0.1f, 0.2f, -0.3f}) {
        p.slopes = {alpha};
        p.requantize = true;
        expect_same_as_onnx_runtime(p, "LeakyRelu " + std::to_string(alpha));
        p.requantize = false;
        expect_same_as_onnx_runtime(p, "LeakyRelu float out " + std::to_string(alpha));
    }
}

TEST(LookupKernel, RewriteLeavesWhatItCannotTakeAndSaysWhy) {
    const auto describe_after = [](onnx::ModelProto m) {
        const auto report = kernels::rewrite_for_cpu_kernels(m, true);
        EXPECT_EQ(report.lookups + report.dequantizing_lookups, 0);
        return kernels::describe(report);
    };
    QdqPrelu p;
    p.slope_dims = {4, 16, 1};
    p.slopes.assign(64, 0.5f);
    EXPECT_EQ(describe_after(qdq_prelu_model(p)),
              "left in float: PRelu 'prelu': the slope varies along more than one axis");

    auto m = qdq_prelu_model(QdqPrelu{});
    auto& g = *m.mutable_graph();
    for (auto& t : *g.mutable_initializer())
        if (t.name() == "in_zero") {
            t.set_data_type(onnx::TensorProto_DataType_INT8);  // signed activations
        }
    EXPECT_EQ(describe_after(m),
              "left in float: PRelu 'prelu': DequantizeLinear 'dq' is not per-tensor uint8");

    m = qdq_prelu_model(QdqPrelu{});
    for (auto& t : *m.mutable_graph()->mutable_initializer())
        if (t.name() == "slope") t.set_name("slope_source");
    add_node(*m.mutable_graph(), "Identity", {"slope_source"}, {"slope"}, "computed");
    // The Identity must come before the PRelu that reads it.
    auto* nodes = m.mutable_graph()->mutable_node();
    std::rotate(nodes->begin(), nodes->end() - 1, nodes->end());
    EXPECT_EQ(describe_after(m),
              "left in float: PRelu 'prelu': the slope is computed in the graph");

    // A PRelu of float input is not a quantized one: the float kernel's (test_prelu_kernel).
    m = make_model(13, "mlrt-tests", "float-prelu");
    add_initializer(*m.mutable_graph(), float_tensor("slope", {1}, {0.2f}));
    add_node(*m.mutable_graph(), "PRelu", {"x", "slope"}, {"y"}, "prelu");
    EXPECT_EQ(describe_after(m), "1 float PRelu node(s) on mlrt's kernel");
}

// The shared SRVGG model quantized as the engine does (default blacklist): every PRelu between
// integer convolutions becomes a table, the one after the last integer convolution a float
// table, and the one after the float first convolution stays ONNX Runtime's.
TEST(LookupKernel, SrvggInt8GraphKeepsNoDequantizePreluQuantize) {
    const std::filesystem::path path = MLRT_SHARED_MODELS "/realesr-animevideov3-x2.onnx";
    if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent";
    onnx::ModelProto model;
    {
        std::ifstream f(path, std::ios::binary);
        ASSERT_TRUE(model.ParseFromIstream(&f));
    }
    int8::QuantizeOptions o;
    o.blacklist = int8::default_int8_blacklist();
    int8::RangeTable ranges;
    for (const auto& t : int8::plan_quantization(model, o).tensors) ranges[t] = {-0.5f, 1.5f};
    int8::quantize(model, ranges, o);
    const auto report = kernels::rewrite_for_cpu_kernels(model, true);
    EXPECT_EQ(report.lookups, 15) << kernels::describe(report);
    EXPECT_EQ(report.dequantizing_lookups, 1) << kernels::describe(report);
    std::map<std::string, std::string> producer;
    for (const auto& n : model.graph().node())
        for (const auto& out : n.output()) producer[out] = n.op_type();
    int prelus = 0;
    for (const auto& n : model.graph().node()) {
        if (n.op_type() != "PRelu") continue;
        ++prelus;
        EXPECT_EQ(producer[n.input(0)], "Conv") << n.name() << " reads " << n.input(0);
    }
    EXPECT_EQ(prelus, 1);
}

TEST(LookupKernel, EngineOnSrvggInt8IsTheSameWithAndWithoutMlrtKernels) {
    const std::filesystem::path path = MLRT_SHARED_MODELS "/realesr-animevideov3-x2.onnx";
    if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent";
    std::ifstream f(path, std::ios::binary);
    const std::string model((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    namespace t8 = mlrt::test::int8;
    const auto calibration = t8::calibrate(model, {t8::frame(48, 32, 11), t8::frame(48, 32, 12)});
    mlrt::test::TempDir cache("mlrt-lookup-engine");
    const mlrt::Frame in = t8::frame(48, 32, 13);
    auto o = t8::int8_options(calibration, cache.path(), int8::default_int8_blacklist());
    mlrt::Engine own(mlrt::ModelSource::from_bytes(model), t8::format_of(in), o);
    // Where the CPU has AVX-512 VNNI the last convolution reads the int8 tensor too, through a
    // 16th table, requantized.
    const bool uint8_conv = kernels::conv_uint8_vectorised();
    EXPECT_NE(own.model_info().kernels.find(
                  uint8_conv ? "16 int8 PRelu/LeakyRelu node(s) on mlrt's lookup kernel"
                             : "15 int8 PRelu/LeakyRelu node(s) on mlrt's lookup kernel"),
              std::string::npos)
        << own.model_info().kernels;
    o.own_kernels = false;
    mlrt::Engine plain(mlrt::ModelSource::from_bytes(model), t8::format_of(in), o);
    EXPECT_TRUE(plain.model_info().kernels.empty()) << plain.model_info().kernels;
    const mlrt::Frame a = t8::run(own, in), b = t8::run(plain, in);
    // The Resize kernel differs from ONNX Runtime's within 1e-5; the tables not at all. The
    // requantized table before the uint8 convolution moves each of its inputs by up to half a
    // step (test_conv_uint8_kernel bounds that exactly): 3e-3 on this frame.
    EXPECT_LE(mlrt::test::max_abs_diff(a, b), uint8_conv ? 5e-3 : 1e-5);
}

// A graph of one mlrt kernel node run directly: what the kernels refuse at run time (the rewrite
// never builds such nodes, so only a hand-made graph reaches these checks) is an error from
// Session::Run that names the problem, not a crash or a read past the table.
std::string kernel_run_error(const std::string& op, const onnx::TensorProto& second,
                             std::int64_t axis, bool float_input) {
    auto m = make_model(13, "mlrt-tests", "kernel");
    auto* o = m.add_opset_import();
    o->set_domain(kernels::kDomain);
    o->set_version(1);
    auto& g = *m.mutable_graph();
    add_initializer(g, second);
    auto& n = add_node(g, op, {"x", second.name()}, {"y"}, "k");
    n.set_domain(kernels::kDomain);
    if (op == kernels::kResizeScales) {
        set_string(n, "mode", "linear");
        set_string(n, "coordinate_transformation_mode", "half_pixel");
        set_string(n, "nearest_mode", "round_prefer_floor");
        set_float(n, "cubic_coeff_a", -0.75f);
        set_int(n, "exclude_outside", 0);
    } else {
        set_int(n, "axis", axis);
    }
    const auto in_type =
        float_input ? onnx::TensorProto_DataType_FLOAT : onnx::TensorProto_DataType_UINT8;
    *g.add_input() = tensor_info("x", in_type, {1, 4, 16, 16});
    *g.add_output() =
        tensor_info("y",
                    op == kernels::kLookupTable ? onnx::TensorProto_DataType_UINT8
                                                : onnx::TensorProto_DataType_FLOAT,
                    float_input ? std::vector<Dim>{1, 4, 32, 32} : std::vector<Dim>{1, 4, 16, 16});
    Ort::SessionOptions so;
    so.Add(kernels::custom_op_domain());
    const std::string bytes = m.SerializeAsString();
    Ort::Session s(ort_env(), bytes.data(), bytes.size(), so);
    std::vector<float> xf(4 * 16 * 16, 0.5f);
    std::vector<std::uint8_t> xb(4 * 16 * 16, 7);
    const std::vector<std::int64_t> dims{1, 4, 16, 16};
    const auto mem = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault);
    Ort::Value in = float_input ? Ort::Value::CreateTensor<float>(mem, xf.data(), xf.size(),
                                                                  dims.data(), dims.size())
                                : Ort::Value::CreateTensor<std::uint8_t>(mem, xb.data(), xb.size(),
                                                                         dims.data(), dims.size());
    const char* in_names[] = {"x"};
    const char* out_names[] = {"y"};
    try {
        (void)s.Run(Ort::RunOptions{}, in_names, &in, 1, out_names, 1);
    } catch (const Ort::Exception& e) {
        return e.what();
    }
    return "(ran)";
}

onnx::TensorProto uint8_table(std::int64_t rows, std::int64_t columns) {
    onnx::TensorProto t;
    t.set_name("table");
    t.set_data_type(onnx::TensorProto_DataType_UINT8);
    t.add_dims(rows);
    t.add_dims(columns);
    t.set_raw_data(std::string(static_cast<std::size_t>(rows * columns), '\x01'));
    return t;
}

TEST(LookupKernel, KernelsRefuseBadInputsAtRunTimeByName) {
    const auto expect = [](const std::string& got, const std::string& want) {
        EXPECT_NE(got.find(want), std::string::npos) << got;
    };
    const std::string lut = kernels::kLookupTable;
    EXPECT_EQ(kernel_run_error(lut, uint8_table(4, 256), 1, false), "(ran)");  // the control
    EXPECT_EQ(kernel_run_error(lut, uint8_table(1, 256), 1, false), "(ran)");
    expect(kernel_run_error(lut, uint8_table(3, 256), 1, false),
           "mlrt LookupTable: the table has 3 rows for 4 channels");
    expect(kernel_run_error(lut, uint8_table(4, 255), 1, false),
           "mlrt LookupTable: the table must be [channels, 256]");
    expect(kernel_run_error(lut, uint8_table(4, 256), 5, false),
           "mlrt LookupTable: axis 5 is outside a tensor of rank 4");
    const onnx::TensorProto ftable = float_tensor("table", {2, 256}, std::vector<float>(512, 0.5f));
    expect(kernel_run_error(kernels::kLookupTableFloat, ftable, 1, false),
           "mlrt LookupTable: the table has 2 rows for 4 channels");
    expect(kernel_run_error(kernels::kResizeScales, float_tensor("scales", {4}, {1, 2, 2, 2}), 0,
                            true),
           "scales must be 1 on N and C");
    expect(
        kernel_run_error(kernels::kResizeScales, float_tensor("scales", {3}, {1, 1, 2}), 0, true),
        "scales must hold 4 values");
    EXPECT_EQ(kernel_run_error(kernels::kResizeScales, float_tensor("scales", {4}, {1, 1, 2, 2}), 0,
                               true),
              "(ran)");
}

}  // namespace
