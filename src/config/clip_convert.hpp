#pragma once
// Integer clips are given to the engine as float, as the reference's inference() does with
// VapourSynth's resize: float16 when the backend converts the model to fp16, else float32, in the
// float convention (mlrt/config/convention.hpp).
#include <cstddef>
#include <span>
#include <vector>

#include "mlrt/config/clip.hpp"
#include "mlrt/config/convention.hpp"
#include "mlrt/frame.hpp"

namespace mlrt::config::detail {

// The engine sample type a clip is given as. Float clips keep theirs.
SampleType engine_sample_type(const ClipFormat& format, bool fp16) noexcept;

// An integer plane of `format` as `type` samples, coded by `coding` (plane_coding()'s).
std::vector<std::byte> integer_plane_to_float(std::span<const std::byte> plane,
                                              const ClipFormat& format, const PlaneCoding& coding,
                                              SampleType type);

}  // namespace mlrt::config::detail
