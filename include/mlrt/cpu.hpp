#pragma once
// What this CPU offers the int8 path: ONNX Runtime's integer kernels are fast with a dot-product
// instruction (AVX-512 VNNI, AVX-VNNI) or AMX, and no faster than float32 without (measured
// 0.9x on a Zen 2, 3.8x for the convolutions on a Zen 4 with AVX-512 VNNI).
#include <string>

#include "mlrt/export.hpp"

namespace mlrt {

struct CpuFeatures {
    std::string name;  // the brand string, e.g. "AMD EPYC 9R14"
    bool avx2 = false;
    bool avx512 = false;       // AVX-512 F, with the OS saving its registers
    bool avx512_vnni = false;  // AVX-512 VNNI (Cascade Lake, Ice Lake, Zen 4 and later)
    bool avx_vnni = false;     // AVX-VNNI on 256-bit registers (Alder Lake and later)
    bool amx_int8 = false;     // AMX tiles with int8 (Sapphire Rapids and later)

    // Whether int8 convolutions have a dot-product instruction here.
    bool int8_dot_product() const noexcept { return avx512_vnni || avx_vnni || amx_int8; }
    // Why --int8 gains nothing here, for a warning; empty where it has a dot-product instruction.
    MLRT_API std::string int8_warning() const;
    // "AVX2, AVX-512, AVX-512 VNNI" (the features above that are present), or "none of ...".
    MLRT_API std::string describe() const;
};

// Read once with CPUID (x86-64); all false elsewhere.
MLRT_API const CpuFeatures& cpu_features();

}  // namespace mlrt
