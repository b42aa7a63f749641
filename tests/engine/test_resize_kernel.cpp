// mlrt's Resize kernel (engine/kernels) against ONNX Runtime's own Resize: the same model run by
// both, over a grid of modes, coordinate modes, nearest modes, cubic parameters, scales up and
// down (given as scales and as sizes) and odd sizes. Nearest must be exact, linear and cubic
// within 1e-5 (relative, at least 1 absolute). Also: which nodes the rewrite takes, and why it
// leaves the others.
#include <gtest/gtest.h>
#include <onnxruntime_cxx_api.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "engine/kernels/custom_ops.hpp"
#include "engine/kernels/rewrite.hpp"
#include "engine/onnx_builder.hpp"
#include "engine/ort_env.hpp"
#include "mlrt/engine.hpp"
#include "support/frames.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace mlrt::detail;

struct Case {
    std::string mode, coordinates, nearest = "round_prefer_floor";
    float cubic_a = -0.75f;
    int exclude_outside = 0;
    float scale_h, scale_w;
    bool sizes = false;
    int in_h = 13, in_w = 17;
};

std::string name(const Case& c) {
    return c.mode + "/" + c.coordinates + "/" + c.nearest + " a=" + std::to_string(c.cubic_a) +
           " exclude=" + std::to_string(c.exclude_outside) + " " + std::to_string(c.scale_h) + "x" +
           std::to_string(c.scale_w) + (c.sizes ? " (sizes)" : " (scales)") + " " +
           std::to_string(c.in_w) + "x" + std::to_string(c.in_h);
}

std::int64_t out_len(float scale, int in) {
    return static_cast<std::int64_t>(scale * static_cast<float>(in));
}

onnx::ModelProto resize_model(const Case& c) {
    auto m = make_model(13, "mlrt-tests", "resize");
    auto& g = *m.mutable_graph();
    const std::int64_t oh = out_len(c.scale_h, c.in_h), ow = out_len(c.scale_w, c.in_w);
    std::vector<std::string> inputs{"x", ""};
    if (c.sizes) {
        add_initializer(g, float_tensor("scales", {0}, {}));
        add_initializer(g, int64_tensor("sizes", {4}, {1, 3, oh, ow}));
        inputs.insert(inputs.end(), {"scales", "sizes"});
    } else {
        add_initializer(g, float_tensor("scales", {4}, {1, 1, c.scale_h, c.scale_w}));
        inputs.emplace_back("scales");
    }
    auto& n = add_node(g, "Resize", inputs, {"y"}, "resize");
    set_string(n, "mode", c.mode);
    set_string(n, "coordinate_transformation_mode", c.coordinates);
    if (c.mode == "nearest") set_string(n, "nearest_mode", c.nearest);
    if (c.mode == "cubic") {
        set_float(n, "cubic_coeff_a", c.cubic_a);
        set_int(n, "exclude_outside", c.exclude_outside);
    }
    *g.add_input() = tensor_info("x", onnx::TensorProto_DataType_FLOAT, {1, 3, c.in_h, c.in_w});
    *g.add_output() = tensor_info("y", onnx::TensorProto_DataType_FLOAT, {1, 3, "h", "w"});
    return m;
}

std::vector<float> run(const onnx::ModelProto& model, const std::vector<float>& x, const Case& c,
                       bool custom, std::vector<std::int64_t>& shape) {
    Ort::SessionOptions so;
    so.SetIntraOpNumThreads(2);
    if (custom) so.Add(kernels::custom_op_domain());
    const std::string bytes = model.SerializeAsString();
    Ort::Session s(ort_env(), bytes.data(), bytes.size(), so);
    const std::vector<std::int64_t> dims{1, 3, c.in_h, c.in_w};
    const auto mem = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault);
    Ort::Value in = Ort::Value::CreateTensor<float>(mem, const_cast<float*>(x.data()), x.size(),
                                                    dims.data(), dims.size());
    const char* in_names[] = {"x"};
    const char* out_names[] = {"y"};
    auto out = s.Run(Ort::RunOptions{}, in_names, &in, 1, out_names, 1);
    shape = out[0].GetTensorTypeAndShapeInfo().GetShape();
    const float* data = out[0].GetTensorData<float>();
    return {data, data + out[0].GetTensorTypeAndShapeInfo().GetElementCount()};
}

