#pragma once
// mlrt's own CPU kernels, registered with ONNX Runtime through its custom-op API as the domain
// "ai.mlrt" (no fork of ONNX Runtime). The model preparation rewrites the nodes they implement
// (rewrite.hpp); every CPU session is given the domain.
#include <onnxruntime_cxx_api.h>

namespace mlrt::detail::kernels {

inline constexpr const char* kDomain = "ai.mlrt";
inline constexpr const char* kResizeScales = "ResizeScales";  // (X, scales float[4])
inline constexpr const char* kResizeSizes = "ResizeSizes";    // (X, sizes int64[4])
// (X uint8, table uint8[channels or 1, 256]) -> uint8; attribute axis, the channels' axis.
inline constexpr const char* kLookupTable = "LookupTable";
// The same with a float table: (X uint8, table float[channels or 1, 256]) -> float.
inline constexpr const char* kLookupTableFloat = "LookupTableFloat";

// The process's one domain object: sessions refer to it for as long as they live.
OrtCustomOpDomain* custom_op_domain();

}  // namespace mlrt::detail::kernels
