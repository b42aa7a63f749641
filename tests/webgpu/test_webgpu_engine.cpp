// The WebGPU backend on a real device: Mesa's software Vulkan rasterizer (lavapipe), which
// scripts/setup-lavapipe.sh puts under .deps/lavapipe for the tests only. Each test points the
// Vulkan loader at it itself (ctest runs every test in its own process), so nothing else in the
// suite, and no user's GPU driver, is affected.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "engine/onnx_builder.hpp"
#include "mlrt/engine.hpp"
#include "mlrt/error.hpp"
#include "mlrt/int8.hpp"
#include "mlrt/webgpu.hpp"
#include "support/frames.hpp"
#include "support/models.hpp"

using namespace mlrt;
using namespace mlrt::test;

namespace {

std::string icd_path() {
    if (const char* v = std::getenv("MLRT_TEST_VK_ICD")) return v;
    return std::string(MLRT_SOURCE_DIR) + "/.deps/lavapipe/lvp_icd.json";
}

class WebGpu : public ::testing::Test {
  protected:
    void SetUp() override {
        const std::string icd = icd_path();
        if (!std::filesystem::exists(icd))
            GTEST_SKIP() << "no software Vulkan device at " << icd
                         << ": scripts/setup-lavapipe.sh installs it";
        setenv("VK_ICD_FILENAMES", icd.c_str(), 1);
        setenv(kAllowSoftwareGpuEnv, "1", 1);
    }
};

EngineOptions options(Provider p, int streams = 1) {
    EngineOptions o;
    o.provider = p;
    o.num_streams = streams;
    o.log_severity = LogSeverity::Error;
    return o;
}

Frame run(const std::string& model, const Frame& in, const EngineOptions& o) {
    const Engine engine(ModelSource::from_bytes(model, "test model"),
                        {in.width(), in.height(), in.type(), {in.num_planes()}}, o);
    const FrameView view = in.view();
    return engine.run({&view, 1});
}

// y = x + fmod(7x, 1) * 0.1 through `op` (Mod, or another op for the same graph position): a
// GPU provider without a kernel for it leaves that node to the CPU.
std::string fallback_model(const std::string& op) {
    using namespace mlrt::detail;
    onnx::ModelProto m = make_model(13, "mlrt tests", "fallback");
    auto& g = *m.mutable_graph();
    *g.add_input() = tensor_info("x", onnx::TensorProto::FLOAT, {1, 3, "h", "w"});
    *g.add_output() = tensor_info("y", onnx::TensorProto::FLOAT, {1, 3, "h", "w"});
    add_initializer(g, float_tensor("seven", {}, {7.0f}));
    add_initializer(g, float_tensor("one", {}, {1.0f}));
    add_initializer(g, float_tensor("tenth", {}, {0.1f}));
    add_node(g, "Mul", {"x", "seven"}, {"x7"});
    auto& mod = add_node(g, op, {"x7", "one"}, {"frac"}, "the_mod");
    if (op == "Mod") set_int(mod, "fmod", 1);
    add_node(g, "Mul", {"frac", "tenth"}, {"small"});
    add_node(g, "Add", {"x", "small"}, {"y"});
    return m.SerializeAsString();
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

TEST_F(WebGpu, MatchesTheCpuOnConvolutionsUNetsAndWindowedModels) {
    const struct {
        const char* name;
        std::string model;
        int w, h;
    } cases[] = {
        {"conv stack x2", conv_stack_model({.layers = 3, .hidden = 8, .scale = 2}), 37, 29},
        {"unet", unet_model(3, 3), 40, 32},
        {"window partition", window_partition_model(3, 8, 64), 32, 24},
    };
    for (const auto& c : cases) {
        const Frame in = make_frame(c.w, c.h, 3);
        const Frame cpu = run(c.model, in, options(Provider::CPU));
        const Frame gpu = run(c.model, in, options(Provider::WebGPU));
        ASSERT_EQ(gpu.width(), cpu.width()) << c.name;
        EXPECT_LT(max_abs_diff(cpu, gpu), 1e-4) << c.name;
    }
}

// Frame pairs through GridSample warps (RIFE-like interpolators): ONNX Runtime's NHWC layout
// gets GridSample wrong, so the engine runs such models in NCHW.
TEST_F(WebGpu, InterpolatorWithGridSampleMatchesTheCpu) {
    const std::string model = interpolator_model(3, 2);
    const Frame a = make_frame(40, 24, 3, 1), b = make_frame(40, 24, 3, 2);
    Frame t(40, 24, 1, SampleType::Float32);
    std::ranges::fill(t.plane<float>(0), 0.3f);
    const FrameView clips[] = {a.view(), b.view(), t.view()};
    const InputFormat format{40, 24, SampleType::Float32, {3, 3, 1}};
    const auto out = [&](Provider p) {
        return Engine(ModelSource::from_bytes(model, "interpolator"), format, options(p))
            .run(clips);
    };
    EXPECT_LT(max_abs_diff(out(Provider::CPU), out(Provider::WebGPU)), 1e-4);
}

TEST_F(WebGpu, ReportsTheAdapterAndWhereNodesRun) {
    const std::string model = fallback_model("Mod");
    const Engine engine(ModelSource::from_bytes(model, "fallback"),
                        {20, 12, SampleType::Float32, {3}}, options(Provider::WebGPU));
    const ModelInfo& info = engine.model_info();
    EXPECT_EQ(info.device.rfind("WebGPU: llvmpipe", 0), 0u) << info.device;
    EXPECT_NE(info.device.find("software rasterizer"), std::string::npos) << info.device;
    const std::string where = describe_placements(info.placements);
    ASSERT_EQ(info.placements.size(), 2u) << where;
    EXPECT_EQ(info.placements[0].provider, "WebGpuExecutionProvider") << where;
    EXPECT_EQ(info.placements[1].provider, "CPUExecutionProvider") << where;
    EXPECT_NE(where.find("CPUExecutionProvider: Mod"), std::string::npos) << where;
    // And the split graph still computes what the CPU does.
    const Frame in = make_frame(20, 12, 3);
    const FrameView v = in.view();
    EXPECT_LT(max_abs_diff(engine.run({&v, 1}), run(model, in, options(Provider::CPU))), 1e-5);
}

TEST_F(WebGpu, TiledEqualsUntiled) {
    const std::string model = conv_stack_model({.layers = 3, .hidden = 8, .scale = 2, .seed = 4});
    const Frame in = make_frame(40, 30, 3, 11);
    EngineOptions tiled = options(Provider::WebGPU);
    tiled.tile_width = tiled.tile_height = 16;
    tiled.overlap_width = tiled.overlap_height = 4;  // > the receptive field radius, 3
    const Frame whole = run(model, in, options(Provider::WebGPU));
    const Frame tiles = run(model, in, tiled);
    EXPECT_LT(max_abs_diff(whole, tiles), 1e-5);
}

TEST_F(WebGpu, StreamsRunConcurrentlyOnOneDevice) {
    const std::string model = conv_stack_model({.layers = 2, .hidden = 8, .scale = 2, .seed = 5});
    const Engine engine(ModelSource::from_bytes(model, "conv"), {33, 21, SampleType::Float32, {3}},
                        options(Provider::WebGPU, 2));
    const Frame a = make_frame(33, 21, 3, 1), b = make_frame(33, 21, 3, 2);
    const Frame want_a = run(model, a, options(Provider::CPU));
    const Frame want_b = run(model, b, options(Provider::CPU));
    double worst = 0;
    std::mutex m;
    auto work = [&](const Frame& in, const Frame& want) {
        for (int i = 0; i < 3; ++i) {
            const FrameView v = in.view();
            const Frame out = engine.run({&v, 1});
            const std::lock_guard lock(m);
            worst = std::max(worst, max_abs_diff(out, want));
        }
    };
    std::thread t1(work, std::cref(a), std::cref(want_a));
    std::thread t2(work, std::cref(b), std::cref(want_b));
    t1.join();
    t2.join();
    EXPECT_LT(worst, 1e-4);
}

TEST_F(WebGpu, Float16WithShaderF16) {
    const std::string model = conv_stack_model({.layers = 3, .hidden = 8, .scale = 2, .seed = 6});
    const Frame in = make_frame(36, 20, 3, 3);
    EngineOptions half = options(Provider::WebGPU);
    half.fp16 = true;
    half.output_type = SampleType::Float32;
    half.fp16_cache_dir = std::filesystem::temp_directory_path() / "mlrt-webgpu-test-cache";
    const Engine engine(ModelSource::from_bytes(model, "conv"), {36, 20, SampleType::Float32, {3}},
                        half);
    ASSERT_TRUE(engine.model_info().fp16_converted) << "lavapipe has shader-f16";
    const FrameView v = in.view();
    const Frame out = engine.run({&v, 1});
    const Frame want = run(model, in, options(Provider::CPU));
    // float16 rounding errs by about 1e-4 here; an output off by a gain or offset of a few
    // percent (which a PSNR at peak 1 on this small output would let through) does not pass.
    EXPECT_LT(max_abs_diff(want, out), 2e-3);
    EXPECT_GT(max_abs_diff(want, out), 0.0) << "float16 cannot be bit-exact: was it converted?";
}

TEST_F(WebGpu, SharedRealModelsMatchTheCpu) {
    const std::filesystem::path dir = MLRT_SHARED_MODELS;
    int ran = 0;
    for (const char* name : {"realesr-animevideov3-x2.onnx", "realesr-animevideov3-x4.onnx"}) {
        if (!std::filesystem::exists(dir / name)) continue;
        const std::string model = read_file(dir / name);
        const Frame in = make_frame(24, 16, 3, 9);
        const Frame cpu = run(model, in, options(Provider::CPU));
        EXPECT_LT(max_abs_diff(cpu, run(model, in, options(Provider::WebGPU))), 1e-4) << name;
        EngineOptions half = options(Provider::WebGPU);
        half.fp16 = true;
        half.output_type = SampleType::Float32;
        half.fp16_cache_dir = std::filesystem::temp_directory_path() / "mlrt-webgpu-test-cache";
        EXPECT_GE(psnr(cpu.view(), run(model, in, half).view()), 45.0) << name;
        ++ran;
    }
    if (ran == 0) GTEST_SKIP() << "no shared models in " << dir;
}

std::string provider_error(const EngineOptions& o) {
    try {
        (void)run(conv_stack_model({}), make_frame(8, 8, 3), o);
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Provider) << e.what();
        return e.what();
    }
    return "(no error)";
}

TEST_F(WebGpu, DeviceOutOfRangeListsTheAdapters) {
    EngineOptions o = options(Provider::WebGPU);
    o.device_id = 4;
    const std::string m = provider_error(o);
    EXPECT_NE(m.find("device_id 4 is out of range"), std::string::npos) << m;
    EXPECT_NE(m.find("0: llvmpipe"), std::string::npos) << m;
}

TEST_F(WebGpu, ASoftwareDeviceIsRefusedUnlessAllowed) {
    unsetenv(kAllowSoftwareGpuEnv);
    const std::string m = provider_error(options(Provider::WebGPU));
    EXPECT_NE(m.find("is a software rasterizer"), std::string::npos) << m;
    EXPECT_NE(m.find("MLRT_WEBGPU_ALLOW_SOFTWARE=1"), std::string::npos) << m;
    const std::vector<Provider> loadable = loadable_providers();
    EXPECT_EQ(std::find(loadable.begin(), loadable.end(), Provider::WebGPU), loadable.end());
}

TEST_F(WebGpu, NoVulkanDriverSaysWhatToInstall) {
    setenv("VK_ICD_FILENAMES", "/nonexistent/no_icd.json", 1);
    const std::string m = provider_error(options(Provider::WebGPU));
    EXPECT_NE(m.find("WebGPU: the Vulkan loader finds no driver"), std::string::npos) << m;
    EXPECT_NE(m.find("mesa-vulkan-drivers"), std::string::npos) << m;
}

TEST_F(WebGpu, LoadsWhereTheSoftwareDeviceIsAllowed) {
    std::string why;
    EXPECT_TRUE(provider_loads(Provider::WebGPU, 0, &why)) << why;
}

}  // namespace
