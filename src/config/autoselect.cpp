#include "mlrt/config/autoselect.hpp"

#include "config/arg_reader.hpp"
#include "mlrt/version.hpp"

namespace mlrt::config {

Platform current_platform() noexcept {
#if defined(_WIN32)
    return Platform::Windows;
#elif defined(__APPLE__)
    return Platform::MacOS;
#elif defined(__linux__)
    return Platform::Linux;
#else
    return Platform::Other;
#endif
}

namespace {

ArgMap with_device(const ArgMap& fields, int device_id) {
    ArgMap out = fields;
    out["device_id"] = std::int64_t{device_id};
    return out;
}

// The WebGPU adapter that is `gpu` (or, with no GPU listed, adapter `device_id`), unless it is a
// software rasterizer.
std::optional<int> webgpu_device(const std::optional<GpuInfo>& gpu, int device_id,
                                 const AdapterList& list) {
    for (const GpuAdapter& a : list.adapters) {
        if (a.software()) continue;
        if (gpu ? a.vendor_id == gpu->pci_vendor_id && a.device_id == gpu->pci_device_id
                : a.index == device_id)
            return a.index;
    }
    return std::nullopt;
}

}  // namespace

Backend autoselect(int device_id, const ArgMap& fields, const SystemProbe& probe) {
    if (device_id < 0)
        detail::fail_argument("autoselect", "device_id",
                              "must be >= 0, got " + std::to_string(device_id));
    if (fields.contains("device_id"))
        detail::fail_argument("autoselect", "device_id",
                              "is autoselect's own parameter: pass it there, not among the "
                              "backend's fields");

    const auto loads = [&probe](Provider p, int id) {
        return probe.provider_loads ? probe.provider_loads(p, id) : provider_loads(p, id);
    };
    const auto gpu = get_gpu(device_id, probe.gpus ? *probe.gpus : detect_gpus());
    const bool windows = probe.platform == Platform::Windows;

    if (gpu) {
        switch (gpu->vendor) {
            case GpuVendor::NVIDIA:
                if (loads(Provider::CUDA, gpu->vendor_index))
                    return ORT_CUDA::from_fields(with_device(fields, gpu->vendor_index));
                [[fallthrough]];
            case GpuVendor::AMD:
            case GpuVendor::Intel:
                if (windows && loads(Provider::DML, device_id))
                    return ORT_DML::from_fields(with_device(fields, device_id));
                break;
            case GpuVendor::Apple:
                if (loads(Provider::CoreML, 0)) return ORT_COREML::from_fields(fields);
                break;
        }
    }
    const auto adapter = webgpu_device(
        gpu, device_id, probe.webgpu_adapters ? *probe.webgpu_adapters : webgpu_adapters());
    if (adapter && loads(Provider::WebGPU, *adapter))
        return ORT_WEBGPU::from_fields(with_device(fields, *adapter));
    return ORT_CPU::from_fields(fields);
}

}  // namespace mlrt::config