void expect_same_as_onnx_runtime(const Case& c) {
    const onnx::ModelProto original = resize_model(c);
    onnx::ModelProto rewritten = original;
    const auto report = kernels::rewrite_for_cpu_kernels(rewritten, true);
    ASSERT_EQ(report.rewritten, 1) << name(c) << ": " << kernels::describe(report);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> dist(-1.5f, 2.5f);
    std::vector<float> x(static_cast<std::size_t>(3 * c.in_h * c.in_w));
    for (float& v : x) v = dist(rng);
    std::vector<std::int64_t> want_shape, got_shape;
    const auto want = run(original, x, c, false, want_shape);
    const auto got = run(rewritten, x, c, true, got_shape);
    ASSERT_EQ(got_shape, want_shape) << name(c);
    double worst = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const double err = std::abs(static_cast<double>(got[i]) - want[i]) /
                           std::max(1.0, std::abs(static_cast<double>(want[i])));
        worst = std::max(worst, err);
    }
    if (c.mode == "nearest")
        EXPECT_EQ(worst, 0.0) << name(c);
    else
        EXPECT_LE(worst, 1e-5) << name(c);
}

const std::vector<std::pair<float, float>> kScales = {{2.0f, 2.0f}, {3.0f, 3.0f},   {4.0f, 4.0f},
                                                      {0.5f, 0.5f}, {0.75f, 0.75f}, {1.5f, 0.6f},
                                                      {1.0f, 2.0f}};
const std::vector<std::string> kCoordinates = {"half_pixel", "align_corners", "asymmetric",
                                               "pytorch_half_pixel"};

