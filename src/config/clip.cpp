#include "mlrt/config/clip.hpp"

#include <string>

#include "mlrt/error.hpp"

namespace mlrt::config {

std::size_t bytes_per_sample(const ClipFormat& f) noexcept {
    if (f.sample_type == SampleKind::Float) return f.bits_per_sample == 16 ? 2 : 4;
    return f.bits_per_sample <= 8 ? 1 : 2;
}

std::size_t plane_size(const ClipFormat& f, int plane) noexcept {
    const bool chroma = plane > 0 && f.color_family == ColorFamily::YUV;
    const int w = chroma ? f.width >> f.subsampling_w : f.width;
    const int h = chroma ? f.height >> f.subsampling_h : f.height;
    return static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * bytes_per_sample(f);
}

void validate(const Clip& clip, std::string_view name) {
    const ClipFormat& f = clip.format;
    const auto fail = [name](const std::string& problem) {
        throw Error(ErrorKind::InvalidArgument, std::string(name) + ": " + problem);
    };
    if (f.width <= 0 || f.height <= 0)
        fail("size " + std::to_string(f.width) + "x" + std::to_string(f.height) +
             " is not positive");
    if (f.sample_type == SampleKind::Integer && (f.bits_per_sample < 8 || f.bits_per_sample > 16))
        fail("integer samples must have 8..16 bits, got " + std::to_string(f.bits_per_sample));
    if (f.sample_type == SampleKind::Float && f.bits_per_sample != 16 && f.bits_per_sample != 32)
        fail("float samples must have 16 or 32 bits, got " + std::to_string(f.bits_per_sample));
    const int expected_planes = f.color_family == ColorFamily::GRAY ? 1 : 3;
    if (f.num_planes != expected_planes)
        fail("a " +
             std::string(f.color_family == ColorFamily::GRAY  ? "GRAY"
                         : f.color_family == ColorFamily::RGB ? "RGB"
                                                              : "YUV") +
             " clip has " + std::to_string(expected_planes) + " planes, the format says " +
             std::to_string(f.num_planes));
    if ((f.subsampling_w | f.subsampling_h) != 0 && f.color_family != ColorFamily::YUV)
        fail("only YUV clips can be subsampled");
    if (f.subsampling_w < 0 || f.subsampling_h < 0 || f.subsampling_w > 2 || f.subsampling_h > 2)
        fail("subsampling must be 0..2");

    for (std::size_t n = 0; n < clip.frames.size(); ++n) {
        const auto& planes = clip.frames[n].planes;
        const std::string where = "frame " + std::to_string(n);
        if (planes.size() != static_cast<std::size_t>(f.num_planes))
            fail(where + " has " + std::to_string(planes.size()) + " planes, the format " +
                 std::to_string(f.num_planes));
        for (int p = 0; p < f.num_planes; ++p)
            if (planes[static_cast<std::size_t>(p)].size() != plane_size(f, p))
                fail(where + " plane " + std::to_string(p) + " holds " +
                     std::to_string(planes[static_cast<std::size_t>(p)].size()) +
                     " bytes, the format needs " + std::to_string(plane_size(f, p)));
    }
}

}  // namespace mlrt::config
