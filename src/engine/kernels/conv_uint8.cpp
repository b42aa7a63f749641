#include "engine/kernels/conv_uint8.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "mlrt/cpu.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define MLRT_CONV_VNNI 1
#endif

namespace mlrt::detail::kernels {
namespace {

void check(const ConvUint8Shape& s) {
    if (s.batch < 1 || s.channels < 1 || s.height < 1 || s.width < 1 || s.out_channels < 1 ||
        s.kernel_h < 1 || s.kernel_w < 1 || s.pad_top < 0 || s.pad_left < 0 || s.pad_bottom < 0 ||
        s.pad_right < 0)
        throw std::invalid_argument("uint8 convolution: empty tensor or negative padding");
    if (s.out_height() < 1 || s.out_width() < 1)
        throw std::invalid_argument(
            "uint8 convolution: the kernel is larger than the padded input");
    if (s.channels * s.kernel_h * s.kernel_w > kConvMaxTerms)
        throw std::invalid_argument("uint8 convolution: more than " +
                                    std::to_string(kConvMaxTerms) +
                                    " products per output (channels x kernel taps)");
}

// One output row per task: the plain sums, in 64-bit integers.
void conv_portable(const std::uint8_t* x, Quantization xq, const ConvUint8Shape& s,
                   const std::int16_t* w, const float* w_scale, const float* bias, float* y,
                   const ParallelFor& parallel) {
    const std::int64_t oh = s.out_height(), ow = s.out_width();
    const std::int64_t taps = s.kernel_h * s.kernel_w;
    parallel(static_cast<std::size_t>(s.batch * s.out_channels * oh), [&](std::size_t task) {
        const auto t = static_cast<std::int64_t>(task);
        const std::int64_t i = t % oh, m = t / oh % s.out_channels, n = t / oh / s.out_channels;
        float* out = y + ((n * s.out_channels + m) * oh + i) * ow;
        const float scale = xq.scale * w_scale[m];
        for (std::int64_t j = 0; j < ow; ++j) {
            std::int64_t acc = 0;
            for (std::int64_t c = 0; c < s.channels; ++c)
                for (std::int64_t u = 0; u < s.kernel_h; ++u) {
                    const std::int64_t yi = i + u - s.pad_top;
                    if (yi < 0 || yi >= s.height) continue;
                    const std::uint8_t* row = x + ((n * s.channels + c) * s.height + yi) * s.width;
                    const std::int16_t* wr = w + (m * s.channels + c) * taps + u * s.kernel_w;
                    for (std::int64_t v = 0; v < s.kernel_w; ++v) {
                        const std::int64_t xi = j + v - s.pad_left;
                        if (xi < 0 || xi >= s.width) continue;
                        acc += (std::int64_t{row[xi]} - xq.zero_point) * wr[v];
                    }
                }
            out[j] = static_cast<float>(acc) * scale + bias[m];
        }
    });
}

#ifdef MLRT_CONV_VNNI
#define MLRT_AVX512_VNNI __attribute__((target("avx512f,avx512bw,avx512vnni")))
#define MLRT_AVX_VNNI __attribute__((target("avx2,fma,avxvnni")))

bool has_avx512_vnni() {
    static const bool yes =
        __builtin_cpu_supports("avx512vnni") != 0 && __builtin_cpu_supports("avx512bw") != 0;
    return yes;
}

// AVX-VNNI: the same VPDPBUSD on 256-bit registers, on CPUs without AVX-512 (Alder Lake and
// later Intel desktops and laptops).
bool has_avx_vnni() {
    static const bool yes = cpu_features().avx_vnni && __builtin_cpu_supports("fma") != 0;
    return yes;
}

// The weights as VPDPBUSD broadcasts them: for each kernel tap, group of 4 input channels and
// output channel, the 4 channels' signed bytes in one 32-bit word, once for the high bytes and
// once for the low bytes; and per output the zero point's share of each half's sum.
struct PackedWeights {
    std::int64_t groups = 0, taps = 0, outputs = 0;
    std::vector<std::uint32_t> hi, lo;  // [taps][groups][outputs]
    std::vector<std::int32_t> zero_hi, zero_lo;
    std::vector<float> scale, bias;  // the x scale folded in

