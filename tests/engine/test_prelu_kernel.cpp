// mlrt's float PRelu kernel (engine/kernels/prelu) and its rewrite: the AVX-512 and portable
// paths against ONNX's expression bit for bit, over layouts and slopes of every sign, with
// zeros, infinities and NaN in the input; ONNX Runtime's PRelu against the rewritten graph,
// exactly; the PRelu nodes the rewrite leaves, and why; the kernel's refusals at run time; and
// the shared SRVGG model through the engine, with and without mlrt's kernels.
#include <gtest/gtest.h>
#include <onnxruntime_cxx_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "engine/kernels/custom_ops.hpp"
#include "engine/kernels/prelu.hpp"
#include "engine/kernels/rewrite.hpp"
#include "engine/onnx_builder.hpp"
#include "engine/ort_env.hpp"
#include "kernel_test_support.hpp"
#include "mlrt/engine.hpp"
#include "support/frames.hpp"

namespace {

using namespace mlrt::detail;
using namespace mlrt::test::kernel_tests;
using kernels::LookupShape;
using kernels::PreluPath;

// Random values of both signs with the special ones among them.
std::vector<float> awkward_floats(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> d(-3.0f, 3.0f);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    const float specials[] = {0.0f,
                              -0.0f,
                              std::numeric_limits<float>::infinity(),
                              -std::numeric_limits<float>::infinity(),
                              std::numeric_limits<float>::quiet_NaN(),
                              1e-40f,
                              -1e-40f};
    for (std::size_t i = 0; i < n; i += 5) v[i] = specials[(i / 5) % std::size(specials)];
    return v;
}

// The same value bit for bit, or both NaN.
bool same(float a, float b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return std::memcmp(&a, &b, sizeof a) == 0;
}

TEST(PreluKernel, BothPathsEqualOnnxExpressionBitForBit) {
    const std::vector<float> slopes{0.25f, -0.5f, 0.0f, 1.75f, 0.1f};
    for (const LookupShape shape :
         {LookupShape{1, 3, 1000}, LookupShape{2, 5, 65}, LookupShape{1, 4, 16},
          LookupShape{3, 2, 15}, LookupShape{50, 5, 1}, LookupShape{1, 1, 7}}) {
        for (const std::int64_t rows : {std::int64_t{1}, shape.channels}) {
            const auto n = static_cast<std::size_t>(shape.outer * shape.channels * shape.inner);
            const auto x = awkward_floats(n, 3);
            for (const PreluPath path : {PreluPath::Best, PreluPath::Portable}) {
                std::vector<float> y(n, 42.0f);
                kernels::prelu(x.data(), y.data(), shape, slopes.data(), rows, kSerial, path);
                int bad = 0;
                for (std::size_t i = 0; i < n; ++i) {
                    const auto c = static_cast<std::size_t>(static_cast<std::int64_t>(i) /
                                                            shape.inner % shape.channels);
                    const float s = slopes[rows == 1 ? 0 : c];
                    const float want = x[i] < 0.0f ? x[i] * s : x[i];
                    if (!same(y[i], want) && bad++ < 3)
                        ADD_FAILURE() << shape.outer << "x" << shape.channels << "x" << shape.inner
                                      << " rows " << rows << ": element " << i << " is " << y[i]
                                      << ", not " << want;
                }
                EXPECT_EQ(bad, 0);
            }
        }
    }
}

// X float [1,4,16,16] -> PRelu(slope of `slope_dims`) -> Y.
onnx::ModelProto prelu_model(const std::vector<std::int64_t>& slope_dims,
                             const std::vector<float>& slopes) {
    auto m = make_model(13, "mlrt-tests", "float-prelu");
    auto& g = *m.mutable_graph();
    add_initializer(g, float_tensor("slope", slope_dims, slopes));
    add_node(g, "PRelu", {"x", "slope"}, {"y"}, "prelu");
    *g.add_input() = tensor_info("x", onnx::TensorProto_DataType_FLOAT, {1, 4, 16, 16});
    *g.add_output() = tensor_info("y", onnx::TensorProto_DataType_FLOAT, {1, 4, 16, 16});
    return m;
}

std::vector<float> run(const onnx::ModelProto& model, bool custom) {
    Ort::SessionOptions so;
    so.SetIntraOpNumThreads(2);
    if (custom) so.Add(kernels::custom_op_domain());
    const std::string bytes = model.SerializeAsString();
    Ort::Session s(ort_env(), bytes.data(), bytes.size(), so);
    auto x = awkward_floats(4 * 16 * 16, 9);
    const std::vector<std::int64_t> dims{1, 4, 16, 16};
    const auto mem = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault);
    Ort::Value in =
        Ort::Value::CreateTensor<float>(mem, x.data(), x.size(), dims.data(), dims.size());
    const char* in_names[] = {"x"};
    const char* out_names[] = {"y"};
    auto out = s.Run(Ort::RunOptions{}, in_names, &in, 1, out_names, 1);
    const float* y = out[0].GetTensorData<float>();
    return {y, y + out[0].GetTensorTypeAndShapeInfo().GetElementCount()};
}

