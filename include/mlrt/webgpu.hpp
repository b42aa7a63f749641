#pragma once
// The GPUs ONNX Runtime's WebGPU provider can run on. Dawn, the WebGPU implementation inside ONNX
// Runtime, reaches them through the system's graphics API: Vulkan on Linux, D3D12 on Windows,
// Metal on macOS. mlrt lists them itself (through the Vulkan loader on Linux) so that it can name
// the device a session got, refuse a software rasterizer, and say what is missing.
#include <cstdint>
#include <string>
#include <vector>

#include "mlrt/export.hpp"

namespace mlrt {

enum class AdapterKind { DiscreteGpu, IntegratedGpu, VirtualGpu, Software, Other };
MLRT_API const char* to_string(AdapterKind kind) noexcept;  // "discrete GPU", ..., "software"

struct GpuAdapter {
    int index = 0;  // device_id of the WebGPU backend: the position in Dawn's order of preference
    std::string name;     // "NVIDIA GeForce RTX 4070", "llvmpipe (LLVM 15.0.6, 256 bits)"
    std::string vendor;   // "NVIDIA", "AMD", "Intel", "Apple", "Mesa", or the PCI id in hex
    std::string backend;  // "Vulkan"
    std::string driver;   // the driver's own name and version, as it reports them
    std::uint32_t vendor_id = 0;
    std::uint32_t device_id = 0;
    AdapterKind kind = AdapterKind::Other;
    // float16 arithmetic and 16-bit storage buffers in shaders: WebGPU's "shader-f16" feature,
    // without which float16 models cannot run on the GPU.
    bool shader_f16 = false;

    bool software() const noexcept { return kind == AdapterKind::Software; }
};

// "NVIDIA GeForce RTX 4070 (NVIDIA, Vulkan, discrete GPU, shader-f16)"
MLRT_API std::string describe(const GpuAdapter& adapter);

struct AdapterList {
    // Discrete GPUs first, then integrated, virtual, other and software ones: the order in which
    // Dawn prefers them for high performance.
    std::vector<GpuAdapter> adapters;
    // Why the list is empty or incomplete (no Vulkan loader, no device, a failing driver), with
    // what to install; empty when the listing worked.
    std::string problem;
};

// This machine's adapters. Looks again on every call (a few milliseconds).
MLRT_API AdapterList webgpu_adapters();

// The environment variable that lets the WebGPU backend run on a software rasterizer (Mesa's
// llvmpipe): it is refused otherwise, being 10-30x slower than the CPU backend. For testing.
inline constexpr const char* kAllowSoftwareGpuEnv = "MLRT_WEBGPU_ALLOW_SOFTWARE";

}  // namespace mlrt
