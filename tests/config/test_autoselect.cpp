// autoselect over sysfs fixtures, platforms and loadable/unloadable providers.
#include <gtest/gtest.h>

#include <set>

#include "mlrt/config/autoselect.hpp"
#include "mlrt/engine.hpp"
#include "mlrt/version.hpp"
#include "sysfs_fixture.hpp"
#include "test_util.hpp"

using namespace mlrt;
using namespace mlrt::config;
using namespace mlrt::test;

namespace {

// A probe over a fixture tree where exactly `loadable` providers load; it records the queries.
struct FakeSystem {
    FakeSystem(const SysfsFixture& tree, std::set<Provider> loadable_, Platform platform) {
        probe.gpus = detect_gpus_sysfs(tree.root());
        probe.platform = platform;
        probe.webgpu_adapters = AdapterList{};  // none unless a test gives some
        probe.provider_loads = [this, loadable = std::move(loadable_)](Provider p, int device) {
            queries.emplace_back(p, device);
            return loadable.contains(p);
        };
    }
    SystemProbe probe;
    std::vector<std::pair<Provider, int>> queries;
};

const std::set<Provider> kAll{Provider::CPU, Provider::CUDA, Provider::DML, Provider::CoreML};
const std::set<Provider> kCpuOnly{Provider::CPU};

TEST(Autoselect, TableOverFixturesPlatformsAndProviders) {
    const SysfsFixture none({{"0000:00:00.0", kBridge, kIntel}});
    const SysfsFixture nvidia({{"0000:01:00.0", kVga, kNvidia}});
    const SysfsFixture amd({{"0000:03:00.0", kVga, kAmd}});
    const SysfsFixture intel({{"0000:00:02.0", kVga, kIntel}});

    const struct {
        const char* what;
        const SysfsFixture& tree;
        std::set<Provider> loadable;
        Platform platform;
        Backend expected;
    } table[] = {
        {"no GPU", none, kAll, Platform::Linux, ORT_CPU()},
        {"no GPU, Windows", none, kAll, Platform::Windows, ORT_CPU()},
        {"NVIDIA, CUDA loads", nvidia, kAll, Platform::Linux, ORT_CUDA()},
        {"NVIDIA, CUDA loads, Windows", nvidia, kAll, Platform::Windows, ORT_CUDA()},
        {"NVIDIA, CUDA does not load", nvidia, kCpuOnly, Platform::Linux, ORT_CPU()},
        {"NVIDIA, only DML, Linux",
         nvidia,
         {Provider::CPU, Provider::DML},
         Platform::Linux,
         ORT_CPU()},
        {"NVIDIA, only DML, Windows",
         nvidia,
         {Provider::CPU, Provider::DML},
         Platform::Windows,
         ORT_DML()},
        {"AMD, Linux", amd, kAll, Platform::Linux, ORT_CPU()},
        {"AMD, Windows", amd, kAll, Platform::Windows, ORT_DML()},
        {"AMD, Windows, no DML", amd, kCpuOnly, Platform::Windows, ORT_CPU()},
        {"Intel, Linux", intel, kAll, Platform::Linux, ORT_CPU()},
        {"Intel, Windows", intel, kAll, Platform::Windows, ORT_DML()},
        {"Intel, Windows, CUDA loads but is not for Intel",
         intel,
         {Provider::CPU, Provider::CUDA},
         Platform::Windows,
         ORT_CPU()},
    };
    for (const auto& row : table) {
        FakeSystem sys(row.tree, row.loadable, row.platform);
        EXPECT_EQ(autoselect(0, {}, sys.probe), row.expected)
            << row.what << ": got " << to_string(autoselect(0, {}, sys.probe));
    }
}

GpuAdapter vulkan_adapter(int index, std::uint32_t vendor, std::uint32_t device, AdapterKind kind) {
    GpuAdapter a;
    a.index = index;
    a.vendor_id = vendor;
    a.device_id = device;
    a.kind = kind;
    return a;
}

// WebGPU after the vendor's own providers, on the adapter that is the GPU, never on software.
TEST(Autoselect, WebGpuWhereNoBetterProviderLoads) {
    const SysfsFixture amd({{"0000:03:00.0", kVga, kAmd, 0x744c}});
    const SysfsFixture nvidia({{"0000:01:00.0", kVga, kNvidia, 0x2684}});
    const SysfsFixture none({{"0000:00:00.0", kBridge, kIntel}});
    const AdapterList amd_and_soft{{vulkan_adapter(0, 0x1002, 0x744c, AdapterKind::DiscreteGpu),
                                    vulkan_adapter(1, 0x10005, 0, AdapterKind::Software)},
                                   ""};
    const AdapterList nvidia_gpu{{vulkan_adapter(0, 0x10de, 0x2684, AdapterKind::DiscreteGpu)}, ""};
    const AdapterList soft_only{{vulkan_adapter(0, 0x10005, 0, AdapterKind::Software)}, ""};
    const std::set<Provider> webgpu{Provider::CPU, Provider::WebGPU};
    const std::set<Provider> cuda_and_webgpu{Provider::CPU, Provider::CUDA, Provider::WebGPU};

    FakeSystem amd_linux(amd, webgpu, Platform::Linux);
    amd_linux.probe.webgpu_adapters = amd_and_soft;
    EXPECT_EQ(autoselect(0, {}, amd_linux.probe), Backend(ORT_WEBGPU()));

    FakeSystem amd_windows(amd, {Provider::CPU, Provider::DML, Provider::WebGPU},
                           Platform::Windows);
    amd_windows.probe.webgpu_adapters = amd_and_soft;
    EXPECT_EQ(autoselect(0, {}, amd_windows.probe), Backend(ORT_DML()));

    FakeSystem nv_cuda(nvidia, cuda_and_webgpu, Platform::Linux);
    nv_cuda.probe.webgpu_adapters = nvidia_gpu;
    EXPECT_EQ(autoselect(0, {}, nv_cuda.probe), Backend(ORT_CUDA()));

    FakeSystem nv_no_cuda(nvidia, webgpu, Platform::Linux);
    nv_no_cuda.probe.webgpu_adapters = nvidia_gpu;
    EXPECT_EQ(autoselect(0, {}, nv_no_cuda.probe), Backend(ORT_WEBGPU()));

    FakeSystem webgpu_fails(nvidia, kCpuOnly, Platform::Linux);
    webgpu_fails.probe.webgpu_adapters = nvidia_gpu;
    EXPECT_EQ(autoselect(0, {}, webgpu_fails.probe), Backend(ORT_CPU()));

    FakeSystem software(none, webgpu, Platform::Linux);
    software.probe.webgpu_adapters = soft_only;
    EXPECT_EQ(autoselect(0, {}, software.probe), Backend(ORT_CPU()));
    EXPECT_TRUE(software.queries.empty()) << "a software rasterizer is not even tried";
}

TEST(Autoselect, AppleGpuPicksCoreml) {
    SystemProbe probe;
    probe.gpus = std::vector<GpuInfo>{{.vendor = GpuVendor::Apple, .location = "Apple GPU"}};
    probe.platform = Platform::MacOS;
    probe.provider_loads = [](Provider p, int) { return p != Provider::CUDA; };
    EXPECT_EQ(autoselect(0, {}, probe), Backend(ORT_COREML()));
    probe.provider_loads = [](Provider p, int) { return p == Provider::CPU; };
    EXPECT_EQ(autoselect(0, {}, probe), Backend(ORT_CPU()));
}

TEST(Autoselect, SeveralGpusPassTheDevice) {
    // Intel iGPU first on the bus, then two NVIDIA GPUs, then AMD.
    const SysfsFixture tree({{"0000:00:02.0", kVga, kIntel},
                             {"0000:01:00.0", kVga, kNvidia},
                             {"0000:41:00.0", k3d, kNvidia},
                             {"0000:c1:00.0", kVga, kAmd}});
    FakeSystem linux_sys(tree, kAll, Platform::Linux);
    EXPECT_EQ(autoselect(0, {}, linux_sys.probe), Backend(ORT_CPU())) << "the Intel iGPU";
    // device 2 is the second NVIDIA GPU: CUDA's ordinal 1.
    EXPECT_EQ(autoselect(2, {}, linux_sys.probe), Backend(ORT_CUDA({.device_id = 1})));
    EXPECT_EQ(linux_sys.queries.back(), std::make_pair(Provider::CUDA, 1));

    FakeSystem windows(tree, {Provider::CPU, Provider::DML}, Platform::Windows);
    EXPECT_EQ(autoselect(3, {}, windows.probe), Backend(ORT_DML({.device_id = 3})));
    EXPECT_EQ(windows.queries.back(), std::make_pair(Provider::DML, 3));
    EXPECT_EQ(autoselect(1, {}, windows.probe), Backend(ORT_DML({.device_id = 1})))
        << "NVIDIA without CUDA falls back to DML on Windows";
}

TEST(Autoselect, OutOfRangeDeviceIsCpu) {
    const SysfsFixture tree({{"0000:01:00.0", kVga, kNvidia}});
    FakeSystem sys(tree, kAll, Platform::Linux);
    EXPECT_EQ(autoselect(1, {}, sys.probe), Backend(ORT_CPU()));
    EXPECT_EQ(autoselect(7, {{"num_streams", std::int64_t{2}}}, sys.probe),
              Backend(ORT_CPU({.num_streams = 2})));
    const auto msg = error_of([&] { autoselect(-1, {}, sys.probe); });
    EXPECT_NE(msg.find("device_id"), std::string::npos) << msg;
}

TEST(Autoselect, ExtraFieldsGoToTheChosenBackend) {
    const SysfsFixture tree({{"0000:01:00.0", kVga, kNvidia}});
    FakeSystem cuda(tree, kAll, Platform::Linux);
    const ArgMap fields{{"fp16", false}, {"tf32", true}, {"num_streams", std::int64_t{2}}};
    EXPECT_EQ(autoselect(0, fields, cuda.probe),
              Backend(ORT_CUDA({.num_streams = 2, .fp16 = false, .tf32 = true})));

    // The same fields on a machine where CUDA does not load: tf32 is not an ORT_CPU field.
    FakeSystem cpu(tree, kCpuOnly, Platform::Linux);
    auto msg = error_of([&] { autoselect(0, fields, cpu.probe); });
    EXPECT_NE(msg.find("ORT_CPU"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'tf32'"), std::string::npos) << msg;

    msg = error_of([&] { autoselect(0, {{"device_id", std::int64_t{0}}}, cuda.probe); });
    EXPECT_NE(msg.find("device_id"), std::string::npos) << msg;
    msg = error_of([&] { autoselect(0, {{"num_streams", std::int64_t{-1}}}, cuda.probe); });
    EXPECT_NE(msg.find("num_streams"), std::string::npos) << msg;
}

TEST(Autoselect, UsesTheRealProbeByDefault) {
    // The default probe is this machine's: the same answer as the probe spelled out, and a
    // provider that really loads here.
    const Backend b = autoselect();
    SystemProbe real;
    real.gpus = detect_gpus();
    real.provider_loads = [](Provider p, int device) { return mlrt::provider_loads(p, device); };
    EXPECT_EQ(b, autoselect(0, {}, real)) << to_string(b);
    EXPECT_TRUE(mlrt::provider_loads(parse_provider(provider_name(b)))) << to_string(b);
    if (real.gpus->empty()) {
        EXPECT_EQ(b, Backend(ORT_CPU())) << "no GPU here: " << to_string(b);
    }
}

}  // namespace
