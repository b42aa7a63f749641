#pragma once
// The reference's Backend.autoselect: the best backend for GPU `device_id` among the providers
// that actually load on this machine.
#include <functional>
#include <optional>
#include <vector>

#include "mlrt/config/args.hpp"
#include "mlrt/config/backends.hpp"
#include "mlrt/config/gpu.hpp"
#include "mlrt/engine.hpp"
#include "mlrt/export.hpp"
#include "mlrt/webgpu.hpp"

namespace mlrt::config {

enum class Platform { Linux, Windows, MacOS, Other };
MLRT_API Platform current_platform() noexcept;

// What autoselect looks at. Everything defaults to this machine; tests replace parts of it.
struct SystemProbe {
    // The GPUs to choose from; unset: detect_gpus(). Tests give detect_gpus_sysfs(<fixture>).
    std::optional<std::vector<GpuInfo>> gpus;
    // Whether a provider loads for a device; unset: mlrt::provider_loads.
    std::function<bool(Provider, int device_id)> provider_loads;
    // The WebGPU adapters; unset: mlrt::webgpu_adapters().
    std::optional<AdapterList> webgpu_adapters;
    Platform platform = current_platform();
};

// Looks at GPU `device_id` and picks, first that loads:
//   NVIDIA:    CUDA, then DML on Windows, then WebGPU;
//   AMD/Intel: DML on Windows, then WebGPU;
//   Apple:     CoreML;
// and CPU otherwise. WebGPU is taken on the adapter that is this GPU (same PCI vendor and device
// id), never on a software rasterizer; without a listed GPU, on WebGPU adapter `device_id`. The
// backend is built from `fields` (its constructor keyword arguments; a name it lacks is an error)
// plus its device: DML gets device_id (its adapter index), CUDA the GPU's ordinal among NVIDIA GPUs
// (equal to device_id unless other vendors' GPUs come first on the bus), WebGPU the adapter's
// index. Throws mlrt::Error(InvalidArgument) for a negative device_id, a device_id in `fields`, or
// an invalid field.
MLRT_API Backend autoselect(int device_id = 0, const ArgMap& fields = {},
                            const SystemProbe& probe = {});

}  // namespace mlrt::config