    PackedWeights(const std::int16_t* w, const float* w_scale, const float* b, Quantization xq,
                  const ConvUint8Shape& s)
        : groups((s.channels + 3) / 4),
          taps(s.kernel_h * s.kernel_w),
          outputs(s.out_channels),
          hi(static_cast<std::size_t>(taps * groups * outputs), 0),
          lo(hi.size(), 0),
          zero_hi(static_cast<std::size_t>(outputs), 0),
          zero_lo(zero_hi.size(), 0),
          scale(zero_hi.size(), 0.0f),
          bias(zero_hi.size(), 0.0f) {
        for (std::int64_t m = 0; m < outputs; ++m) {
            std::int32_t sum_hi = 0, sum_lo = 0;
            for (std::int64_t c = 0; c < s.channels; ++c)
                for (std::int64_t t = 0; t < taps; ++t) {
                    const std::int32_t v = w[(m * s.channels + c) * taps + t];
                    const std::int32_t h = (v + 128) >> 8;  // floor: the low byte in [-128, 127]
                    const std::int32_t l = v - h * 256;
                    const auto at = static_cast<std::size_t>((t * groups + c / 4) * outputs + m);
                    const int shift = static_cast<int>(c % 4) * 8;
                    hi[at] |= (static_cast<std::uint32_t>(h) & 0xFFu) << shift;
                    lo[at] |= (static_cast<std::uint32_t>(l) & 0xFFu) << shift;
                    sum_hi += h;
                    sum_lo += l;
                }
            const auto i = static_cast<std::size_t>(m);
            zero_hi[i] = sum_hi * xq.zero_point;
            zero_lo[i] = sum_lo * xq.zero_point;
            scale[i] = xq.scale * w_scale[m];
            bias[i] = b[m];
        }
    }
};

// A padded input row as VPDPBUSD reads it: for each group of 4 channels, `stride` 32-bit words,
// one per padded column, holding the 4 channels' bytes (8 or 16 columns fill a register).
void transpose_row(const std::uint8_t* x, const ConvUint8Shape& s, std::int64_t n, std::int64_t yi,
                   std::uint8_t zero, std::int64_t groups, std::int64_t stride,
                   std::uint32_t* row) {
    const std::uint32_t fill = std::uint32_t{zero} * 0x01010101u;
    if (yi < 0 || yi >= s.height) {
        std::fill(row, row + groups * stride, fill);
        return;
    }
    std::vector<std::uint8_t> pad_channel;  // for a last group of fewer than 4 channels
    for (std::int64_t g = 0; g < groups; ++g) {
        std::uint32_t* out = row + g * stride;
        const std::uint8_t* src[4];
        for (std::int64_t k = 0; k < 4; ++k) {
            const std::int64_t c = g * 4 + k;
            if (c < s.channels) {
                src[k] = x + ((n * s.channels + c) * s.height + yi) * s.width;
            } else {
                pad_channel.assign(static_cast<std::size_t>(s.width), zero);
                src[k] = pad_channel.data();
            }
        }
        std::fill(out, out + s.pad_left, fill);
        std::uint32_t* px = out + s.pad_left;
        std::int64_t j = 0;
        for (; j + 16 <= s.width; j += 16) {
            const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src[0] + j));
            const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src[1] + j));
            const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src[2] + j));
            const __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src[3] + j));
            const __m128i ab_lo = _mm_unpacklo_epi8(a, b), ab_hi = _mm_unpackhi_epi8(a, b);
            const __m128i cd_lo = _mm_unpacklo_epi8(c, d), cd_hi = _mm_unpackhi_epi8(c, d);
            auto* dst = reinterpret_cast<__m128i*>(px + j);
            _mm_storeu_si128(dst, _mm_unpacklo_epi16(ab_lo, cd_lo));
            _mm_storeu_si128(dst + 1, _mm_unpackhi_epi16(ab_lo, cd_lo));
            _mm_storeu_si128(dst + 2, _mm_unpacklo_epi16(ab_hi, cd_hi));
            _mm_storeu_si128(dst + 3, _mm_unpackhi_epi16(ab_hi, cd_hi));
        }
        for (; j < s.width; ++j)
            px[j] = std::uint32_t{src[0][j]} | std::uint32_t{src[1][j]} << 8 |
                    std::uint32_t{src[2][j]} << 16 | std::uint32_t{src[3][j]} << 24;
        std::fill(px + s.width, out + stride, fill);
    }
}

