#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "mlrt/error.hpp"
#include "mlrt/int8.hpp"

namespace mlrt {
namespace {

float sample(const PlaneView& p, SampleType type, int x, int y) {
    const std::byte* row = p.data + static_cast<std::ptrdiff_t>(y) * p.stride;
    if (type == SampleType::Float32) {
        float v = 0.0f;
        std::memcpy(&v, row + static_cast<std::ptrdiff_t>(x) * 4, 4);
        return v;
    }
    std::uint16_t h = 0;
    std::memcpy(&h, row + static_cast<std::ptrdiff_t>(x) * 2, 2);
    return half_to_float(h);
}

}  // namespace

double psnr(const FrameView& reference, const FrameView& test) {
    if (reference.width != test.width || reference.height != test.height ||
        reference.planes.size() != test.planes.size() || reference.planes.empty())
        throw Error(ErrorKind::InvalidArgument,
                    "psnr: frames differ in size or planes (" + std::to_string(reference.width) +
                        "x" + std::to_string(reference.height) + " vs " +
                        std::to_string(test.width) + "x" + std::to_string(test.height) + ")");
    double sum = 0.0;
    for (std::size_t p = 0; p < reference.planes.size(); ++p)
        for (int y = 0; y < reference.height; ++y)
            for (int x = 0; x < reference.width; ++x) {
                const double d =
                    static_cast<double>(sample(reference.planes[p], reference.type, x, y)) -
                    sample(test.planes[p], test.type, x, y);
                sum += d * d;
            }
    const double mse =
        sum / (static_cast<double>(reference.planes.size()) * reference.width * reference.height);
    return mse == 0.0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(1.0 / mse);
}

}  // namespace mlrt
