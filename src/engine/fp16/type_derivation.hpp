#pragma once
// Only element types matter to the conversion, so they come from the model's declarations and
// the op schemas rather than from ONNX shape inference, whose shape arithmetic crashes (ONNX
// 1.12) on models with inconsistent ranks: a bad model must give an error, not a crash.
#include "engine/fp16/schema.hpp"
#include "engine/fp16/values.hpp"

namespace mlrt::detail::fp16 {

// Gives every Value of the scope tree under `root` that the model leaves untyped the type its
// producer or users imply, forwards and backwards through the schemas' type parameters and
// into and out of If/Loop/Scan bodies, until nothing more can be learnt.
void derive_types(Scope& root, const OpsetMap& opsets);

}  // namespace mlrt::detail::fp16
