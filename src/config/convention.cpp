#include "mlrt/config/convention.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "mlrt/error.hpp"

namespace mlrt::config {

ColorRange default_range(ColorFamily family) noexcept {
    return family == ColorFamily::RGB ? ColorRange::Full : ColorRange::Limited;
}

ColorRange range_of(ColorFamily family, const ArgMap& props, std::string_view where) {
    const auto it = props.find("_ColorRange");
    if (it == props.end()) return default_range(family);
    if (const auto* v = std::get_if<std::int64_t>(&it->second); v && (*v == 0 || *v == 1))
        return *v == 0 ? ColorRange::Full : ColorRange::Limited;
    throw Error(ErrorKind::InvalidArgument,
                std::string(where) + ": frame property _ColorRange is " + to_string(it->second) +
                    "; it must be 0 (full range) or 1 (limited range)");
}

const char* to_string(ColorRange range) noexcept {
    return range == ColorRange::Full ? "full" : "limited";
}

std::optional<ColorRange> parse_range(std::string_view text) noexcept {
    if (text == "full" || text == "pc" || text == "jpeg") return ColorRange::Full;
    if (text == "limited" || text == "tv" || text == "mpeg") return ColorRange::Limited;
    return std::nullopt;
}

std::uint32_t PlaneCoding::to_code(float value, int bits) const noexcept {
    const double max = std::ldexp(1.0, bits) - 1.0;
    const double code = std::nearbyint((static_cast<double>(value) - offset) / scale);
    if (!(code > 0.0)) return 0;  // NaN included
    return static_cast<std::uint32_t>(std::min(code, max));
}

PlaneCoding plane_coding(ColorFamily family, int plane, ColorRange range, int bits) {
    if (bits < 8 || bits > 16)
        throw Error(ErrorKind::InvalidArgument,
                    "integer samples have 8 to 16 bits, not " + std::to_string(bits));
    const int planes = family == ColorFamily::GRAY ? 1 : 3;
    if (plane < 0 || plane >= planes)
        throw Error(ErrorKind::InvalidArgument, "plane " + std::to_string(plane) +
                                                    " is not a plane of a clip with " +
                                                    std::to_string(planes) + " plane(s)");
    const bool chroma = family == ColorFamily::YUV && plane > 0;
    const double max = std::ldexp(1.0, bits) - 1.0;
    if (range == ColorRange::Full)
        return chroma ? PlaneCoding{1.0 / max, -std::ldexp(1.0, bits - 1) / max}
                      : PlaneCoding{1.0 / max, 0.0};
    // Limited range: the 8-bit code points (16..235 luma and RGB, 16..240 chroma) scaled to the
    // depth.
    const double unit = std::ldexp(1.0, bits - 8);
    return chroma ? PlaneCoding{1.0 / (224.0 * unit), -128.0 / 224.0}
                  : PlaneCoding{1.0 / (219.0 * unit), -16.0 / 219.0};
}

}  // namespace mlrt::config