// The two instruction sets' inner step. Isa::tile<Chunk, Blocks> computes outputs `first`..
// `first + Chunk` of up to Blocks registers of pixels of one row: rows[u] is the transposed
// input row under kernel row u, from the pixels' first column; `out` is output `first`'s row at
// that column. Each output keeps two sums per register of pixels (high and low weight bytes).
using TileFunction = void (*)(const std::uint32_t* const*, std::int64_t, const PackedWeights&,
                              const ConvUint8Shape&, std::int64_t, std::int64_t, float*,
                              std::int64_t);

// 16 pixels per register; 24 of the 32 registers accumulate.
struct Avx512Vnni {
    static constexpr std::int64_t kLanes = 16;
    static constexpr int kMaxChunk = 12;  // output channels per pass
    static constexpr int kMaxBlocks = 4;  // registers of pixels per pass
    // Few outputs per pass share their input loads over more pixels.
    static constexpr int blocks_for(int chunk) {
        return std::clamp(kMaxChunk / chunk, 1, kMaxBlocks);
    }

    template <int Chunk, int Blocks>
    MLRT_AVX512_VNNI static void tile(const std::uint32_t* const* rows, std::int64_t stride,
                                      const PackedWeights& pw, const ConvUint8Shape& s,
                                      std::int64_t first, std::int64_t pixels, float* out,
                                      std::int64_t plane) {
        __m512i acc_hi[Chunk][Blocks], acc_lo[Chunk][Blocks];
#pragma GCC unroll 12
        for (int m = 0; m < Chunk; ++m)
#pragma GCC unroll 4
            for (int b = 0; b < Blocks; ++b) acc_hi[m][b] = acc_lo[m][b] = _mm512_setzero_si512();
        for (std::int64_t u = 0; u < s.kernel_h; ++u)
            for (std::int64_t v = 0; v < s.kernel_w; ++v) {
                const std::int64_t at = (u * s.kernel_w + v) * pw.groups * pw.outputs + first;
                const std::uint32_t* wh = pw.hi.data() + at;
                const std::uint32_t* wl = pw.lo.data() + at;
                const std::uint32_t* in = rows[u] + v;
                for (std::int64_t g = 0; g < pw.groups;
                     ++g, wh += pw.outputs, wl += pw.outputs, in += stride) {
                    __m512i x[Blocks];
#pragma GCC unroll 4
                    for (int b = 0; b < Blocks; ++b) x[b] = _mm512_loadu_si512(in + b * kLanes);
#pragma GCC unroll 12
                    for (int m = 0; m < Chunk; ++m) {
                        const __m512i h = _mm512_set1_epi32(static_cast<int>(wh[m]));
                        const __m512i l = _mm512_set1_epi32(static_cast<int>(wl[m]));
#pragma GCC unroll 4
                        for (int b = 0; b < Blocks; ++b) {
                            acc_hi[m][b] = _mm512_dpbusd_epi32(acc_hi[m][b], x[b], h);
                            acc_lo[m][b] = _mm512_dpbusd_epi32(acc_lo[m][b], x[b], l);
                        }
                    }
                }
            }
        for (int m = 0; m < Chunk; ++m) {
            const auto i = static_cast<std::size_t>(first + m);
            const __m512i zero_hi = _mm512_set1_epi32(pw.zero_hi[i]);
            const __m512i zero_lo = _mm512_set1_epi32(pw.zero_lo[i]);
            const __m512 scale = _mm512_set1_ps(pw.scale[i]), bias = _mm512_set1_ps(pw.bias[i]);
            for (int b = 0; b < Blocks && b * kLanes < pixels; ++b) {
                const __m512 h =
                    _mm512_maskz_cvtepi32_ps(0xFFFF, _mm512_sub_epi32(acc_hi[m][b], zero_hi));
                const __m512 l =
                    _mm512_maskz_cvtepi32_ps(0xFFFF, _mm512_sub_epi32(acc_lo[m][b], zero_lo));
                const __m512 sum = _mm512_fmadd_ps(h, _mm512_set1_ps(256.0f), l);
                const std::int64_t left = pixels - b * kLanes;
                const auto mask =
                    static_cast<__mmask16>(left >= kLanes ? 0xFFFFu : (1u << left) - 1u);
                _mm512_mask_storeu_ps(out + m * plane + b * kLanes, mask,
                                      _mm512_fmadd_ps(sum, scale, bias));
            }
        }
    }
};

