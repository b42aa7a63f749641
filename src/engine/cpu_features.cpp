#include <cstddef>
#include <cstring>

#include "mlrt/cpu.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace mlrt {
namespace {

#if defined(__x86_64__) || defined(__i386__)
// XCR0: which register states the OS saves on a context switch.
unsigned long long xcr0() {
    unsigned eax = 0, edx = 0;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (static_cast<unsigned long long>(edx) << 32) | eax;
}

CpuFeatures detect() {
    CpuFeatures f;
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (__get_cpuid_max(0x80000000, nullptr) >= 0x80000004) {
        char brand[49] = {};
        for (unsigned i = 0; i < 3; ++i) {
            __cpuid(0x80000002 + i, a, b, c, d);
            char* at = brand + std::size_t{16} * i;
            std::memcpy(at, &a, 4);
            std::memcpy(at + 4, &b, 4);
            std::memcpy(at + 8, &c, 4);
            std::memcpy(at + 12, &d, 4);
        }
        f.name = brand;
        const auto first = f.name.find_first_not_of(' ');
        f.name = first == std::string::npos ? "" : f.name.substr(first);
        while (!f.name.empty() && f.name.back() == ' ') f.name.pop_back();
    }
    if (__get_cpuid_max(0, nullptr) < 7) return f;
    __cpuid(1, a, b, c, d);
    const bool osxsave = (c >> 27) & 1;
    const unsigned long long xcr = osxsave ? xcr0() : 0;
    const bool ymm = (xcr & 0x6) == 0x6;            // SSE and AVX state
    const bool zmm = (xcr & 0xe6) == 0xe6;          // and the AVX-512 opmask/ZMM state
    const bool tiles = (xcr & 0x60000) == 0x60000;  // AMX TILECFG and TILEDATA
    __cpuid_count(7, 0, a, b, c, d);
    f.avx2 = ymm && ((b >> 5) & 1);
    f.avx512 = zmm && ((b >> 16) & 1);
    f.avx512_vnni = f.avx512 && ((c >> 11) & 1);
    f.amx_int8 = tiles && ((d >> 25) & 1);
    __cpuid_count(7, 1, a, b, c, d);
    f.avx_vnni = ymm && ((a >> 4) & 1);
    return f;
}
#else
CpuFeatures detect() {
    return {};
}
#endif

}  // namespace

std::string CpuFeatures::describe() const {
    std::string s;
    for (const auto& [on, label] :
         {std::pair{avx2, "AVX2"}, std::pair{avx512, "AVX-512"},
          std::pair{avx512_vnni, "AVX-512 VNNI"}, std::pair{avx_vnni, "AVX-VNNI"},
          std::pair{amx_int8, "AMX-INT8"}})
        if (on) s += (s.empty() ? "" : ", ") + std::string(label);
    return s.empty() ? "none of AVX2, AVX-512, VNNI, AMX" : s;
}

std::string CpuFeatures::int8_warning() const {
    if (int8_dot_product()) return "";
    return "this CPU (" + (name.empty() ? std::string("unknown") : name) +
           ") has no AVX-512 VNNI, AVX-VNNI or AMX: int8 runs no faster than float32 here (0.9x "
           "measured on a Zen 2); drop int8 unless you need its smaller memory";
}

const CpuFeatures& cpu_features() {
    static const CpuFeatures features = detect();
    return features;
}

}  // namespace mlrt
