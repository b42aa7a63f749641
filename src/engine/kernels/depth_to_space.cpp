#include "engine/kernels/depth_to_space.hpp"

#include <cstddef>
#include <vector>

namespace mlrt::detail::kernels {
namespace {

// One output row from `B` input rows: out[w*B + j] = rows[j][w]. B is a template parameter for
// the usual block sizes so that the compiler turns the loop into vector shuffles.
template <int B, typename T>
void interleave(const T* const* rows, T* out, std::int64_t width) {
    for (std::int64_t w = 0; w < width; ++w)
        for (int j = 0; j < B; ++j) out[w * B + j] = rows[j][w];
}

template <typename T>
void interleave_any(const T* const* rows, T* out, std::int64_t width, std::int64_t b) {
    for (std::int64_t w = 0; w < width; ++w)
        for (std::int64_t j = 0; j < b; ++j) out[w * b + j] = rows[j][w];
}

}  // namespace

template <typename T>
void depth_to_space(const T* x, T* y, const DepthToSpaceShape& s, DepthToSpaceMode mode,
                    const ParallelFor& parallel) {
    const std::int64_t b = s.blocksize;
    const std::int64_t out_channels = s.channels / (b * b);
    const std::int64_t plane = s.height * s.width;
    const std::int64_t out_width = s.width * b;
    // One task per input row of each output channel: it writes b output rows.
    const auto tasks = static_cast<std::size_t>(s.batch * out_channels * s.height);
    parallel(tasks, [&](std::size_t task) {
        const auto t = static_cast<std::int64_t>(task);
        const std::int64_t h = t % s.height;
        const std::int64_t c = (t / s.height) % out_channels;
        const std::int64_t n = t / (s.height * out_channels);
        const T* batch_in = x + n * s.channels * plane;
        T* row_out = y + ((n * out_channels + c) * s.height * b + h * b) * out_width;
        std::vector<const T*> rows(static_cast<std::size_t>(b));
        const T* const* src = rows.data();
        for (std::int64_t i = 0; i < b; ++i, row_out += out_width) {
            for (std::int64_t j = 0; j < b; ++j) {
                const std::int64_t k = mode == DepthToSpaceMode::DCR
                                           ? (i * b + j) * out_channels + c
                                           : c * b * b + i * b + j;
                rows[static_cast<std::size_t>(j)] = batch_in + k * plane + h * s.width;
            }
            switch (b) {
                case 1:
                    interleave<1>(src, row_out, s.width);
                    break;
                case 2:
                    interleave<2>(src, row_out, s.width);
                    break;
                case 3:
                    interleave<3>(src, row_out, s.width);
                    break;
                case 4:
                    interleave<4>(src, row_out, s.width);
                    break;
                default:
                    interleave_any(src, row_out, s.width, b);
            }
        }
    });
}

template void depth_to_space<float>(const float*, float*, const DepthToSpaceShape&,
                                    DepthToSpaceMode, const ParallelFor&);
template void depth_to_space<std::uint8_t>(const std::uint8_t*, std::uint8_t*,
                                           const DepthToSpaceShape&, DepthToSpaceMode,
                                           const ParallelFor&);

}  // namespace mlrt::detail::kernels
