#include "util/plane_buffer.hpp"

#include <new>
#include <string>

#include "mlrt/error.hpp"

namespace mlrt::cli {

AlignedBytes allocate_aligned(std::size_t bytes) {
    return AlignedBytes(new (std::align_val_t{kSimdAlign}) std::byte[bytes == 0 ? 1 : bytes]);
}

PlaneBuffer::PlaneBuffer(int width, int height, int planes, SampleType type)
    : width_(width), height_(height), type_(type) {
    const auto row = static_cast<std::size_t>(width) * bytes_per_sample(type);
    stride_ = static_cast<std::ptrdiff_t>((row + kSimdAlign - 1) / kSimdAlign * kSimdAlign);
    const auto plane_bytes = static_cast<std::size_t>(stride_) * static_cast<std::size_t>(height);
    try {
        storage_ = allocate_aligned(plane_bytes * static_cast<std::size_t>(planes));
    } catch (const std::bad_alloc&) {
        // Named here, where the size is known; the budget (memory_budget.hpp) should have
        // refused such a job before it started.
        throw Error(
            ErrorKind::Io,
            "out of memory allocating a " + std::to_string(width) + "x" + std::to_string(height) +
                " frame buffer of " + std::to_string(planes) + " plane(s) (" +
                std::to_string(plane_bytes * static_cast<std::size_t>(planes) >> 20) + " MiB)");
    }
    for (int p = 0; p < planes; ++p) {
        std::byte* base = storage_.get() + plane_bytes * static_cast<std::size_t>(p);
        views_.push_back({base, stride_});
        mut_views_.push_back({base, stride_});
    }
}

}  // namespace mlrt::cli