// 8 pixels per register; 12 of the 16 registers accumulate, and the blocks of pixels shrink as
// the outputs grow so that the pixels and the two weight words still fit beside them.
struct AvxVnni {
    static constexpr std::int64_t kLanes = 8;
    static constexpr int kMaxChunk = 6;
    static constexpr int kMaxBlocks = 4;
    static constexpr int blocks_for(int chunk) {
        return std::clamp(14 / (2 * chunk + 1), 1, kMaxBlocks);
    }

    template <int Chunk, int Blocks>
    MLRT_AVX_VNNI static void tile(const std::uint32_t* const* rows, std::int64_t stride,
                                   const PackedWeights& pw, const ConvUint8Shape& s,
                                   std::int64_t first, std::int64_t pixels, float* out,
                                   std::int64_t plane) {
        __m256i acc_hi[Chunk][Blocks], acc_lo[Chunk][Blocks];
#pragma GCC unroll 6
        for (int m = 0; m < Chunk; ++m)
#pragma GCC unroll 4
            for (int b = 0; b < Blocks; ++b) acc_hi[m][b] = acc_lo[m][b] = _mm256_setzero_si256();
        for (std::int64_t u = 0; u < s.kernel_h; ++u)
            for (std::int64_t v = 0; v < s.kernel_w; ++v) {
                const std::int64_t at = (u * s.kernel_w + v) * pw.groups * pw.outputs + first;
                const std::uint32_t* wh = pw.hi.data() + at;
                const std::uint32_t* wl = pw.lo.data() + at;
                const std::uint32_t* in = rows[u] + v;
                for (std::int64_t g = 0; g < pw.groups;
                     ++g, wh += pw.outputs, wl += pw.outputs, in += stride) {
                    __m256i x[Blocks];
#pragma GCC unroll 4
                    for (int b = 0; b < Blocks; ++b)
                        x[b] =
                            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + b * kLanes));
#pragma GCC unroll 6
                    for (int m = 0; m < Chunk; ++m) {
                        const __m256i h = _mm256_set1_epi32(static_cast<int>(wh[m]));
                        const __m256i l = _mm256_set1_epi32(static_cast<int>(wl[m]));
#pragma GCC unroll 4
                        for (int b = 0; b < Blocks; ++b) {
                            acc_hi[m][b] = _mm256_dpbusd_avx_epi32(acc_hi[m][b], x[b], h);
                            acc_lo[m][b] = _mm256_dpbusd_avx_epi32(acc_lo[m][b], x[b], l);
                        }
                    }
                }
            }
        const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        for (int m = 0; m < Chunk; ++m) {
            const auto i = static_cast<std::size_t>(first + m);
            const __m256i zero_hi = _mm256_set1_epi32(pw.zero_hi[i]);
            const __m256i zero_lo = _mm256_set1_epi32(pw.zero_lo[i]);
            const __m256 scale = _mm256_set1_ps(pw.scale[i]), bias = _mm256_set1_ps(pw.bias[i]);
            for (int b = 0; b < Blocks && b * kLanes < pixels; ++b) {
                const __m256 h = _mm256_cvtepi32_ps(_mm256_sub_epi32(acc_hi[m][b], zero_hi));
                const __m256 l = _mm256_cvtepi32_ps(_mm256_sub_epi32(acc_lo[m][b], zero_lo));
                const __m256 sum = _mm256_fmadd_ps(h, _mm256_set1_ps(256.0f), l);
                const __m256 value = _mm256_fmadd_ps(sum, scale, bias);
                float* dst = out + m * plane + b * kLanes;
                const std::int64_t left = pixels - b * kLanes;
                if (left >= kLanes) {
                    _mm256_storeu_ps(dst, value);
                } else {
                    const __m256i mask =
                        _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(left)), lane);
                    _mm256_maskstore_ps(dst, mask, value);
                }
            }
        }
    }
};

