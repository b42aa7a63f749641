#pragma once
// float32 -> int8 QDQ rewrite of an ONNX graph: weights of Conv, ConvTranspose, MatMul and Gemm
// become per-output-channel symmetric int8 behind DequantizeLinear, and the activations around
// them pass through QuantizeLinear -> DequantizeLinear pairs with calibrated uint8 ranges.
// ONNX Runtime fuses DQ -> Conv -> Q into its integer kernels; everything else stays float.
#include <onnx/onnx_pb.h>

#include <map>
#include <string>
#include <vector>

namespace mlrt::detail::int8 {

// The values a tensor took on the calibration frames (after percentile clipping).
struct Range {
    float lo = 0.0f;
    float hi = 0.0f;
};
using RangeTable = std::map<std::string, Range>;

struct QuantizeOptions {
    // Op types or node names kept in float. "first" and "last" name the quantizable nodes
    // nearest the graph input and output (no other quantizable node lies between).
    std::vector<std::string> blacklist;
    // 7-bit weights: AVX2's u8 x s8 multiply-add saturates in 16 bits with full-range weights.
    bool reduce_range = false;
};

// The quantizable nodes of the main graph that the blacklist leaves, and the activation
// tensors around them whose ranges the rewrite needs (what calibration must observe).
struct QuantizationPlan {
    std::vector<int> nodes;            // indices into graph.node(), in graph order
    std::vector<std::string> tensors;  // in first-use order, no duplicates
};
QuantizationPlan plan_quantization(const onnx::ModelProto& model, const QuantizeOptions& options);

// Rewrites `model` in place; throws mlrt::Error(InvalidModel) naming the tensor when `ranges`
// lacks one the plan needs (a calibration made for another model).
void quantize(onnx::ModelProto& model, const RangeTable& ranges, const QuantizeOptions& options);

// The default blacklist, {"first", "last"}: the convolutions that read and write pixels. Their
// few channels make them cheap, and measured on an upscaler they carry most of the loss
// (realesr-animevideov3-x2: 42.1 dB against float32 with only "last", 47.5 dB with both). On a
// CPU with AVX-512 VNNI or AVX-VNNI the float last layer still reads the int8 tensor, on mlrt's
// kernel with 15-bit weights (kernels/conv_uint8.hpp).
std::vector<std::string> default_int8_blacklist();

}  // namespace mlrt::detail::int8
