#pragma once
// Resize of NCHW float planes on the CPU, with ONNX's semantics as ONNX Runtime computes them
// (modes nearest, linear and cubic; coordinate modes half_pixel, align_corners, asymmetric and
// pytorch_half_pixel; nearest_mode; cubic_coeff_a; exclude_outside), but separable: each axis
// is a table of taps and weights built once per shape, the rows are filtered once, and the work
// is split over the caller's threads. ONNX Runtime's own CPU kernel for cubic runs single
// threaded through hash maps: on a 1920x1080 RGB tensor it costs as much as a network's
// convolutions (issue 29's profile), this one about a hundredth of that.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mlrt::detail::kernels {

enum class ResizeMode { Nearest, Linear, Cubic };
enum class CoordinateMode { HalfPixel, AlignCorners, Asymmetric, PytorchHalfPixel };
enum class NearestMode { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };

struct ResizeAttributes {
    ResizeMode mode = ResizeMode::Nearest;
    CoordinateMode coordinates = CoordinateMode::HalfPixel;
    NearestMode nearest = NearestMode::RoundPreferFloor;
    float cubic_coeff_a = -0.75f;
    bool exclude_outside = false;
};

// ONNX's attribute spellings; false for a value this kernel does not implement.
bool parse_mode(const std::string& s, ResizeMode& out);
bool parse_coordinate_mode(const std::string& s, CoordinateMode& out);
bool parse_nearest_mode(const std::string& s, NearestMode& out);

// One axis: for each output index, `taps` input indices (clamped to the axis) and their weights.
struct AxisTaps {
    int taps = 1;
    std::vector<std::int32_t> index;  // out_len * taps
    std::vector<float> weight;        // out_len * taps
};
AxisTaps axis_taps(const ResizeAttributes& a, std::int64_t in_len, std::int64_t out_len,
                   float scale);

// Runs body(i) for i in [0, count), possibly concurrently (the kernel passes ONNX Runtime's
// thread pool; tests pass a plain loop).
using ParallelFor = std::function<void(std::size_t count, const std::function<void(std::size_t)>&)>;

struct PlaneShape {
    std::int64_t planes = 0;  // N * C
    std::int64_t in_h = 0, in_w = 0, out_h = 0, out_w = 0;
};

// The floats of working memory resize() needs: the horizontally filtered rows (12 MB for a
// 1920x1080 RGB input halved). The caller provides it so that it can come from a pool: fresh
// pages for it on every frame cost more than the filtering.
std::size_t resize_scratch_floats(const PlaneShape& shape, const ResizeAttributes& a);

// `in` holds shape.planes planes of in_h x in_w, `out` receives planes of out_h x out_w.
// `scale_h`/`scale_w` are ONNX's (output / input, as given or derived from sizes). `scratch`
// holds resize_scratch_floats() floats.
void resize(const float* in, float* out, const PlaneShape& shape, float scale_h, float scale_w,
            const ResizeAttributes& a, float* scratch, const ParallelFor& parallel);

}  // namespace mlrt::detail::kernels
