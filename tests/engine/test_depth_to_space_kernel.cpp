// mlrt's DepthToSpace kernel against ONNX Runtime's: the same bytes for both modes, block sizes
// with and without their own loop, odd sizes and two batches; and which nodes the rewrite
// hands to it.
#include <gtest/gtest.h>
#include <onnxruntime_cxx_api.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/kernels/custom_ops.hpp"
#include "engine/kernels/depth_to_space.hpp"
#include "engine/kernels/rewrite.hpp"
#include "engine/onnx_builder.hpp"
#include "engine/ort_env.hpp"

namespace {

using namespace mlrt::detail;

struct Case {
    std::int64_t batch, channels, height, width, blocksize;
    const char* mode;
};

// X [N, C, H, W] -> DepthToSpace -> Y, float or uint8.
onnx::ModelProto depth_to_space_model(const Case& c,
                                      std::int32_t type = onnx::TensorProto_DataType_FLOAT) {
    auto m = make_model(13, "mlrt-tests", "d2s");
    auto& g = *m.mutable_graph();
    auto& n = add_node(g, "DepthToSpace", {"x"}, {"y"}, "d2s");
    set_int(n, "blocksize", c.blocksize);
    set_string(n, "mode", c.mode);
    *g.add_input() = tensor_info("x", type, {c.batch, c.channels, c.height, c.width});
    const std::int64_t b = c.blocksize;
    *g.add_output() =
        tensor_info("y", type, {c.batch, c.channels / (b * b), c.height * b, c.width * b});
    return m;
}

template <typename T = float>
std::vector<T> run(const onnx::ModelProto& model, const Case& c) {
    Ort::SessionOptions so;
    so.SetIntraOpNumThreads(2);
    so.Add(kernels::custom_op_domain());
    const std::string bytes = model.SerializeAsString();
    Ort::Session s(ort_env(), bytes.data(), bytes.size(), so);
    // Every sample distinct (for uint8: within each run of 256), so a misplaced one shows.
    std::vector<T> x(static_cast<std::size_t>(c.batch * c.channels * c.height * c.width));
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = std::is_same_v<T, float> ? static_cast<T>(static_cast<float>(i) * 0.5f - 3.0f)
                                        : static_cast<T>((i * 7 + i / 256) % 256);
    const std::vector<std::int64_t> dims{c.batch, c.channels, c.height, c.width};
    const auto mem = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault);
    Ort::Value in = Ort::Value::CreateTensor<T>(mem, x.data(), x.size(), dims.data(), 4);
    const char* in_names[] = {"x"};
    const char* out_names[] = {"y"};
    auto out = s.Run(Ort::RunOptions{}, in_names, &in, 1, out_names, 1);
    const T* data = out[0].GetTensorData<T>();
    return {data, data + out[0].GetTensorTypeAndShapeInfo().GetElementCount()};
}

TEST(DepthToSpaceKernel, EqualsOnnxRuntimesExactly) {
    const Case cases[] = {
        {1, 12, 5, 7, 2, "DCR"},   {1, 12, 5, 7, 2, "CRD"}, {2, 48, 3, 9, 4, "DCR"},
        {1, 48, 4, 6, 4, "CRD"},   {1, 27, 6, 5, 3, "DCR"}, {2, 18, 3, 4, 3, "CRD"},
        {1, 50, 3, 3, 5, "DCR"},   {1, 25, 2, 3, 5, "CRD"}, {1, 3, 4, 5, 1, "DCR"},
        {1, 64, 17, 31, 2, "DCR"},
    };
    for (const Case& c : cases) {
        const std::string what = std::to_string(c.channels) + "x" + std::to_string(c.height) + "x" +
                                 std::to_string(c.width) + " blocksize " +
                                 std::to_string(c.blocksize) + " " + c.mode;
        const onnx::ModelProto original = depth_to_space_model(c);
        onnx::ModelProto rewritten = original;
        const auto report = kernels::rewrite_for_cpu_kernels(rewritten, true);
        ASSERT_EQ(report.depth_to_space, 1) << what;
        ASSERT_EQ(rewritten.graph().node(0).domain(), kernels::kDomain) << what;
        const std::vector<float> want = run(original, c), got = run(rewritten, c);
        ASSERT_EQ(got.size(), want.size()) << what;
        EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)), 0) << what;
    }
}

