#pragma once
// A convolution of a uint8 tensor with float output: the last layer of an int8 upscaler, which
// the int8 conversion keeps in float for the picture's sake (quantizer.hpp's "last"). ONNX
// Runtime runs it as DequantizeLinear (or a float lookup table) -> a float32 Conv, with the
// float tensor reordered to its blocked layout on the way: on waifu2x UpConv7 at 480x270 those
// took 25 of the int8 model's 138 ms (issue 29), and ONNX Runtime's QLinearConv does no better
// with its 12 output channels. Here the products are integers on VNNI (AVX-512 VNNI or AVX-VNNI):
// uint8 activations times 15-bit weights, each weight split into two signed bytes whose sums are
// kept apart, so the weights lose no more than a float16 would and nothing is rounded to 8 bits on
// the way out.
#include <cstdint>
#include <vector>

#include "engine/kernels/lookup.hpp"
#include "engine/kernels/resize.hpp"

namespace mlrt::detail::kernels {

// NCHW uint8 input [batch, channels, height, width], weights [out_channels, channels, kernel_h,
// kernel_w], stride 1, no dilation, one group; pads top, left, bottom, right.
struct ConvUint8Shape {
    std::int64_t batch = 1, channels = 1, height = 1, width = 1;
    std::int64_t out_channels = 1, kernel_h = 1, kernel_w = 1;
    std::int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;

    std::int64_t out_height() const { return height + pad_top + pad_bottom - kernel_h + 1; }
    std::int64_t out_width() const { return width + pad_left + pad_right - kernel_w + 1; }
};

// The largest weight magnitude: its high byte and low byte are both signed bytes.
inline constexpr std::int16_t kConvWeightMax = 127 * 256 + 127;
// The most products one output sums (channels x kernel taps): each half's sum stays in int32.
inline constexpr std::int64_t kConvMaxTerms = 65536;

// Avx512Vnni: 16 pixels per register; AvxVnni: 8 per register, for CPUs with AVX-VNNI and no
// AVX-512 (Alder Lake and later); Portable: plain integer loops everywhere; Best: the first of
// these the CPU has. The tests hold them all equal.
enum class ConvPath { Best, Avx512Vnni, AvxVnni, Portable };

// Whether `path` runs on this CPU (Best and Portable run everywhere).
bool conv_path_available(ConvPath path);

// Whether Best runs vector code on this CPU (the rewrite hands convolutions to the kernel only
// where it does: the portable loops are far slower than ONNX Runtime's float convolution).
bool conv_uint8_vectorised();

// y[n][m][i][j] = x_q.scale * w_scale[m] * sum over c, u, v of
//                   (x[n][c][i + u - pad_top][j + v - pad_left] - x_q.zero_point) * w[m][c][u][v]
//                 + bias[m],
// where pixels outside the input count as the zero point (a dequantized 0, ONNX's padding).
// |w| <= kConvWeightMax; channels x kernel taps <= kConvMaxTerms. Throws std::invalid_argument
// for a path this CPU lacks.
void conv_uint8(const std::uint8_t* x, Quantization x_q, const ConvUint8Shape& shape,
                const std::int16_t* w, const float* w_scale, const float* bias, float* y,
                const ParallelFor& parallel, ConvPath path = ConvPath::Best);

// Each output channel's weights (`per_channel` values each) as integers within kConvWeightMax
// and one scale: w[m][k] ~ q[m][k] * scales[m]. An all-zero channel gets scale 1.
std::vector<std::int16_t> quantize_conv_weights(const std::vector<float>& w,
                                                std::int64_t per_channel,
                                                std::vector<float>& scales);

}  // namespace mlrt::detail::kernels
