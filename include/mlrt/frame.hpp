#pragma once
// Planar frames in memory. Views do not own memory and carry a byte stride, so they wrap
// VapourSynth frames or decoder buffers without copying; Frame owns tightly packed planes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <vector>

#include "mlrt/export.hpp"

namespace mlrt {

enum class SampleType { Float32, Float16 };

constexpr std::size_t bytes_per_sample(SampleType t) noexcept {
    return t == SampleType::Float32 ? 4 : 2;
}
MLRT_API const char* to_string(SampleType t) noexcept;

struct PlaneView {
    const std::byte* data = nullptr;
    std::ptrdiff_t stride = 0;  // bytes between rows
};

struct MutablePlaneView {
    std::byte* data = nullptr;
    std::ptrdiff_t stride = 0;
};

// One clip's frame: `planes.size()` planes of width x height samples of `type`.
struct FrameView {
    int width = 0;
    int height = 0;
    SampleType type = SampleType::Float32;
    std::span<const PlaneView> planes;
};

struct MutableFrameView {
    int width = 0;
    int height = 0;
    SampleType type = SampleType::Float32;
    std::span<const MutablePlaneView> planes;
};

// An owning frame with packed rows (stride = width * bytes_per_sample), its planes back to back
// in one zeroed block on a 64-byte boundary: the layout of a [planes, height, width] tensor, which
// an engine that runs the whole frame in one tile reads and writes in place.
class MLRT_API Frame {
  public:
    Frame() = default;
    Frame(int width, int height, int planes, SampleType type);
    Frame(const Frame& other);
    Frame& operator=(const Frame& other);
    Frame(Frame&& other) noexcept;  // moving keeps the planes' addresses; `other` is left empty
    Frame& operator=(Frame&& other) noexcept;
    ~Frame() = default;

    int width() const noexcept { return width_; }
    int height() const noexcept { return height_; }
    int num_planes() const noexcept { return planes_; }
    SampleType type() const noexcept { return type_; }
    std::ptrdiff_t stride() const noexcept {
        return static_cast<std::ptrdiff_t>(width_) *
               static_cast<std::ptrdiff_t>(bytes_per_sample(type_));
    }

    std::span<std::byte> plane_bytes(int p);
    std::span<const std::byte> plane_bytes(int p) const;

    // Typed access; throws mlrt::Error when T does not match the sample type.
    template <class T>
    std::span<T> plane(int p);
    template <class T>
    std::span<const T> plane(int p) const;

    // Views stay valid while this Frame (or the Frame it is moved into) lives.
    FrameView view() const;
    MutableFrameView mutable_view();

  private:
    void allocate();
    void rebuild_views();
    std::size_t plane_size() const noexcept;  // bytes

    int width_ = 0;
    int height_ = 0;
    int planes_ = 0;
    SampleType type_ = SampleType::Float32;
    std::unique_ptr<std::byte[]> storage_;  // 63 bytes more than the planes, for alignment
    std::byte* data_ = nullptr;             // the first plane, on a 64-byte boundary
    std::vector<PlaneView> const_views_;
    std::vector<MutablePlaneView> mut_views_;
};

// IEEE binary16 <-> binary32, round to nearest even; out-of-range values become +-inf.
MLRT_API std::uint16_t float_to_half(float f) noexcept;
MLRT_API float half_to_float(std::uint16_t h) noexcept;

}  // namespace mlrt
