#pragma once
// ONNX's DepthToSpace on float32 or uint8 NCHW: the pixel shuffle at the end of most upscalers
// (SRVGG, SPAN, ESRGAN-compact). ONNX Runtime's CPU kernel runs it as a general 6-D transpose,
// several times slower than the memory traffic allows (11-14 ms of a 480x270 -> x4 frame, issue
// 29); here each output row is an interleave of `blocksize` input rows.
#include <cstdint>

#include "engine/kernels/resize.hpp"

namespace mlrt::detail::kernels {

enum class DepthToSpaceMode { DCR, CRD };

// The input tensor [batch, channels, height, width]; channels is a multiple of blocksize².
struct DepthToSpaceShape {
    std::int64_t batch = 1, channels = 1, height = 1, width = 1, blocksize = 1;
};

// y[n][c][h*b + i][w*b + j] = x[n][k][h][w], where k = (i*b + j) * C/b² + c in DCR mode and
// c * b² + i*b + j in CRD mode.
// T: float or std::uint8_t (an int8 graph's quantized tensors, on which ONNX Runtime's kernel is
// slower still: 58 ms for a 128-channel 480x270 output of waifu2x CUNet).
template <typename T>
void depth_to_space(const T* x, T* y, const DepthToSpaceShape& shape, DepthToSpaceMode mode,
                    const ParallelFor& parallel);

}  // namespace mlrt::detail::kernels