template <class Isa, int... Chunks>
constexpr std::array<TileFunction, sizeof...(Chunks)> tiles(std::integer_sequence<int, Chunks...>) {
    return {&Isa::template tile<Chunks + 1, Isa::blocks_for(Chunks + 1)>...};
}

template <class Isa>
void conv_vector(const std::uint8_t* x, Quantization xq, const ConvUint8Shape& s,
                 const std::int16_t* w, const float* w_scale, const float* bias, float* y,
                 const ParallelFor& parallel) {
    static constexpr int kMaxChunk = Isa::kMaxChunk;
    static constexpr std::int64_t kLanes = Isa::kLanes;
    static constexpr auto kTiles = tiles<Isa>(std::make_integer_sequence<int, kMaxChunk>{});
    const PackedWeights pw(w, w_scale, bias, xq, s);
    const std::int64_t oh = s.out_height(), ow = s.out_width(), plane = oh * ow;
    // Outputs in passes of at most kMaxChunk, as even as they go: 48 = 4 x 12, 16 = 2 x 8
    // (with 16 lanes).
    const std::int64_t passes = (s.out_channels + kMaxChunk - 1) / kMaxChunk;
    // Columns: a pass's last step starts before column ow and reads whole registers of
    // pixels (up to kMaxBlocks of them) past each tap.
    const std::int64_t stride = ow + kLanes * Isa::kMaxBlocks + s.kernel_w - 1;
    const std::int64_t row_words = pw.groups * stride;
    // Output rows per task: their input rows stay in a 1 MiB L2 cache.
    const std::int64_t band = std::clamp<std::int64_t>(
        (std::int64_t{512} << 10) / (row_words * 4) - (s.kernel_h - 1), 1, 8);
    const std::int64_t bands = (oh + band - 1) / band;
    const auto zero = static_cast<std::uint8_t>(xq.zero_point);
    parallel(static_cast<std::size_t>(s.batch * bands), [&](std::size_t task) {
        const std::int64_t n = static_cast<std::int64_t>(task) / bands;
        const std::int64_t top = static_cast<std::int64_t>(task) % bands * band;
        const std::int64_t bottom = std::min(oh, top + band);
        const std::int64_t count = bottom - top + s.kernel_h - 1;
        // Each pool thread keeps its rows between runs: fresh pages on every task cost more
        // than the transposition.
        thread_local std::vector<std::uint32_t> buffer;
        buffer.resize(std::max(buffer.size(), static_cast<std::size_t>(count * row_words)));
        for (std::int64_t r = 0; r < count; ++r)
            transpose_row(x, s, n, top + r - s.pad_top, zero, pw.groups, stride,
                          buffer.data() + r * row_words);
        std::vector<const std::uint32_t*> rows(static_cast<std::size_t>(s.kernel_h));
        for (std::int64_t i = top; i < bottom; ++i)
            for (std::int64_t p = 0, first = 0; p < passes; ++p) {
                const std::int64_t last = s.out_channels * (p + 1) / passes;
                const auto chunk = static_cast<int>(last - first);
                const std::int64_t step = kLanes * Isa::blocks_for(chunk);
                for (std::int64_t j = 0; j < ow; j += step) {
                    for (std::int64_t u = 0; u < s.kernel_h; ++u)
                        rows[static_cast<std::size_t>(u)] =
                            buffer.data() + (i - top + u) * row_words + j;
                    kTiles[static_cast<std::size_t>(chunk - 1)](
                        rows.data(), stride, pw, s, first, std::min(step, ow - j),
                        y + ((n * s.out_channels + first) * oh + i) * ow + j, plane);
                }
                first = last;
            }
    });
}
#endif

}  // namespace

