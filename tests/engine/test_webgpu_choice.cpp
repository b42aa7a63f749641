// The WebGPU backend's decisions that need no GPU: which adapter a device index reaches, the
// refusals and their messages, the option set ONNX Runtime receives, and reading ONNX Runtime's
// node placement lines.
#include <gtest/gtest.h>

#include "engine/placement.hpp"
#include "engine/provider_options.hpp"
#include "engine/webgpu/adapter_choice.hpp"
#include "mlrt/error.hpp"

using namespace mlrt;
using detail::choose_webgpu_adapter;

namespace {

GpuAdapter adapter(int index, const char* name, AdapterKind kind, bool f16 = true) {
    GpuAdapter a;
    a.index = index;
    a.name = name;
    a.vendor = "V";
    a.backend = "Vulkan";
    a.kind = kind;
    a.shader_f16 = f16;
    return a;
}

AdapterList laptop() {  // Dawn's order: discrete, integrated, software
    return {{adapter(0, "dGPU", AdapterKind::DiscreteGpu),
             adapter(1, "iGPU", AdapterKind::IntegratedGpu),
             adapter(2, "llvmpipe", AdapterKind::Software)},
            ""};
}

EngineOptions on_device(int id) {
    EngineOptions o;
    o.provider = Provider::WebGPU;
    o.device_id = id;
    return o;
}

std::string refusal(const EngineOptions& o, const AdapterList& list, bool allow_software) {
    try {
        (void)choose_webgpu_adapter(o, list, allow_software);
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Provider);
        return e.what();
    }
    return "";
}

TEST(WebGpuChoice, DeviceZeroIsTheHighPerformancePick) {
    const auto c = choose_webgpu_adapter(on_device(0), laptop(), false);
    ASSERT_TRUE(c.adapter);
    EXPECT_EQ(c.adapter->name, "dGPU");
    EXPECT_EQ(c.power_preference, PowerPreference::HighPerformance);
}

TEST(WebGpuChoice, LowPowerPreferenceOnDeviceZeroGetsTheIntegratedGpu) {
    EngineOptions o = on_device(0);
    o.webgpu.power_preference = PowerPreference::LowPower;
    const auto c = choose_webgpu_adapter(o, laptop(), false);
    EXPECT_EQ(c.adapter->name, "iGPU");
    EXPECT_EQ(c.power_preference, PowerPreference::LowPower);
}

TEST(WebGpuChoice, TheIntegratedGpuIsReachedThroughLowPower) {
    const auto c = choose_webgpu_adapter(on_device(1), laptop(), false);
    EXPECT_EQ(c.adapter->name, "iGPU");
    EXPECT_EQ(c.power_preference, PowerPreference::LowPower);
}

TEST(WebGpuChoice, AnAdapterNeitherPreferenceReachesIsRefusedNamingThoseThatAre) {
    const std::string m = refusal(on_device(2), laptop(), true);
    EXPECT_NE(m.find("device_id 2 (llvmpipe) cannot be selected"), std::string::npos) << m;
    EXPECT_NE(m.find("device 0 (dGPU) and device 1 (iGPU)"), std::string::npos) << m;
}

TEST(WebGpuChoice, OutOfRangeListsTheAdapters) {
    const std::string m = refusal(on_device(7), laptop(), false);
    EXPECT_NE(m.find("device_id 7 is out of range"), std::string::npos) << m;
    EXPECT_NE(m.find("0: dGPU (V, Vulkan, discrete GPU, shader-f16)"), std::string::npos) << m;
    EXPECT_NE(m.find("2: llvmpipe (V, Vulkan, software rasterizer"), std::string::npos) << m;
}

TEST(WebGpuChoice, ASoftwareRasterizerIsRefusedUnlessAllowed) {
    const AdapterList soft{{adapter(0, "llvmpipe", AdapterKind::Software)}, ""};
    const std::string m = refusal(on_device(0), soft, false);
    EXPECT_NE(m.find("llvmpipe, is a software rasterizer"), std::string::npos) << m;
    EXPECT_NE(m.find("MLRT_WEBGPU_ALLOW_SOFTWARE=1"), std::string::npos) << m;
    const auto c = choose_webgpu_adapter(on_device(0), soft, true);
    EXPECT_EQ(c.adapter->name, "llvmpipe");
}

TEST(WebGpuChoice, NoAdapterGivesTheListingsReason) {
    const AdapterList none{{}, "no Vulkan loader (libvulkan.so.1) was found: install it"};
    const std::string m = refusal(on_device(0), none, true);
    EXPECT_NE(m.find("WebGPU: no Vulkan loader (libvulkan.so.1) was found"), std::string::npos)
        << m;
    EXPECT_NE(m.find("the CPU backend needs no GPU"), std::string::npos) << m;
}

TEST(WebGpuProviderOptions, DefaultsAndEveryOption) {
    EngineOptions o = on_device(0);
    using Options = std::vector<std::pair<std::string, std::string>>;
    auto set = detail::provider_option_set(o);
    EXPECT_EQ(set.ort_name, "WebGpuExecutionProvider");
    EXPECT_EQ(set.options, (Options{{"powerPreference", "high-performance"},
                                    {"preferredLayout", "NHWC"},
                                    {"validationMode", "disabled"}}));
    o.webgpu = {.power_preference = PowerPreference::LowPower,
                .layout = TensorLayout::NCHW,
                .validation = true};
    set = detail::provider_option_set(o);
    EXPECT_EQ(set.options, (Options{{"powerPreference", "low-power"},
                                    {"preferredLayout", "NCHW"},
                                    {"validationMode", "basic"}}));
}

TEST(Placements, OneProvider) {
    const auto p = detail::parse_placements(
        {"Node placements", " All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 43"},
        "WebGpuExecutionProvider");
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].provider, "WebGpuExecutionProvider");
    EXPECT_EQ(p[0].nodes, 43);
    EXPECT_EQ(describe_placements(p), "43 nodes on WebGpuExecutionProvider");
}

TEST(Placements, FallbackNodesAreCountedByOpType) {
    const auto p = detail::parse_placements(
        {"Node placements",
         " Node(s) placed on [CPUExecutionProvider]. Number of nodes: 3\n  Shape (s1)\n  Gather "
         "(g)\n  Shape (s2)\n",
         " Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 9\n  Conv (c1)\n"},
        "WebGpuExecutionProvider");
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[0].provider, "WebGpuExecutionProvider");
    EXPECT_EQ(p[1].provider, "CPUExecutionProvider");
    EXPECT_EQ(p[1].nodes, 3);
    EXPECT_EQ(describe_placements(p),
              "9 nodes on WebGpuExecutionProvider; 3 on CPUExecutionProvider: Shape x2, Gather");
}

}  // namespace
