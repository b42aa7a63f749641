#pragma once
// Element-wise functions of 8-bit tensors as 256-entry tables, one table per channel. In a
// quantized graph, DequantizeLinear -> PRelu -> QuantizeLinear between two integer convolutions
// is a function of one byte per channel: a table computed once replaces two conversions to float
// and back and a float PRelu (issue 29: together 47% of an int8 upscaler's time). LeakyRelu is
// PRelu with one slope.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/kernels/resize.hpp"

namespace mlrt::detail::kernels {

// The tensor around the table's axis: `outer` blocks of `channels` runs of `inner` bytes.
struct LookupShape {
    std::int64_t outer = 1, channels = 1, inner = 1;
};

// Best: AVX-512 VBMI byte permutes for uint8 tables where the CPU has them; Portable: the plain
// loop everywhere (the tests hold the two equal).
enum class LookupPath { Best, Portable };

// y[o][c][i] = table[c * 256 + x[o][c][i]] (table row 0 for every channel when `table_rows` is
// 1): uint8 tables keep the tensor quantized, float tables also dequantize it.
void lookup(const std::uint8_t* in, std::uint8_t* out, const LookupShape& shape,
            const std::uint8_t* table, std::int64_t table_rows, const ParallelFor& parallel,
            LookupPath path = LookupPath::Best);
void lookup(const std::uint8_t* in, float* out, const LookupShape& shape, const float* table,
            std::int64_t table_rows, const ParallelFor& parallel,
            LookupPath path = LookupPath::Best);

// The quantized parameters of one uint8 tensor: value = (q - zero_point) * scale.
struct Quantization {
    float scale = 1.0f;
    std::int32_t zero_point = 0;
};

// The tables of PRelu(DequantizeLinear(q, in), slope[c]) for each channel's slope, computed as
// ONNX Runtime computes the nodes (float products): `slopes.size()` rows of 256.
std::vector<float> prelu_tables(Quantization in, const std::vector<float>& slopes);
// The same, quantized again by QuantizeLinear(·, out) as ONNX Runtime quantizes (round half to
// even, saturation).
std::vector<std::uint8_t> prelu_tables(Quantization in, const std::vector<float>& slopes,
                                       Quantization out);

}  // namespace mlrt::detail::kernels
