#pragma once
// The float convention: the float planes a model sees for integer samples, and how its float
// output goes back to integers. It is VapourSynth's (its resize, which is zimg): RGB in [0, 1];
// GRAY and Y in [0, 1], U and V in [-0.5, 0.5], limited range expanded. Integer RGB is full
// range and integer YUV and GRAY limited range unless their frames say otherwise (VapourSynth's
// frame property _ColorRange: 0 full, 1 limited, which VapourSynth honours for RGB too). Every
// front end follows it: inference() here, the Python module's numpy arrays, and the command line's
// zimg graphs (its tests check them against this definition).
#include <cstdint>
#include <optional>
#include <string_view>

#include "mlrt/config/args.hpp"
#include "mlrt/config/clip.hpp"
#include "mlrt/export.hpp"

namespace mlrt::config {

// The values of VapourSynth's _ColorRange.
enum class ColorRange { Full = 0, Limited = 1 };

// The range of unmarked integer samples: full for RGB, limited for YUV and GRAY.
MLRT_API ColorRange default_range(ColorFamily family) noexcept;

// The range of a frame: its _ColorRange property where it has one (0 full, 1 limited), else the
// family's default. Throws mlrt::Error(InvalidArgument) naming `where` for another value or type.
MLRT_API ColorRange range_of(ColorFamily family, const ArgMap& props,
                             std::string_view where = "clip");

// "full" or "limited"; parse_range() takes those (and "pc"/"tv", "jpeg"/"mpeg") back.
MLRT_API const char* to_string(ColorRange range) noexcept;
MLRT_API std::optional<ColorRange> parse_range(std::string_view text) noexcept;

// One plane's coding: float = code * scale + offset.
struct PlaneCoding {
    double scale = 1.0;
    double offset = 0.0;

    float to_float(std::uint32_t code) const noexcept {
        return static_cast<float>(static_cast<double>(code) * scale + offset);
    }
    // Rounded to the nearest code and clamped to the codes `bits` can hold, not to the nominal
    // range: what a model puts beyond [0, 1] survives as far as the integer format allows.
    MLRT_API std::uint32_t to_code(float value, int bits) const noexcept;

    bool operator==(const PlaneCoding&) const = default;
};

// The coding of plane `plane` of a `family` clip with `bits`-bit integer samples (8..16) in
// `range`: plane 0 of GRAY and YUV is luma, planes 1 and 2 of YUV are chroma, RGB planes are
// all alike (limited RGB is coded as luma is). Throws mlrt::Error(InvalidArgument) for bits or a
// plane the family lacks.
MLRT_API PlaneCoding plane_coding(ColorFamily family, int plane, ColorRange range, int bits);

}  // namespace mlrt::config
