#pragma once
// float32 -> float16 conversion of an ONNX graph, done on the ONNX protobuf before ONNX Runtime
// sees it, so that every provider runs the same half-precision graph. This is what the rest of
// the engine uses; the other headers in this folder are the conversion's own parts.
#include "engine/fp16/cache.hpp"
#include "engine/fp16/converter.hpp"
#include "engine/fp16/options.hpp"
