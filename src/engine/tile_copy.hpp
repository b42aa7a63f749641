#pragma once
// Moving samples between frames and a tile's NCHW tensor: gathering input with mirror padding,
// scattering the cropped output back.
#include <cstddef>
#include <span>

#include "mlrt/frame.hpp"

namespace mlrt::detail {

// Reflects an index into [0, n) without repeating the edge sample (numpy's 'reflect').
int mirror_index(int i, int n) noexcept;

struct TileRect {
    int x = 0, y = 0;  // origin in input frame coordinates (may overhang: mirrored)
    int width = 0, height = 0;
};

// Copies every plane of every clip (in order) into the tensor [1, C, height, width]. All
// clips share the tensor's sample type.
void gather_tile(std::span<const FrameView> clips, const TileRect& tile, std::byte* tensor);

// Copies the output tensor [1, C, height*scale, width*scale] of `tile` into `out`, keeping
// only the region [begin, end) (output coordinates) of each axis. Converts between float
// precisions when the tensor's and the frame's differ.
struct OutputRegion {
    int x_begin = 0, x_end = 0, y_begin = 0, y_end = 0;
};
void scatter_tile(const std::byte* tensor, SampleType tensor_type, const TileRect& tile, int scale,
                  const OutputRegion& region, const MutableFrameView& out);

// The frame's memory as the tensor [1, planes, height, width] of `type`, where it already is
// one: planes back to back with packed rows, starting on a 64-byte boundary (as ONNX Runtime
// aligns its own tensors; its kernels run slower on less). Null otherwise.
const std::byte* frame_as_tensor(const FrameView& frame, SampleType type) noexcept;
std::byte* frame_as_tensor(const MutableFrameView& frame, SampleType type) noexcept;

// The bytes of a tensor that frame_as_tensor() found.
std::size_t tensor_bytes(int width, int height, std::size_t planes, SampleType type) noexcept;

}  // namespace mlrt::detail