TEST(DepthToSpaceKernel, Uint8EqualsOnnxRuntimesExactly) {
    // An int8 graph's quantized tensors: the rewrite hands them to DepthToSpaceUint8.
    const Case cases[] = {{1, 12, 5, 7, 2, "DCR"},
                          {2, 48, 3, 9, 4, "CRD"},
                          {1, 27, 6, 5, 3, "DCR"},
                          {1, 50, 3, 3, 5, "DCR"},
                          {1, 256, 9, 17, 2, "DCR"}};
    for (const Case& c : cases) {
        const std::string what = std::to_string(c.channels) + "x" + std::to_string(c.height) + "x" +
                                 std::to_string(c.width) + " blocksize " +
                                 std::to_string(c.blocksize) + " " + c.mode;
        const onnx::ModelProto original = depth_to_space_model(c, onnx::TensorProto_DataType_UINT8);
        onnx::ModelProto rewritten = original;
        const auto report = kernels::rewrite_for_cpu_kernels(rewritten, true);
        ASSERT_EQ(report.depth_to_space, 1) << what;
        ASSERT_EQ(rewritten.graph().node(0).op_type(), kernels::kDepthToSpaceUint8) << what;
        EXPECT_EQ(run<std::uint8_t>(rewritten, c), run<std::uint8_t>(original, c)) << what;
    }
}

TEST(DepthToSpaceKernel, KernelLayoutByHand) {
    // 8 channels of one sample each, blocksize 2: DCR takes the block's position from the
    // channel's high part, CRD from its low part.
    std::vector<float> x(8);
    for (int i = 0; i < 8; ++i) x[static_cast<std::size_t>(i)] = static_cast<float>(i);
    std::vector<float> y(8);
    const kernels::ParallelFor serial = [](std::size_t n,
                                           const std::function<void(std::size_t)>& f) {
        for (std::size_t i = 0; i < n; ++i) f(i);
    };
    kernels::depth_to_space(x.data(), y.data(), {1, 8, 1, 1, 2}, kernels::DepthToSpaceMode::DCR,
                            serial);
    EXPECT_EQ(y, (std::vector<float>{0, 2, 4, 6, 1, 3, 5, 7}));
    kernels::depth_to_space(x.data(), y.data(), {1, 8, 1, 1, 2}, kernels::DepthToSpaceMode::CRD,
                            serial);
    EXPECT_EQ(y, (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7}));
}

// A scale "s" (0.1) and uint8 zero point "z" (128) for Q/DQ nodes.
void add_quantization(onnx::GraphProto& g) {
    add_initializer(g, float_tensor("s", {}, {0.1f}));
    onnx::TensorProto zero;
    zero.set_name("z");
    zero.set_data_type(onnx::TensorProto_DataType_UINT8);
    zero.set_raw_data(std::string(1, '\x80'));
    add_initializer(g, zero);
}

TEST(DepthToSpaceKernel, RewriteLeavesQuantizedAndFloat16Nodes) {
    // DequantizeLinear -> DepthToSpace -> QuantizeLinear: ONNX Runtime drops the pair and
    // shuffles uint8, which beats any float kernel.
    auto m = make_model(13, "mlrt-tests", "qdq-d2s");
    auto& g = *m.mutable_graph();
    add_quantization(g);
    add_node(g, "DequantizeLinear", {"x", "s", "z"}, {"xf"}, "dq");
    set_int(add_node(g, "DepthToSpace", {"xf"}, {"yf"}, "quantized"), "blocksize", 2);
    add_node(g, "QuantizeLinear", {"yf", "s", "z"}, {"y"}, "q");
    // A float16 one beside it.
    set_int(add_node(g, "Cast", {"yf"}, {"h"}, "to_half"), "to",
            onnx::TensorProto_DataType_FLOAT16);
    set_int(add_node(g, "DepthToSpace", {"h"}, {"y16"}, "half"), "blocksize", 2);
    *g.add_input() = tensor_info("x", onnx::TensorProto_DataType_UINT8, {1, 16, 4, 4});
    *g.add_output() = tensor_info("y", onnx::TensorProto_DataType_UINT8, {1, 4, 8, 8});
    *g.add_output() = tensor_info("y16", onnx::TensorProto_DataType_FLOAT16, {1, 1, 16, 16});
    const auto report = kernels::rewrite_for_cpu_kernels(m, true);
    EXPECT_EQ(report.depth_to_space, 0);
    ASSERT_EQ(report.kept_depth_to_space.size(), 2u);
    EXPECT_EQ(report.kept_depth_to_space[0], "DepthToSpace 'quantized': quantized");
    EXPECT_EQ(report.kept_depth_to_space[1],
              "DepthToSpace 'half': input neither float32 nor uint8");
    EXPECT_NE(kernels::describe(report).find(
                  "on ONNX Runtime's DepthToSpace: DepthToSpace 'quantized': quantized"),
              std::string::npos)
        << kernels::describe(report);
    for (const auto& n : m.graph().node()) EXPECT_NE(n.domain(), kernels::kDomain) << n.name();
}