TEST(PreluKernel, EqualsOnnxRuntimesPreluExactly) {
    const std::vector<float> four{0.25f, -0.5f, 0.0f, 1.75f};
    std::vector<float> columns(16);
    for (int i = 0; i < 16; ++i) columns[static_cast<std::size_t>(i)] = 0.1f * float(i - 5);
    const struct {
        std::vector<std::int64_t> dims;
        std::vector<float> slopes;
        const char* what;
    } cases[] = {{{4, 1, 1}, four, "per channel [C,1,1]"},
                 {{1, 4, 1, 1}, four, "per channel [1,C,1,1]"},
                 {{1}, {0.2f}, "one slope"},
                 {{16}, columns, "per column [W]"}};
    for (const auto& c : cases) {
        const onnx::ModelProto original = prelu_model(c.dims, c.slopes);
        onnx::ModelProto rewritten = original;
        const auto report = kernels::rewrite_for_cpu_kernels(rewritten, true);
        EXPECT_EQ(report.float_prelus, 1) << c.what << ": " << kernels::describe(report);
        ASSERT_EQ(rewritten.graph().node_size(), 1);
        EXPECT_EQ(rewritten.graph().node(0).domain(), kernels::kDomain) << c.what;
        const auto got = run(rewritten, true), want = run(original, false);
        ASSERT_EQ(got.size(), want.size());
        int bad = 0;
        for (std::size_t i = 0; i < got.size(); ++i)
            if (!same(got[i], want[i]) && bad++ < 3)
                ADD_FAILURE() << c.what << ": element " << i << " is " << got[i]
                              << ", ONNX Runtime gives " << want[i];
        EXPECT_EQ(bad, 0) << c.what;
    }
}

TEST(PreluKernel, RewriteLeavesWhatItCannotTakeAndSaysWhy) {
    const auto describe_after = [](onnx::ModelProto m, bool float32_graph = true) {
        const auto report = kernels::rewrite_for_cpu_kernels(m, float32_graph);
        EXPECT_EQ(report.float_prelus, 0);
        return kernels::describe(report);
    };
    EXPECT_EQ(describe_after(prelu_model({4, 16, 1}, std::vector<float>(64, 0.5f))),
              "on ONNX Runtime's PRelu: PRelu 'prelu': the slope varies along more than one axis");
    auto m = prelu_model({4, 1, 1}, {0.1f, 0.2f, 0.3f, 0.4f});
    auto& g = *m.mutable_graph();
    g.mutable_initializer(0)->set_name("slope_source");
    add_node(g, "Identity", {"slope_source"}, {"slope"}, "computed");
    std::rotate(g.mutable_node()->begin(), g.mutable_node()->end() - 1, g.mutable_node()->end());
    EXPECT_EQ(describe_after(m),
              "on ONNX Runtime's PRelu: PRelu 'prelu': the slope is computed in the graph");
    // A float16 graph's PRelu stays ONNX Runtime's float16 one, which is no news to report.
    m = prelu_model({4, 1, 1}, {0.1f, 0.2f, 0.3f, 0.4f});
    m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(
        onnx::TensorProto_DataType_FLOAT16);
    EXPECT_EQ(describe_after(m, false), "");
    // Its float32 PRelu (between Casts) is the kernel's.
    m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(
        onnx::TensorProto_DataType_FLOAT);
    const auto report = kernels::rewrite_for_cpu_kernels(m, false);
    EXPECT_EQ(report.float_prelus, 1) << kernels::describe(report);
}

// A rewritten node whose slope is then cut to `rows` values, as no rewrite would leave it.
std::string run_error_with_slope_rows(int rows) {
    auto m = prelu_model({4, 1, 1}, {0.1f, 0.2f, 0.3f, 0.4f});
    kernels::rewrite_for_cpu_kernels(m, true);
    for (auto& t : *m.mutable_graph()->mutable_initializer()) {
        t.clear_dims();
        t.add_dims(rows);
        t.clear_float_data();
        for (int i = 0; i < rows; ++i) t.add_float_data(0.5f);
    }
    try {
        (void)run(m, true);
        return "(ran)";
    } catch (const Ort::Exception& e) {
        return e.what();
    }
}

TEST(PreluKernel, KernelRefusesASlopeOfTheWrongLengthByName) {
    const auto expect = [](const std::string& got, const std::string& want) {
        EXPECT_NE(got.find(want), std::string::npos) << got;
    };
    EXPECT_EQ(run_error_with_slope_rows(4), "(ran)");
    expect(run_error_with_slope_rows(3), "mlrt PRelu: the slope has 3 rows for 4 channels");
    expect(run_error_with_slope_rows(0), "mlrt PRelu: the slope is empty");
}

TEST(PreluKernel, EngineOnSrvggIsTheSameWithAndWithoutMlrtKernels) {
    const std::filesystem::path path = MLRT_SHARED_MODELS "/realesr-animevideov3-x2.onnx";
    if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent";
    std::ifstream f(path, std::ios::binary);
    const std::string model((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const mlrt::Frame in = mlrt::test::make_frame(48, 32, 3);
    const mlrt::InputFormat format{in.width(), in.height(), in.type(), {in.num_planes()}};
    const auto run_frame = [&](const mlrt::Engine& e) {
        const mlrt::FrameView v = in.view();
        return e.run(std::span<const mlrt::FrameView>(&v, 1));
    };
    mlrt::EngineOptions o;
    mlrt::Engine own(mlrt::ModelSource::from_bytes(model), format, o);
    EXPECT_NE(own.model_info().kernels.find("17 float PRelu node(s) on mlrt's kernel"),
              std::string::npos)
        << own.model_info().kernels;
    o.own_kernels = false;
    mlrt::Engine plain(mlrt::ModelSource::from_bytes(model), format, o);
    const mlrt::Frame a = run_frame(own), b = run_frame(plain);
    // The Resize kernel differs from ONNX Runtime's within 1e-5; the PRelu not at all.
    EXPECT_LE(mlrt::test::max_abs_diff(a, b), 1e-5);
}

}  // namespace
