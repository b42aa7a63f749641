#include "engine/kernels/resize.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

namespace mlrt::detail::kernels {
namespace {

// ONNX's coordinate transformation: the input coordinate an output index samples. ONNX Runtime
// leaves an axis whose scale is 1 untouched, which matters for align_corners and
// pytorch_half_pixel at equal lengths.
float original_coordinate(CoordinateMode m, float x, float scale, float out_len, float in_len) {
    if (scale == 1.0f) return x;
    switch (m) {
        case CoordinateMode::Asymmetric:
            return x / scale;
        case CoordinateMode::PytorchHalfPixel:
            return out_len > 1 ? (x + 0.5f) / scale - 0.5f : 0.0f;
        case CoordinateMode::AlignCorners:
            return out_len == 1 ? 0.0f : x * (in_len - 1) / (out_len - 1);
        case CoordinateMode::HalfPixel:
            break;
    }
    return (x + 0.5f) / scale - 0.5f;
}

std::int64_t nearest_pixel(NearestMode m, float x) {
    switch (m) {
        case NearestMode::RoundPreferCeil:
            return static_cast<std::int64_t>(std::round(x));
        case NearestMode::Floor:
            return static_cast<std::int64_t>(std::floor(x));
        case NearestMode::Ceil:
            return static_cast<std::int64_t>(std::ceil(x));
        case NearestMode::RoundPreferFloor:
            break;
    }
    if (x == static_cast<float>(static_cast<std::int64_t>(x)) + 0.5f)
        return static_cast<std::int64_t>(std::floor(x));
    return static_cast<std::int64_t>(std::round(x));
}

// Keys' cubic convolution weights for the four taps around a sample at fraction s.
std::array<float, 4> cubic_weights(float s, float a) {
    const float t = std::abs(s);
    return {((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
            ((a + 2) * t - (a + 3)) * t * t + 1,
            ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
            ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a};
}

std::int32_t clamp_index(std::int64_t i, std::int64_t len) {
    return static_cast<std::int32_t>(std::clamp<std::int64_t>(i, 0, len - 1));
}

// Rows per parallel task: enough work per task to amortise the dispatch.
std::int64_t rows_per_task(std::int64_t row_len) {
    return std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(row_len, 1));
}

}  // namespace

bool parse_mode(const std::string& s, ResizeMode& out) {
    if (s == "nearest")
        out = ResizeMode::Nearest;
    else if (s == "linear")
        out = ResizeMode::Linear;
    else if (s == "cubic")
        out = ResizeMode::Cubic;
    else
        return false;
    return true;
}

bool parse_coordinate_mode(const std::string& s, CoordinateMode& out) {
    if (s == "half_pixel")
        out = CoordinateMode::HalfPixel;
    else if (s == "align_corners")
        out = CoordinateMode::AlignCorners;
    else if (s == "asymmetric")
        out = CoordinateMode::Asymmetric;
    else if (s == "pytorch_half_pixel")
        out = CoordinateMode::PytorchHalfPixel;
    else
        return false;
    return true;
}

bool parse_nearest_mode(const std::string& s, NearestMode& out) {
    if (s == "round_prefer_floor")
        out = NearestMode::RoundPreferFloor;
    else if (s == "round_prefer_ceil")
        out = NearestMode::RoundPreferCeil;
    else if (s == "floor")
        out = NearestMode::Floor;
    else if (s == "ceil")
        out = NearestMode::Ceil;
    else
        return false;
    return true;
}

AxisTaps axis_taps(const ResizeAttributes& a, std::int64_t in_len, std::int64_t out_len,
                   float scale) {
    AxisTaps t;
    t.taps = a.mode == ResizeMode::Nearest ? 1 : a.mode == ResizeMode::Linear ? 2 : 4;
    const auto n = static_cast<std::size_t>(out_len) * static_cast<std::size_t>(t.taps);
    t.index.resize(n);
    t.weight.resize(n);
    for (std::int64_t o = 0; o < out_len; ++o) {
        const auto at = static_cast<std::size_t>(o) * static_cast<std::size_t>(t.taps);
        float x = original_coordinate(a.coordinates, static_cast<float>(o), scale,
                                      static_cast<float>(out_len), static_cast<float>(in_len));
        switch (a.mode) {
            case ResizeMode::Nearest:
                t.index[at] = clamp_index(scale == 1.0f ? o : nearest_pixel(a.nearest, x), in_len);
                t.weight[at] = 1.0f;
                break;
            case ResizeMode::Linear: {
                x = std::max(0.0f, std::min(x, static_cast<float>(in_len - 1)));
                const auto i1 =
                    std::min(static_cast<std::int32_t>(x), static_cast<std::int32_t>(in_len - 1));
                const auto i2 = std::min(i1 + 1, static_cast<std::int32_t>(in_len - 1));
                float d1 = std::fabs(x - static_cast<float>(i1));
                float d2 = std::fabs(x - static_cast<float>(i2));
                if (i1 == i2) d1 = d2 = 0.5f;
                t.index[at] = i1;
                t.index[at + 1] = i2;
                t.weight[at] = d2;  // the nearer sample weighs the other one's distance
                t.weight[at + 1] = d1;
                break;
            }
            case ResizeMode::Cubic: {
                const float fl = std::floor(x);
                const auto base = static_cast<std::int64_t>(fl);
                std::array<float, 4> w = cubic_weights(x - fl, a.cubic_coeff_a);
                if (a.exclude_outside) {
                    float sum = 0;
                    for (int k = 0; k < 4; ++k) {
                        const std::int64_t i = base - 1 + k;
                        if (i < 0 || i >= in_len) w[static_cast<std::size_t>(k)] = 0.0f;
                        sum += w[static_cast<std::size_t>(k)];
                    }
                    for (float& v : w) v /= sum;
                }
                for (int k = 0; k < 4; ++k) {
                    t.index[at + static_cast<std::size_t>(k)] = clamp_index(base - 1 + k, in_len);
                    t.weight[at + static_cast<std::size_t>(k)] = w[static_cast<std::size_t>(k)];
                }
                break;
            }
        }
    }
    return t;
}

std::size_t resize_scratch_floats(const PlaneShape& s, const ResizeAttributes& a) {
    if (a.mode == ResizeMode::Nearest || (s.in_h == s.out_h && s.in_w == s.out_w)) return 0;
    return static_cast<std::size_t>(s.planes * s.in_h * s.out_w);
}

void resize(const float* in, float* out, const PlaneShape& s, float scale_h, float scale_w,
            const ResizeAttributes& a, float* scratch, const ParallelFor& parallel) {
    const std::size_t in_plane = static_cast<std::size_t>(s.in_h * s.in_w);
    const std::size_t out_plane = static_cast<std::size_t>(s.out_h * s.out_w);
    if (s.in_h == s.out_h && s.in_w == s.out_w) {  // as ONNX Runtime: a copy
        std::memcpy(out, in, in_plane * static_cast<std::size_t>(s.planes) * sizeof(float));
        return;
    }
    const AxisTaps tx = axis_taps(a, s.in_w, s.out_w, scale_w);
    const AxisTaps ty = axis_taps(a, s.in_h, s.out_h, scale_h);
    const auto row_block = rows_per_task(s.out_w);
    const std::int64_t blocks_per_plane = (s.out_h + row_block - 1) / row_block;
    const auto tasks = static_cast<std::size_t>(s.planes * blocks_per_plane);

    if (a.mode == ResizeMode::Nearest) {
        parallel(tasks, [&](std::size_t task) {
            const auto p = static_cast<std::int64_t>(task) / blocks_per_plane;
            const std::int64_t y0 =
                (static_cast<std::int64_t>(task) % blocks_per_plane) * row_block;
            const float* src = in + static_cast<std::size_t>(p) * in_plane;
            float* dst = out + static_cast<std::size_t>(p) * out_plane;
            for (std::int64_t y = y0; y < std::min(s.out_h, y0 + row_block); ++y) {
                const float* row =
                    src + static_cast<std::size_t>(ty.index[static_cast<std::size_t>(y)]) *
                              static_cast<std::size_t>(s.in_w);
                float* o = dst + static_cast<std::size_t>(y * s.out_w);
                for (std::int64_t x = 0; x < s.out_w; ++x)
                    o[x] = row[tx.index[static_cast<std::size_t>(x)]];
            }
        });
        return;
    }

    // Horizontal pass: every input row filtered once into `rows` (in_h x out_w per plane), then
    // the vertical pass combines ty.taps of them per output row, as ONNX Runtime does per pixel.
    float* const rows = scratch;
    const auto in_block = rows_per_task(s.out_w);
    const std::int64_t in_blocks = (s.in_h + in_block - 1) / in_block;
    const int kx = tx.taps, ky = ty.taps;
    parallel(static_cast<std::size_t>(s.planes * in_blocks), [&](std::size_t task) {
        const auto p = static_cast<std::int64_t>(task) / in_blocks;
        const std::int64_t r0 = (static_cast<std::int64_t>(task) % in_blocks) * in_block;
        for (std::int64_t r = r0; r < std::min(s.in_h, r0 + in_block); ++r) {
            const float* src =
                in + static_cast<std::size_t>(p) * in_plane + static_cast<std::size_t>(r * s.in_w);
            float* dst = rows + static_cast<std::size_t>((p * s.in_h + r) * s.out_w);
            const std::int32_t* idx = tx.index.data();
            const float* w = tx.weight.data();
            for (std::int64_t x = 0; x < s.out_w; ++x, idx += kx, w += kx) {
                float acc = 0;
                for (int k = 0; k < kx; ++k) acc += w[k] * src[idx[k]];
                dst[x] = acc;
            }
        }
    });
    parallel(tasks, [&](std::size_t task) {
        const auto p = static_cast<std::int64_t>(task) / blocks_per_plane;
        const std::int64_t y0 = (static_cast<std::int64_t>(task) % blocks_per_plane) * row_block;
        const float* plane_rows = rows + static_cast<std::size_t>(p * s.in_h * s.out_w);
        float* dst = out + static_cast<std::size_t>(p) * out_plane;
        for (std::int64_t y = y0; y < std::min(s.out_h, y0 + row_block); ++y) {
            const std::size_t at = static_cast<std::size_t>(y) * static_cast<std::size_t>(ky);
            float* o = dst + static_cast<std::size_t>(y * s.out_w);
            const float* r0 = plane_rows + static_cast<std::size_t>(ty.index[at]) *
                                               static_cast<std::size_t>(s.out_w);
            const float w0 = ty.weight[at];
            for (std::int64_t x = 0; x < s.out_w; ++x) o[x] = r0[x] * w0;
            for (int k = 1; k < ky; ++k) {
                const float* rk = plane_rows + static_cast<std::size_t>(
                                                   ty.index[at + static_cast<std::size_t>(k)]) *
                                                   static_cast<std::size_t>(s.out_w);
                const float wk = ty.weight[at + static_cast<std::size_t>(k)];
                for (std::int64_t x = 0; x < s.out_w; ++x) o[x] += rk[x] * wk;
            }
        }
    });
}

}  // namespace mlrt::detail::kernels
