#pragma once
// Which adapter a WebGPU session will get, decided before ONNX Runtime is asked, so that a wrong
// device index, a software rasterizer or a missing driver gets mlrt's message instead of Dawn's.
#include <optional>

#include "mlrt/engine_options.hpp"
#include "mlrt/webgpu.hpp"

namespace mlrt::detail {

struct WebGpuChoice {
    std::optional<GpuAdapter> adapter;  // unset where mlrt cannot list adapters: Dawn picks
    PowerPreference power_preference = PowerPreference::HighPerformance;
};

// ONNX Runtime's WebGPU provider asks Dawn for an adapter by power preference, so device_id can
// only reach what one of the two preferences picks: device 0 (or the preference in `options`)
// and the low-power pick. Throws mlrt::Error(Provider) naming the adapters otherwise, when there
// is none, and for a software rasterizer unless `allow_software`.
WebGpuChoice choose_webgpu_adapter(const EngineOptions& options, const AdapterList& list,
                                   bool allow_software);

// Whether MLRT_WEBGPU_ALLOW_SOFTWARE is set to 1.
bool software_gpu_allowed();

}  // namespace mlrt::detail
