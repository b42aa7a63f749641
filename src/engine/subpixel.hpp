#pragma once
// A strided ConvTranspose as the sub-pixel convolution it equals: a Conv with stride² times the
// output channels, a DepthToSpace and, where the pads cut into the result, a Slice. On the CPU
// ONNX Runtime's ConvTranspose is a GEMM and a col2im with no integer kernel: int8 leaves it in
// float between a DequantizeLinear and a QuantizeLinear, where a Conv becomes a QLinearConv.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mlrt::detail {

struct SubpixelReport {
    int rewritten = 0;
    std::vector<std::string> kept;  // "ConvTranspose 'name': why" for each left as it was
};

// Given a ConvTranspose and the name the rewrite would give its Conv's output, whether to
// rewrite it (the int8 conversion asks whether the calibration observed that tensor).
using SubpixelFilter = std::function<bool(const onnx::NodeProto&, const std::string&)>;

// In float the rewrite pays for its layout changes (NCHWc reorders, the shuffle) only on wider
// layers: waifu2x CUNet's 64- and 128-channel ones ran about 3x faster, a workload test model's
// 8-channel ones 2x slower (2.6 ms against 1.4 ms a 480x272 frame). int8 rewrites them all.
inline constexpr std::int64_t kMinFloatInputChannels = 32;

// Rewrites in place each ConvTranspose of the main graph with float32 constant weights, 2-D,
// one group, no dilation, explicit pads, the same stride >= 2 on both axes, and a default-domain
// opset >= 11. The Conv keeps the ConvTranspose's node name (blacklists by name still apply)
// and the last node its output's name; the names given to new tensors depend only on the graph.
// Ones with fewer than `min_input_channels` input channels stay.
SubpixelReport rewrite_conv_transposes(onnx::ModelProto& model,
                                       const SubpixelFilter& filter = nullptr,
                                       std::int64_t min_input_channels = 0);

// What the report means for a user, one line ("" when there were no ConvTranspose nodes).
std::string describe(const SubpixelReport& report);

}  // namespace mlrt::detail
