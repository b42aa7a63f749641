#pragma once
// An in-memory video clip, for inference() and for tests: what a VapourSynth clip carries that
// the engine needs, without VapourSynth. Planes are packed rows (stride = width * bytes per
// sample) in native byte order; integer samples of 9..16 bits take two bytes each.
#include <cstddef>
#include <string_view>
#include <vector>

#include "mlrt/config/args.hpp"
#include "mlrt/export.hpp"

namespace mlrt::config {

enum class ColorFamily { GRAY, RGB, YUV };
enum class SampleKind { Integer, Float };

struct ClipFormat {
    int width = 0;
    int height = 0;
    ColorFamily color_family = ColorFamily::GRAY;
    SampleKind sample_type = SampleKind::Float;
    int bits_per_sample = 32;  // integer: 8..16; float: 16 or 32
    int num_planes = 1;
    int subsampling_w = 0;  // log2 of the chroma subsampling; the engine takes only 0
    int subsampling_h = 0;

    bool operator==(const ClipFormat&) const = default;
};

MLRT_API std::size_t bytes_per_sample(const ClipFormat& format) noexcept;  // 1, 2 or 4
// Bytes in plane `plane`, chroma subsampling included.
MLRT_API std::size_t plane_size(const ClipFormat& format, int plane) noexcept;

struct ClipFrame {
    std::vector<std::vector<std::byte>> planes{};
    ArgMap props{};  // frame properties
};

struct Clip {
    ClipFormat format{};
    std::vector<ClipFrame> frames{};

    int num_frames() const noexcept { return static_cast<int>(frames.size()); }
};

// Throws mlrt::Error(InvalidArgument) naming `name` when the format is impossible (sizes, bits,
// plane count for the color family) or a frame's planes do not match it.
MLRT_API void validate(const Clip& clip, std::string_view name = "clip");

}  // namespace mlrt::config
