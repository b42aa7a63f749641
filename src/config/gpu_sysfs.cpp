// GPU listing from Linux sysfs. Plain file reads, so it builds everywhere and tests can point it
// at fixture trees.
#include <algorithm>
#include <fstream>
#include <string>
#include <system_error>

#include "mlrt/config/gpu.hpp"

namespace mlrt::config {
namespace {

// sysfs attributes hold one hex number: "0x030000\n".
std::optional<std::uint32_t> read_hex(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string text;
    if (!(in >> text)) return std::nullopt;
    try {
        std::size_t used = 0;
        const unsigned long value = std::stoul(text, &used, 16);
        if (used != text.size()) return std::nullopt;
        return static_cast<std::uint32_t>(value);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::optional<GpuVendor> vendor_of(std::uint32_t pci_vendor) {
    switch (pci_vendor) {
        case 0x10de:
            return GpuVendor::NVIDIA;
        case 0x1002:
            return GpuVendor::AMD;
        case 0x8086:
            return GpuVendor::Intel;
        default:
            return std::nullopt;
    }
}

}  // namespace

std::vector<GpuInfo> detect_gpus_sysfs(const std::filesystem::path& sysfs_root) {
    const std::filesystem::path devices = sysfs_root / "bus" / "pci" / "devices";
    std::vector<std::filesystem::path> entries;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(devices, ec), end; !ec && it != end;
         it.increment(ec))
        entries.push_back(it->path());
    // Fixed-width lower-case addresses ("0000:01:00.0"): name order is bus order.
    std::sort(entries.begin(), entries.end());

    std::vector<GpuInfo> gpus;
    int per_vendor[4] = {};
    for (const auto& entry : entries) {
        const auto pci_class = read_hex(entry / "class");
        if (!pci_class || (*pci_class >> 16) != 0x03) continue;  // not a display controller
        const auto pci_vendor = read_hex(entry / "vendor");
        const auto vendor = pci_vendor ? vendor_of(*pci_vendor) : std::nullopt;
        if (!vendor) continue;

        GpuInfo gpu;
        gpu.vendor = *vendor;
        gpu.index = static_cast<int>(gpus.size());
        gpu.vendor_index = per_vendor[static_cast<int>(*vendor)]++;
        gpu.pci_vendor_id = *pci_vendor;
        gpu.pci_device_id = read_hex(entry / "device").value_or(0);
        gpu.location = entry.filename().string();
        gpus.push_back(std::move(gpu));
    }
    return gpus;
}

}  // namespace mlrt::config
