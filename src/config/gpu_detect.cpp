// This platform's GPU listing. Only the branch for the platform being built is compiled; the
// Windows and macOS ones cannot be exercised on Linux CI.
#include <algorithm>

#include "config/arg_reader.hpp"
#include "mlrt/config/gpu.hpp"

#if defined(_WIN32)
#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <dxgi.h>
#include <windows.h>
#ifdef _MSC_VER
#pragma comment(lib, "dxgi.lib")
#endif
#endif

namespace mlrt::config {

const char* to_string(GpuVendor vendor) noexcept {
    switch (vendor) {
        case GpuVendor::NVIDIA:
            return "NVIDIA";
        case GpuVendor::AMD:
            return "AMD";
        case GpuVendor::Intel:
            return "Intel";
        case GpuVendor::Apple:
            return "Apple";
    }
    return "unknown";
}

namespace {

#if defined(_WIN32)
std::string utf8(const wchar_t* wide) {
    const int n = WideCharToMultiByte(CP_UTF8, 0, wide, -1, nullptr, 0, nullptr, nullptr);
    if (n <= 1) return {};
    std::string out(static_cast<std::size_t>(n - 1), '\0');
    WideCharToMultiByte(CP_UTF8, 0, wide, -1, out.data(), n, nullptr, nullptr);
    return out;
}

// Adapters in EnumAdapters1 order, which is the adapter index DirectML's device_id means.
std::vector<GpuInfo> detect_gpus_dxgi() {
    std::vector<GpuInfo> gpus;
    IDXGIFactory1* factory = nullptr;
    if (FAILED(CreateDXGIFactory1(__uuidof(IDXGIFactory1), reinterpret_cast<void**>(&factory))))
        return gpus;
    int per_vendor[4] = {};
    IDXGIAdapter1* adapter = nullptr;
    for (UINT i = 0; factory->EnumAdapters1(i, &adapter) != DXGI_ERROR_NOT_FOUND; ++i) {
        DXGI_ADAPTER_DESC1 desc{};
        const bool described = SUCCEEDED(adapter->GetDesc1(&desc));
        adapter->Release();
        if (!described || (desc.Flags & DXGI_ADAPTER_FLAG_SOFTWARE)) continue;
        GpuVendor vendor;
        switch (desc.VendorId) {
            case 0x10de:
                vendor = GpuVendor::NVIDIA;
                break;
            case 0x1002:
                vendor = GpuVendor::AMD;
                break;
            case 0x8086:
                vendor = GpuVendor::Intel;
                break;
            default:
                continue;
        }
        GpuInfo gpu;
        gpu.vendor = vendor;
        gpu.index = static_cast<int>(i);
        gpu.vendor_index = per_vendor[static_cast<int>(vendor)]++;
        gpu.pci_vendor_id = desc.VendorId;
        gpu.pci_device_id = desc.DeviceId;
        gpu.location = utf8(desc.Description);
        gpus.push_back(std::move(gpu));
    }
    factory->Release();
    return gpus;
}
#endif

}  // namespace

std::vector<GpuInfo> detect_gpus() {
#if defined(_WIN32)
    return detect_gpus_dxgi();
#elif defined(__APPLE__)
    // Core ML picks the compute unit itself: the machine counts as one Apple GPU. Intel Macs are
    // treated the same, as the reference does.
    GpuInfo apple;
    apple.vendor = GpuVendor::Apple;
    apple.location = "Apple GPU";
    return {apple};
#elif defined(__linux__)
    return detect_gpus_sysfs("/sys");
#else
    return {};
#endif
}

std::optional<GpuInfo> get_gpu(int device_id, const std::vector<GpuInfo>& gpus) {
    if (device_id < 0)
        detail::fail_argument("get_gpu", "device_id",
                              "must be >= 0, got " + std::to_string(device_id));
    const auto it = std::find_if(gpus.begin(), gpus.end(),
                                 [device_id](const GpuInfo& g) { return g.index == device_id; });
    if (it == gpus.end()) return std::nullopt;
    return *it;
}

std::optional<GpuInfo> get_gpu(int device_id) {
    return get_gpu(device_id, detect_gpus());
}

}  // namespace mlrt::config