bool conv_path_available(ConvPath path) {
    switch (path) {
        case ConvPath::Best:
        case ConvPath::Portable:
            return true;
#ifdef MLRT_CONV_VNNI
        case ConvPath::Avx512Vnni:
            return has_avx512_vnni();
        case ConvPath::AvxVnni:
            return has_avx_vnni();
#else
        case ConvPath::Avx512Vnni:
        case ConvPath::AvxVnni:
            return false;
#endif
    }
    return false;
}

bool conv_uint8_vectorised() {
    return conv_path_available(ConvPath::Avx512Vnni) || conv_path_available(ConvPath::AvxVnni);
}

void conv_uint8(const std::uint8_t* x, Quantization xq, const ConvUint8Shape& shape,
                const std::int16_t* w, const float* w_scale, const float* bias, float* y,
                const ParallelFor& parallel, ConvPath path) {
    check(shape);
    if (!conv_path_available(path))
        throw std::invalid_argument(
            "uint8 convolution: this CPU lacks the instructions of the "
            "path asked for");
    if (path == ConvPath::Best)
        path = conv_path_available(ConvPath::Avx512Vnni) ? ConvPath::Avx512Vnni
               : conv_path_available(ConvPath::AvxVnni)  ? ConvPath::AvxVnni
                                                         : ConvPath::Portable;
#ifdef MLRT_CONV_VNNI
    if (path == ConvPath::Avx512Vnni)
        return conv_vector<Avx512Vnni>(x, xq, shape, w, w_scale, bias, y, parallel);
    if (path == ConvPath::AvxVnni)
        return conv_vector<AvxVnni>(x, xq, shape, w, w_scale, bias, y, parallel);
#endif
    conv_portable(x, xq, shape, w, w_scale, bias, y, parallel);
}

std::vector<std::int16_t> quantize_conv_weights(const std::vector<float>& w,
                                                std::int64_t per_channel,
                                                std::vector<float>& scales) {
    const auto per = static_cast<std::size_t>(per_channel);
    if (per == 0 || w.size() % per != 0)
        throw std::invalid_argument("uint8 convolution: weights not a whole number of channels");
    const std::size_t channels = w.size() / per;
    scales.assign(channels, 1.0f);
    std::vector<std::int16_t> q(w.size());
    for (std::size_t m = 0; m < channels; ++m) {
        float largest = 0.0f;
        for (std::size_t k = 0; k < per; ++k)
            largest = std::max(largest, std::fabs(w[m * per + k]));
        if (largest > 0.0f) scales[m] = largest / kConvWeightMax;
        for (std::size_t k = 0; k < per; ++k)
            q[m * per + k] = static_cast<std::int16_t>(
                std::clamp(std::nearbyint(w[m * per + k] / scales[m]), float{-kConvWeightMax},
                           float{kConvWeightMax}));
    }
    return q;
}

}  // namespace mlrt::detail::kernels
