#pragma once
// The checks every consumer of caller frames makes (the engine, the int8 calibrator).
#include <span>

#include "mlrt/engine.hpp"

namespace mlrt::detail {

// Throws mlrt::Error(InvalidArgument) naming the clip when `clips` do not match `input`.
void check_clips(const InputFormat& input, std::span<const FrameView> clips);

}  // namespace mlrt::detail