TEST(DepthToSpaceKernel, DequantizedInputReadInFloatRunsOnTheKernel) {
    // Only a DequantizeLinear before it and nothing quantizing after: ONNX Runtime would run
    // its float transpose, so mlrt's kernel takes it.
    auto m = make_model(13, "mlrt-tests", "dq-d2s");
    auto& g = *m.mutable_graph();
    add_quantization(g);
    add_node(g, "DequantizeLinear", {"x", "s", "z"}, {"xf"}, "dq");
    set_int(add_node(g, "DepthToSpace", {"xf"}, {"y"}, "read_in_float"), "blocksize", 2);
    *g.add_input() = tensor_info("x", onnx::TensorProto_DataType_UINT8, {1, 16, 4, 4});
    *g.add_output() = tensor_info("y", onnx::TensorProto_DataType_FLOAT, {1, 4, 8, 8});
    const auto report = kernels::rewrite_for_cpu_kernels(m, true);
    EXPECT_EQ(report.depth_to_space, 1) << kernels::describe(report);
    EXPECT_TRUE(report.kept_depth_to_space.empty());
    EXPECT_EQ(m.graph().node(1).op_type(), kernels::kDepthToSpace);
}

// The kernel's own refusals, on hand-made graphs (the rewrite never builds such nodes): an error
// that names the problem from session creation or Session::Run, not a read past the tensor.
std::string kernel_error(const std::vector<Dim>& dims, std::int64_t blocksize,
                         const std::string& mode) {
    auto m = make_model(13, "mlrt-tests", "d2s-kernel");
    auto* o = m.add_opset_import();
    o->set_domain(kernels::kDomain);
    o->set_version(1);
    auto& g = *m.mutable_graph();
    auto& n = add_node(g, kernels::kDepthToSpace, {"x"}, {"y"}, "k");
    n.set_domain(kernels::kDomain);
    set_int(n, "blocksize", blocksize);
    set_string(n, "mode", mode);
    *g.add_input() = tensor_info("x", onnx::TensorProto_DataType_FLOAT, dims);
    *g.add_output() = tensor_info("y", onnx::TensorProto_DataType_FLOAT, {});
    std::vector<std::int64_t> shape;
    std::int64_t count = 1;
    for (const Dim& d : dims) {
        shape.push_back(d.value);
        count *= d.value;
    }
    std::vector<float> x(static_cast<std::size_t>(count), 1.0f);
    try {
        Ort::SessionOptions so;
        so.Add(kernels::custom_op_domain());
        const std::string bytes = m.SerializeAsString();
        Ort::Session s(ort_env(), bytes.data(), bytes.size(), so);
        const auto mem = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault);
        Ort::Value in =
            Ort::Value::CreateTensor<float>(mem, x.data(), x.size(), shape.data(), shape.size());
        const char* in_names[] = {"x"};
        const char* out_names[] = {"y"};
        (void)s.Run(Ort::RunOptions{}, in_names, &in, 1, out_names, 1);
    } catch (const Ort::Exception& e) {
        return e.what();
    }
    return "(ran)";
}

TEST(DepthToSpaceKernel, KernelRefusesBadInputsByName) {
    const auto expect = [](const std::string& got, const std::string& want) {
        EXPECT_NE(got.find(want), std::string::npos) << got;
    };
    EXPECT_EQ(kernel_error({1, 16, 3, 3}, 4, "DCR"), "(ran)");  // the control
    expect(kernel_error({1, 12, 3, 3}, 4, "DCR"),
           "mlrt DepthToSpace: 12 channels are not a multiple of blocksize² (16)");
    expect(kernel_error({16, 3, 3}, 2, "CRD"), "mlrt DepthToSpace: input must be 4-D (NCHW)");
    expect(kernel_error({1, 16, 3, 3}, 2, "RDC"),
           "mlrt DepthToSpace: blocksize 2 and mode 'RDC' are not ONNX's");
    expect(kernel_error({1, 16, 3, 3}, 0, "DCR"),
           "mlrt DepthToSpace: blocksize 0 and mode 'DCR' are not ONNX's");
}

}  // namespace
