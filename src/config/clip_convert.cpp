#include "config/clip_convert.hpp"

#include <cstdint>
#include <cstring>

namespace mlrt::config::detail {

SampleType engine_sample_type(const ClipFormat& f, bool fp16) noexcept {
    if (f.sample_type == SampleKind::Float)
        return f.bits_per_sample == 16 ? SampleType::Float16 : SampleType::Float32;
    return fp16 ? SampleType::Float16 : SampleType::Float32;
}

std::vector<std::byte> integer_plane_to_float(std::span<const std::byte> plane, const ClipFormat& f,
                                              const PlaneCoding& coding, SampleType type) {
    const std::size_t in_size = bytes_per_sample(f);
    const std::size_t count = plane.size() / in_size;
    std::vector<std::byte> out(count * bytes_per_sample(type));
    for (std::size_t i = 0; i < count; ++i) {
        std::uint16_t raw = 0;
        if (in_size == 1) {
            raw = static_cast<std::uint16_t>(plane[i]);
        } else {
            std::memcpy(&raw, plane.data() + 2 * i, 2);
        }
        const float v = coding.to_float(raw);
        if (type == SampleType::Float32) {
            std::memcpy(out.data() + 4 * i, &v, 4);
        } else {
            const std::uint16_t h = float_to_half(v);
            std::memcpy(out.data() + 2 * i, &h, 2);
        }
    }
    return out;
}

}  // namespace mlrt::config::detail
