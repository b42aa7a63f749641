#pragma once
#include <onnx/onnx_pb.h>

#include "engine/fp16/options.hpp"

namespace mlrt::detail::fp16 {

// The options fix the outer type of every floating-point graph input and output, whatever
// the model had (the engine feeds and reads buffers of exactly that type): I/O the conversion
// did not already bring there, such as float16 I/O of a natively half model, gets a Cast at
// the boundary. The graph body is not touched.
void adapt_io(onnx::GraphProto& graph, const Fp16Options& options);

}  // namespace mlrt::detail::fp16
