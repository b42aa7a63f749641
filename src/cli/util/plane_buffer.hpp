#pragma once
// Planar float frames whose rows meet zimg's alignment rule (address and stride a multiple of
// 64 bytes); mlrt::Frame packs rows tightly, which zimg cannot read or write.
#include <cstddef>
#include <memory>
#include <vector>

#include "mlrt/frame.hpp"

namespace mlrt::cli {

inline constexpr std::size_t kSimdAlign = 64;

struct AlignedDelete {
    void operator()(std::byte* p) const noexcept {
        ::operator delete[](p, std::align_val_t{kSimdAlign});
    }
};
using AlignedBytes = std::unique_ptr<std::byte[], AlignedDelete>;
AlignedBytes allocate_aligned(std::size_t bytes);

class PlaneBuffer {
  public:
    PlaneBuffer() = default;
    PlaneBuffer(int width, int height, int planes, SampleType type);

    int width() const noexcept { return width_; }
    int height() const noexcept { return height_; }
    int num_planes() const noexcept { return static_cast<int>(views_.size()); }
    SampleType type() const noexcept { return type_; }
    std::ptrdiff_t stride() const noexcept { return stride_; }
    std::byte* plane(int p) const noexcept { return mut_views_[static_cast<std::size_t>(p)].data; }

    // The views point into this buffer; they stay valid while it lives, moves included.
    FrameView view() const noexcept { return {width_, height_, type_, views_}; }
    MutableFrameView mutable_view() const noexcept { return {width_, height_, type_, mut_views_}; }

  private:
    int width_ = 0;
    int height_ = 0;
    SampleType type_ = SampleType::Float32;
    std::ptrdiff_t stride_ = 0;
    AlignedBytes storage_;
    std::vector<PlaneView> views_;
    std::vector<MutablePlaneView> mut_views_;
};

}  // namespace mlrt::cli
