#include "engine/tile_copy.hpp"

#include <cstdint>
#include <cstring>

namespace mlrt::detail {
namespace {

void convert_row(const std::byte* src, SampleType from, std::byte* dst, SampleType to, int count) {
    if (from == to) {
        std::memcpy(dst, src, static_cast<std::size_t>(count) * bytes_per_sample(from));
    } else if (from == SampleType::Float16) {
        const auto* s = reinterpret_cast<const std::uint16_t*>(src);
        auto* d = reinterpret_cast<float*>(dst);
        for (int i = 0; i < count; ++i) d[i] = half_to_float(s[i]);
    } else {
        const auto* s = reinterpret_cast<const float*>(src);
        auto* d = reinterpret_cast<std::uint16_t*>(dst);
        for (int i = 0; i < count; ++i) d[i] = float_to_half(s[i]);
    }
}

template <class View>
auto as_tensor(const View& f, SampleType type) noexcept -> decltype(f.planes.front().data) {
    if (f.type != type || f.planes.empty()) return nullptr;
    const auto row =
        static_cast<std::ptrdiff_t>(static_cast<std::size_t>(f.width) * bytes_per_sample(type));
    const auto base = f.planes.front().data;
    if (reinterpret_cast<std::uintptr_t>(base) % 64 != 0) return nullptr;
    for (std::size_t p = 0; p < f.planes.size(); ++p)
        if (f.planes[p].stride != row ||
            f.planes[p].data != base + static_cast<std::ptrdiff_t>(p) * row * f.height)
            return nullptr;
    return base;
}

}  // namespace

const std::byte* frame_as_tensor(const FrameView& frame, SampleType type) noexcept {
    return as_tensor(frame, type);
}

std::byte* frame_as_tensor(const MutableFrameView& frame, SampleType type) noexcept {
    return as_tensor(frame, type);
}

std::size_t tensor_bytes(int width, int height, std::size_t planes, SampleType type) noexcept {
    return static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * planes *
           bytes_per_sample(type);
}

int mirror_index(int i, int n) noexcept {
    if (n == 1) return 0;
    const int period = 2 * (n - 1);
    i %= period;
    if (i < 0) i += period;
    return i < n ? i : period - i;
}

void gather_tile(std::span<const FrameView> clips, const TileRect& tile, std::byte* tensor) {
    const std::size_t bps = bytes_per_sample(clips.front().type);
    const std::size_t row_bytes = static_cast<std::size_t>(tile.width) * bps;
    std::byte* dst = tensor;
    for (const FrameView& clip : clips) {
        const bool row_inside = tile.x >= 0 && tile.x + tile.width <= clip.width;
        for (const PlaneView& plane : clip.planes) {
            for (int r = 0; r < tile.height; ++r, dst += row_bytes) {
                const int y = mirror_index(tile.y + r, clip.height);
                const std::byte* row = plane.data + y * plane.stride;
                if (row_inside) {
                    std::memcpy(dst, row + static_cast<std::size_t>(tile.x) * bps, row_bytes);
                    continue;
                }
                for (int c = 0; c < tile.width; ++c) {
                    const int x = mirror_index(tile.x + c, clip.width);
                    std::memcpy(dst + static_cast<std::size_t>(c) * bps,
                                row + static_cast<std::size_t>(x) * bps, bps);
                }
            }
        }
    }
}

void scatter_tile(const std::byte* tensor, SampleType tensor_type, const TileRect& tile, int scale,
                  const OutputRegion& region, const MutableFrameView& out) {
    const std::size_t tbps = bytes_per_sample(tensor_type);
    const std::size_t obps = bytes_per_sample(out.type);
    const int tw = tile.width * scale;
    const int th = tile.height * scale;
    const int count = region.x_end - region.x_begin;
    if (count <= 0) return;
    const std::size_t plane_samples = static_cast<std::size_t>(tw) * static_cast<std::size_t>(th);
    for (std::size_t p = 0; p < out.planes.size(); ++p) {
        const std::byte* src_plane = tensor + p * plane_samples * tbps;
        const MutablePlaneView& dst_plane = out.planes[p];
        for (int y = region.y_begin; y < region.y_end; ++y) {
            const int ty = y - tile.y * scale;
            const int tx = region.x_begin - tile.x * scale;
            const std::byte* src =
                src_plane + (static_cast<std::size_t>(ty) * static_cast<std::size_t>(tw) +
                             static_cast<std::size_t>(tx)) *
                                tbps;
            std::byte* dst = dst_plane.data + y * dst_plane.stride +
                             static_cast<std::size_t>(region.x_begin) * obps;
            convert_row(src, tensor_type, dst, out.type, count);
        }
    }
}

}  // namespace mlrt::detail
