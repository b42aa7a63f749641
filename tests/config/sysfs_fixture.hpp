#pragma once
// Builds fake /sys trees in a temporary directory: one bus/pci/devices/<address> folder per
// device with its class, vendor and device files, as the kernel lays them out.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace mlrt::test {

struct PciDevice {
    std::string address;  // "0000:01:00.0"
    std::uint32_t pci_class;
    std::uint32_t vendor;
    std::uint32_t device = 0x1234;
};

class SysfsFixture {
  public:
    explicit SysfsFixture(std::initializer_list<PciDevice> devices) {
        std::random_device rd;
        root_ = std::filesystem::temp_directory_path() /
                ("mlrt-sysfs-" + std::to_string(rd()) + "-" + std::to_string(rd()));
        std::filesystem::create_directories(root_ / "bus/pci/devices");
        for (const PciDevice& d : devices) add(d);
    }
    ~SysfsFixture() {
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }
    SysfsFixture(const SysfsFixture&) = delete;
    SysfsFixture& operator=(const SysfsFixture&) = delete;

    const std::filesystem::path& root() const { return root_; }

    void add(const PciDevice& d) const {
        const auto dir = root_ / "bus/pci/devices" / d.address;
        std::filesystem::create_directories(dir);
        write(dir / "class", hex(d.pci_class, 6));
        write(dir / "vendor", hex(d.vendor, 4));
        write(dir / "device", hex(d.device, 4));
    }

  private:
    static std::string hex(std::uint32_t v, int digits) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "0x%0*x", digits, v);
        return buf;
    }
    static void write(const std::filesystem::path& file, const std::string& text) {
        std::ofstream(file) << text << '\n';
    }

    std::filesystem::path root_;
};

// Typical devices.
inline constexpr std::uint32_t kVga = 0x030000, k3d = 0x030200, kAudio = 0x040300,
                               kBridge = 0x060400;
inline constexpr std::uint32_t kNvidia = 0x10de, kAmd = 0x1002, kIntel = 0x8086, kAspeed = 0x1a03;

}  // namespace mlrt::test
