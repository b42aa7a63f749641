#pragma once
// PRelu on float32 with one slope per channel: the activation of SRVGG networks
// (realesr-animevideov3, AnimeJaNai and other compact upscalers), 17 of them in a ×4 model.
// ONNX Runtime runs it as a broadcasting binary op: 185 of the 623 ms of a 480x270 frame of
// realesr-animevideov3-x4 on 2 cores (issue 29), several times what reading and writing the
// tensor costs.
#include <cstdint>

#include "engine/kernels/lookup.hpp"
#include "engine/kernels/resize.hpp"

namespace mlrt::detail::kernels {

// Best: AVX-512 where the CPU has it; Portable: the plain loop (the tests hold the two equal).
enum class PreluPath { Best, Portable };

// y[o][c][i] = x < 0 ? x * slopes[c] : x (slopes[0] for every channel when `slope_count` is 1),
// the expression ONNX Runtime evaluates, so the result is the same bit for bit (x > 0 ? x : ...
// would differ in the sign of zeros).
void prelu(const float* x, float* y, const LookupShape& shape, const float* slopes,
           std::int64_t slope_count, const ParallelFor& parallel, PreluPath path = PreluPath::Best);

}  // namespace mlrt::detail::kernels
