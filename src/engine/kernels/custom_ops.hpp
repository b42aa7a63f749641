#pragma once
// mlrt's own CPU kernels, registered with ONNX Runtime through its custom-op API as the domain
// "ai.mlrt" (no fork of ONNX Runtime). The model preparation rewrites the nodes they implement
// (rewrite.hpp); every CPU session is given the domain.
#include <onnxruntime_cxx_api.h>

#include <functional>

namespace mlrt::detail::kernels {

inline constexpr const char* kDomain = "ai.mlrt";
inline constexpr const char* kResizeScales = "ResizeScales";  // (X, scales float[4])
inline constexpr const char* kResizeSizes = "ResizeSizes";    // (X, sizes int64[4])
// (X uint8, table uint8[channels or 1, 256]) -> uint8; attribute axis, the channels' axis.
inline constexpr const char* kLookupTable = "LookupTable";
// The same with a float table: (X uint8, table float[channels or 1, 256]) -> float.
inline constexpr const char* kLookupTableFloat = "LookupTableFloat";
// ONNX's PRelu on float32 with a slope per channel: (X, slope float[channels or 1]) -> float;
// attribute axis, the channels' axis.
inline constexpr const char* kPRelu = "PRelu";
// ONNX's DepthToSpace on float32 NCHW (X) -> Y; attributes blocksize and mode ("DCR", "CRD").
inline constexpr const char* kDepthToSpace = "DepthToSpace";
// The same on uint8 (an int8 graph's quantized tensors).
inline constexpr const char* kDepthToSpaceUint8 = "DepthToSpaceUint8";
// A convolution of uint8 NCHW input with float output (conv_uint8.hpp): (X uint8, W int16
// [M, C, kh, kw], w_scale float[M], B float[M]) -> float; attributes x_scale, x_zero_point and
// pads (top, left, bottom, right). Stride 1, no dilation, one group.
inline constexpr const char* kConvUint8 = "ConvUint8";

// The process's one domain object: sessions refer to it for as long as they live.
OrtCustomOpDomain* custom_op_domain();

// Creates a session whose options carry custom_op_domain(). ONNX Runtime enters a custom domain
// in ONNX's process-wide domain table the first time a session uses it, with a check-then-add
// that two sessions created at once can both pass; the second then fails ("the domain is
// already exist"), as folder mode with --streams 2 showed. Until one such session exists,
// their creation is serialised.
Ort::Session create_with_domain(const std::function<Ort::Session()>& create);

}  // namespace mlrt::detail::kernels
