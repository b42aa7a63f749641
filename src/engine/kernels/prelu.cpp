#include "engine/kernels/prelu.hpp"

#include <algorithm>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define MLRT_PRELU_AVX512 1
#endif

namespace mlrt::detail::kernels {
namespace {

// Floats per parallel task: large enough to amortise the dispatch, small enough to share.
constexpr std::int64_t kTaskFloats = std::int64_t{32} * 1024;

void prelu_run_portable(const float* x, float* y, std::int64_t n, float slope) {
    for (std::int64_t i = 0; i < n; ++i) y[i] = x[i] < 0.0f ? x[i] * slope : x[i];
}

#ifdef MLRT_PRELU_AVX512
#define MLRT_AVX512 __attribute__((target("avx512f")))
MLRT_AVX512 void prelu_run_avx512(const float* x, float* y, std::int64_t n, float slope) {
    const __m512 s = _mm512_set1_ps(slope), zero = _mm512_setzero_ps();
    std::int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512 v = _mm512_loadu_ps(x + i);
        const __mmask16 negative = _mm512_cmp_ps_mask(v, zero, _CMP_LT_OQ);
        _mm512_storeu_ps(y + i, _mm512_mask_blend_ps(negative, v, _mm512_mul_ps(v, s)));
    }
    if (i < n) {
        const auto k = static_cast<__mmask16>((1u << (n - i)) - 1);
        const __m512 v = _mm512_maskz_loadu_ps(k, x + i);
        const __mmask16 negative = _mm512_cmp_ps_mask(v, zero, _CMP_LT_OQ);
        _mm512_mask_storeu_ps(y + i, k, _mm512_mask_blend_ps(negative, v, _mm512_mul_ps(v, s)));
    }
}

bool has_avx512() {
    static const bool yes = __builtin_cpu_supports("avx512f") != 0;
    return yes;
}
#endif

void prelu_run(const float* x, float* y, std::int64_t n, float slope, PreluPath path) {
#ifdef MLRT_PRELU_AVX512
    if (path == PreluPath::Best && has_avx512()) return prelu_run_avx512(x, y, n, slope);
#endif
    (void)path;
    prelu_run_portable(x, y, n, slope);
}

}  // namespace

void prelu(const float* x, float* y, const LookupShape& shape, const float* slopes,
           std::int64_t slope_count, const ParallelFor& parallel, PreluPath path) {
    const std::int64_t total = shape.outer * shape.channels * shape.inner;
    if (total <= 0) return;
    if (slope_count == 1 && shape.inner != total)  // one slope: the axis does not matter
        return prelu(x, y, LookupShape{1, 1, total}, slopes, 1, parallel, path);
    const auto slope = [&](std::int64_t c) { return slopes[slope_count == 1 ? 0 : c]; };
    // Tasks cut the tensor into equal ranges; each walks its runs of `inner` floats that share
    // a slope (one float long in a channel-minor tensor).
    const std::int64_t tasks = std::max<std::int64_t>(1, total / kTaskFloats);
    parallel(static_cast<std::size_t>(tasks), [&](std::size_t t) {
        std::int64_t begin = total * static_cast<std::int64_t>(t) / tasks;
        const std::int64_t end = total * (static_cast<std::int64_t>(t) + 1) / tasks;
        while (begin < end) {
            const std::int64_t c = (begin / shape.inner) % shape.channels;
            const std::int64_t run_end = std::min(end, (begin / shape.inner + 1) * shape.inner);
            prelu_run(x + begin, y + begin, run_end - begin, slope(c), path);
            begin = run_end;
        }
    });
}

}  // namespace mlrt::detail::kernels
