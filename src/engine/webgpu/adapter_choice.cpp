#include "engine/webgpu/adapter_choice.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "mlrt/error.hpp"

namespace mlrt::detail {
namespace {

[[noreturn]] void fail(const std::string& message) {
    throw Error(ErrorKind::Provider, "WebGPU: " + message);
}

std::string listing(const AdapterList& list) {
    std::string s;
    for (const GpuAdapter& a : list.adapters)
        s += std::string(s.empty() ? "" : "; ") + std::to_string(a.index) + ": " + describe(a);
    return s;
}

std::string software_refusal(const GpuAdapter& a) {
    return "device " + std::to_string(a.index) + ", " + a.name +
           ", is a software rasterizer that runs models 10-30x slower than the CPU backend. "
           "Install your GPU's Vulkan driver, use the CPU backend, or set " +
           kAllowSoftwareGpuEnv + "=1 to use it anyway (for testing)";
}

}  // namespace

bool software_gpu_allowed() {
    const char* v = std::getenv(kAllowSoftwareGpuEnv);
    return v != nullptr && std::string(v) == "1";
}

WebGpuChoice choose_webgpu_adapter(const EngineOptions& o, const AdapterList& list,
                                   bool allow_software) {
    const auto& all = list.adapters;
    if (all.empty()) {
#if defined(__linux__)
        fail(list.problem + " (the CPU backend needs no GPU)");
#else
        if (o.device_id != 0)
            fail("device_id " + std::to_string(o.device_id) + " cannot be chosen: " + list.problem);
        return {std::nullopt, o.webgpu.power_preference};
#endif
    }
    if (o.device_id >= static_cast<int>(all.size()))
        fail("device_id " + std::to_string(o.device_id) +
             " is out of range: the adapters here are " + listing(list));

    // Dawn's picks: the list is in its high-performance order; low power prefers an integrated GPU.
    const GpuAdapter& high = all.front();
    const auto integrated = std::find_if(all.begin(), all.end(), [](const GpuAdapter& a) {
        return a.kind == AdapterKind::IntegratedGpu;
    });
    const GpuAdapter& low = integrated != all.end() ? *integrated : high;

    WebGpuChoice choice;
    if (o.device_id == 0) {
        choice.power_preference = o.webgpu.power_preference;
        choice.adapter = o.webgpu.power_preference == PowerPreference::LowPower ? low : high;
    } else if (o.device_id == low.index) {
        choice.power_preference = PowerPreference::LowPower;
        choice.adapter = low;
    } else {
        const GpuAdapter& want = all[static_cast<std::size_t>(o.device_id)];
        std::string reachable = "device 0 (" + high.name + ")";
        if (low.index != high.index)
            reachable += " and device " + std::to_string(low.index) + " (" + low.name + ")";
        fail("device_id " + std::to_string(o.device_id) + " (" + want.name +
             ") cannot be selected: ONNX Runtime's WebGPU provider chooses its adapter by power "
             "preference, which reaches " +
             reachable + " here");
    }
    if (choice.adapter->software() && !allow_software) fail(software_refusal(*choice.adapter));
    return choice;
}

}  // namespace mlrt::detail