TEST(ResizeKernel, NearestMatchesOnnxRuntimeExactly) {
    for (const auto& coordinates : kCoordinates)
        for (const char* nearest : {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"})
            for (const auto& [sh, sw] : kScales)
                for (const bool sizes : {false, true})
                    expect_same_as_onnx_runtime(
                        {"nearest", coordinates, nearest, -0.75f, 0, sh, sw, sizes});
}

TEST(ResizeKernel, LinearMatchesOnnxRuntime) {
    for (const auto& coordinates : kCoordinates)
        for (const auto& [sh, sw] : kScales)
            for (const bool sizes : {false, true})
                expect_same_as_onnx_runtime(
                    {"linear", coordinates, "round_prefer_floor", -0.75f, 0, sh, sw, sizes});
}

TEST(ResizeKernel, CubicMatchesOnnxRuntime) {
    for (const auto& coordinates : kCoordinates)
        for (const float a : {-0.75f, -0.5f})
            for (const int exclude : {0, 1})
                for (const auto& [sh, sw] : kScales)
                    expect_same_as_onnx_runtime(
                        {"cubic", coordinates, "round_prefer_floor", a, exclude, sh, sw, false});
    // Sizes, and sizes where the axes are 1 long.
    expect_same_as_onnx_runtime({"cubic", "half_pixel", "", -0.75f, 0, 2.0f, 2.0f, true});
    expect_same_as_onnx_runtime({"cubic", "half_pixel", "", -0.75f, 0, 3.0f, 2.0f, false, 1, 1});
    expect_same_as_onnx_runtime(
        {"linear", "align_corners", "", -0.75f, 0, 3.0f, 2.0f, false, 1, 5});
}

TEST(ResizeKernel, RewriteLeavesWhatItDoesNotImplementAndSaysWhy) {
    Case c{"cubic", "half_pixel", "round_prefer_floor", -0.75f, 0, 2.0f, 2.0f};
    auto m = resize_model(c);
    set_int(*m.mutable_graph()->mutable_node(0), "antialias", 1);
    auto report = kernels::rewrite_for_cpu_kernels(m, true);
    EXPECT_EQ(report.rewritten, 0);
    EXPECT_EQ(kernels::describe(report), "on ONNX Runtime's Resize: Resize 'resize': antialias");

    m = resize_model({"linear", "tf_crop_and_resize", "", -0.75f, 0, 2.0f, 2.0f});
    report = kernels::rewrite_for_cpu_kernels(m, true);
    EXPECT_EQ(kernels::describe(report),
              "on ONNX Runtime's Resize: Resize 'resize': coordinate_transformation_mode "
              "tf_crop_and_resize");

    // In a float16 graph a Resize of float16 input stays ONNX Runtime's; one of float32 input
    // (mlrt's conversion keeps Resize float32 between Casts) is taken.
    m = resize_model(c);
    m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(
        onnx::TensorProto_DataType_FLOAT16);
    report = kernels::rewrite_for_cpu_kernels(m, false);
    EXPECT_EQ(kernels::describe(report), "on ONNX Runtime's Resize: Resize 'resize': float16");
    m = resize_model(c);
    report = kernels::rewrite_for_cpu_kernels(m, false);
    EXPECT_EQ(report.rewritten, 1) << kernels::describe(report);

    // Scales the graph computes cannot be checked up front: left to ONNX Runtime.
    m = resize_model(c);
    m.mutable_graph()->mutable_initializer(0)->set_name("other");
    auto& shape = add_node(*m.mutable_graph(), "Shape", {"x"}, {"scales"});
    (void)shape;
    report = kernels::rewrite_for_cpu_kernels(m, true);
    EXPECT_EQ(kernels::describe(report),
              "on ONNX Runtime's Resize: Resize 'resize': scales computed in the graph");

    m = resize_model(c);
    report = kernels::rewrite_for_cpu_kernels(m, true);
    EXPECT_EQ(kernels::describe(report), "1 Resize node(s) on mlrt's separable kernel");
    EXPECT_EQ(m.graph().node(0).domain(), kernels::kDomain);
    EXPECT_EQ(m.graph().node(0).op_type(), kernels::kResizeScales);
}

}  // namespace

namespace {

const std::filesystem::path kSharedX2 = MLRT_SHARED_MODELS "/realesr-animevideov3-x2.onnx";

// The shared x2 model through the engine on one odd-sized frame, with and without mlrt's
// kernels: the two outputs and the kernels each engine reports.
struct OwnAndTheirs {
    mlrt::Frame ours, theirs;
    std::string ours_note, theirs_note;
};
OwnAndTheirs run_shared_x2(mlrt::EngineOptions o) {
    const mlrt::Frame in = mlrt::test::make_frame(45, 29, 3, 5);
    const mlrt::FrameView v = in.view();
    OwnAndTheirs r;
    for (const bool own : {true, false}) {
        o.own_kernels = own;
        const mlrt::Engine e(mlrt::ModelSource::from_path(kSharedX2),
                             {45, 29, mlrt::SampleType::Float32, {3}}, o);
        (own ? r.ours : r.theirs) = e.run({&v, 1});
        (own ? r.ours_note : r.theirs_note) = e.model_info().kernels;
    }
    return r;
}

// The engine end to end: a real model whose graph ends in a cubic Resize (and nearest-upsamples
// its input) gives what ONNX Runtime's own Resize gives, and says which kernel ran.
TEST(ResizeKernel, EngineOnARealModelMatchesOnnxRuntimesResize) {
    if (!std::filesystem::exists(kSharedX2)) GTEST_SKIP() << kSharedX2 << " is absent";
    const OwnAndTheirs r = run_shared_x2({});
    EXPECT_EQ(r.ours_note,
              "2 Resize node(s) on mlrt's separable kernel; 1 DepthToSpace node(s) on mlrt's "
              "kernel; 17 float PRelu node(s) on mlrt's kernel");
    EXPECT_EQ(r.theirs_note, "");
    EXPECT_LE(mlrt::test::max_abs_diff(r.ours, r.theirs), 1e-5);
}

// The same model converted to float16: its Resize nodes stay float32 between Casts (ONNX
// Runtime's CPU provider has no float16 Resize), and mlrt's kernel takes them all the same.
TEST(ResizeKernel, Float16EngineRunsItsFloat32ResizesOnTheKernel) {
    if (!std::filesystem::exists(kSharedX2)) GTEST_SKIP() << kSharedX2 << " is absent";
    mlrt::test::TempDir cache("mlrt-resize-fp16");
    mlrt::EngineOptions o;
    o.fp16 = true;
    o.output_type = mlrt::SampleType::Float32;
    o.fp16_cache_dir = cache.path();
    const OwnAndTheirs r = run_shared_x2(o);
    // Its DepthToSpace runs in float16, which mlrt's kernel does not take.
    EXPECT_EQ(r.ours_note,
              "2 Resize node(s) on mlrt's separable kernel; on ONNX Runtime's DepthToSpace: "
              "DepthToSpace 'DepthToSpace_35': input neither float32 nor uint8");
    EXPECT_LE(mlrt::test::max_abs_diff(r.ours, r.theirs), 1e-5);
}

}  // namespace
