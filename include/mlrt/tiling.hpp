#pragma once
// Where the tiles of a frame go. Pure geometry, shared by the engine, the benchmark and tests.
#include <cstddef>
#include <vector>

#include "mlrt/export.hpp"

namespace mlrt {

enum class TileMode {
    Literal,   // tiles are exactly the requested size (the VapourSynth plugin's default)
    Balanced,  // requested size is a maximum: fewest tiles, then the smallest size that covers
};

struct AxisTiling {
    int tile = 0;             // input samples per tile on this axis (may exceed the frame: padded)
    std::vector<int> starts;  // tile origins; the last tile ends flush with the frame when it fits
};

struct TileLayout {
    AxisTiling x;
    AxisTiling y;
    std::size_t count() const noexcept { return x.starts.size() * y.starts.size(); }
};

// One axis to lay out.
struct AxisRequest {
    int frame = 0;      // samples on this axis
    int requested = 0;  // the tile size asked for; <= 0: the whole frame
    int overlap = 0;    // context shared with each neighbour
    int multiple = 1;   // the size granularity the model needs
    int fixed = 0;      // the model's own size on this axis (fixed-size models); 0: dynamic
    TileMode mode = TileMode::Balanced;
    const char* name = "width";  // for error messages
};

// Throws mlrt::Error naming the axis when the overlap leaves no step.
MLRT_API AxisTiling layout_axis(const AxisRequest& axis);

}  // namespace mlrt
