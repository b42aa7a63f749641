// GPU listing from sysfs fixture trees.
#include <gtest/gtest.h>

#include "mlrt/config/gpu.hpp"
#include "sysfs_fixture.hpp"
#include "test_util.hpp"

using namespace mlrt::config;
using namespace mlrt::test;

namespace {

TEST(GpuDetect, NoTreeOrNoGpu) {
    EXPECT_TRUE(detect_gpus_sysfs("/nonexistent/sysfs").empty());
    const SysfsFixture none({{"0000:00:00.0", kBridge, kIntel}, {"0000:00:1f.3", kAudio, kIntel}});
    EXPECT_TRUE(detect_gpus_sysfs(none.root()).empty());
    EXPECT_EQ(get_gpu(0, detect_gpus_sysfs(none.root())), std::nullopt);
}

TEST(GpuDetect, EachVendor) {
    const struct {
        std::uint32_t vendor;
        GpuVendor expected;
    } table[] = {{kNvidia, GpuVendor::NVIDIA}, {kAmd, GpuVendor::AMD}, {kIntel, GpuVendor::Intel}};
    for (const auto& row : table) {
        const SysfsFixture tree({{"0000:01:00.0", kVga, row.vendor, 0x2684}});
        const auto gpus = detect_gpus_sysfs(tree.root());
        ASSERT_EQ(gpus.size(), 1u) << to_string(row.expected);
        EXPECT_EQ(gpus[0].vendor, row.expected);
        EXPECT_EQ(gpus[0].index, 0);
        EXPECT_EQ(gpus[0].vendor_index, 0);
        EXPECT_EQ(gpus[0].pci_vendor_id, row.vendor);
        EXPECT_EQ(gpus[0].pci_device_id, 0x2684u);
        EXPECT_EQ(gpus[0].location, "0000:01:00.0");
    }
}

TEST(GpuDetect, DatacenterGpusAre3dControllers) {
    const SysfsFixture tree({{"0000:17:00.0", k3d, kNvidia}});
    ASSERT_EQ(detect_gpus_sysfs(tree.root()).size(), 1u);
}

TEST(GpuDetect, OtherVendorsAndNonDisplayDevicesAreSkipped) {
    // A server: BMC VGA first on the bus, then two NVIDIA GPUs, plus an NVIDIA audio function.
    const SysfsFixture tree({{"0000:03:00.0", kVga, kAspeed},
                             {"0000:17:00.0", k3d, kNvidia},
                             {"0000:17:00.1", kAudio, kNvidia},
                             {"0000:65:00.0", k3d, kNvidia}});
    const auto gpus = detect_gpus_sysfs(tree.root());
    ASSERT_EQ(gpus.size(), 2u);
    EXPECT_EQ(gpus[0].location, "0000:17:00.0");
    EXPECT_EQ(gpus[1].location, "0000:65:00.0");
}

TEST(GpuDetect, SeveralGpusOrderedByPciAddress) {
    // Created out of order; listed by bus address.
    const SysfsFixture tree({{"0000:c1:00.0", kVga, kAmd},
                             {"0000:00:02.0", kVga, kIntel},
                             {"0000:01:00.0", kVga, kNvidia},
                             {"0000:41:00.0", k3d, kNvidia}});
    const auto gpus = detect_gpus_sysfs(tree.root());
    ASSERT_EQ(gpus.size(), 4u);
    const GpuVendor vendors[] = {GpuVendor::Intel, GpuVendor::NVIDIA, GpuVendor::NVIDIA,
                                 GpuVendor::AMD};
    const int vendor_indexes[] = {0, 0, 1, 0};
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(gpus[i].index, i);
        EXPECT_EQ(gpus[i].vendor, vendors[i]) << i;
        EXPECT_EQ(gpus[i].vendor_index, vendor_indexes[i]) << i;
    }
    EXPECT_EQ(get_gpu(2, gpus)->location, "0000:41:00.0");
    EXPECT_EQ(get_gpu(4, gpus), std::nullopt) << "out of range";
    const auto msg = error_of([&] { get_gpu(-1, gpus); });
    EXPECT_NE(msg.find("device_id"), std::string::npos) << msg;
}

TEST(GpuDetect, MalformedFilesAreSkipped) {
    const SysfsFixture tree({{"0000:01:00.0", kVga, kNvidia}});
    const auto broken = tree.root() / "bus/pci/devices/0000:02:00.0";
    std::filesystem::create_directories(broken);
    std::ofstream(broken / "class") << "garbage\n";
    std::ofstream(broken / "vendor") << "0x10de\n";
    const auto no_vendor = tree.root() / "bus/pci/devices/0000:03:00.0";
    std::filesystem::create_directories(no_vendor);
    std::ofstream(no_vendor / "class") << "0x030000\n";
    EXPECT_EQ(detect_gpus_sysfs(tree.root()).size(), 1u);
}

TEST(GpuDetect, VendorNames) {
    EXPECT_STREQ(to_string(GpuVendor::NVIDIA), "NVIDIA");
    EXPECT_STREQ(to_string(GpuVendor::AMD), "AMD");
    EXPECT_STREQ(to_string(GpuVendor::Intel), "Intel");
    EXPECT_STREQ(to_string(GpuVendor::Apple), "Apple");
}

}  // namespace
