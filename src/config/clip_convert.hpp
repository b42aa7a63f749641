#pragma once
// Integer clips are given to the engine as float, as the reference's inference() does with
// depth(): float16 when the backend converts the model to fp16, else float32.
#include <cstddef>
#include <span>
#include <vector>

#include "mlrt/config/clip.hpp"
#include "mlrt/frame.hpp"

namespace mlrt::config::detail {

// The engine sample type a clip is given as. Float clips keep theirs.
SampleType engine_sample_type(const ClipFormat& format, bool fp16) noexcept;

// An integer plane as `type` samples scaled to [0, 1] by 1 / (2^bits - 1): full range, on every
// plane alike.
std::vector<std::byte> integer_plane_to_float(std::span<const std::byte> plane,
                                              const ClipFormat& format, SampleType type);

}  // namespace mlrt::config::detail
