#pragma once
// Small deterministic models mlrt writes itself (`mlrt make-model`), so the demo and the
// tests need no downloads and no Python ONNX package.
#include <string>
#include <string_view>

#include "mlrt/export.hpp"

namespace mlrt {

enum class BuiltinModel {
    Identity,   // output = input
    Upscale2x,  // bilinear 2x (Resize) followed by a mild 3x3 sharpening, clipped to [0, 1]
};

// Names: identity, gray-identity, upscale2x, gray-upscale2x; the gray- ones set *channels to 1.
// Throws mlrt::Error(InvalidArgument) for any other name.
MLRT_API BuiltinModel parse_builtin_model(std::string_view kind, int* channels);
// Serialized ONNX (opset 13, float32, input "input" [1, C, height, width]).
MLRT_API std::string build_model(BuiltinModel kind, int channels);

}  // namespace mlrt
