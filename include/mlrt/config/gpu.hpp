#pragma once
// Which GPUs this machine has, for autoselect. Only vendors mlrt has a provider for are listed:
// a display controller of any other vendor (a server's BMC VGA, say) cannot run a model and would
// otherwise take device_id 0 away from the real GPU.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mlrt/export.hpp"

namespace mlrt::config {

enum class GpuVendor { NVIDIA, AMD, Intel, Apple };
MLRT_API const char* to_string(GpuVendor vendor) noexcept;  // "NVIDIA", "AMD", "Intel", "Apple"

struct GpuInfo {
    GpuVendor vendor = GpuVendor::NVIDIA;
    int index = 0;         // the device_id autoselect takes: the DXGI adapter index (DirectML's
                           // device_id) on Windows, the position in the list elsewhere
    int vendor_index = 0;  // position among the GPUs of the same vendor (CUDA's device ordinal
                           // for NVIDIA under PCI bus order)
    std::uint32_t pci_vendor_id = 0;  // 0x10de, 0x1002, 0x8086; 0 for Apple
    std::uint32_t pci_device_id = 0;
    std::string location{};  // PCI address on Linux ("0000:01:00.0"), adapter name elsewhere

    bool operator==(const GpuInfo&) const = default;
};

// Linux: the PCI display controllers (class 0x03xxxx) of NVIDIA (0x10de), AMD (0x1002) and Intel
// (0x8086) under <sysfs_root>/bus/pci/devices, ordered by PCI address. A missing or unreadable
// tree gives an empty list. Available on every platform so that tests can use fixture trees.
MLRT_API std::vector<GpuInfo> detect_gpus_sysfs(const std::filesystem::path& sysfs_root = "/sys");

// This machine's GPUs: sysfs on Linux, DXGI adapters (in DirectML's adapter order, software
// adapters left out) on Windows, the Apple GPU on macOS; an empty list elsewhere.
MLRT_API std::vector<GpuInfo> detect_gpus();

// The GPU with index `device_id` in `gpus`, or nullopt. Throws mlrt::Error(InvalidArgument) for a
// negative device_id.
MLRT_API std::optional<GpuInfo> get_gpu(int device_id, const std::vector<GpuInfo>& gpus);
MLRT_API std::optional<GpuInfo> get_gpu(int device_id);

}  // namespace mlrt::config
