#pragma once
// Where the tiles of a frame go. Pure geometry, shared by the engine, the benchmark and tests.
#include <vector>

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

// Lays out one axis. `requested` <= 0 means the whole frame. `multiple` is the size granularity
// the model needs; `fixed` is the model's own size on this axis for fixed-size models (0 when
// dynamic). Throws mlrt::Error naming `axis_name` when the overlap leaves no step.
AxisTiling layout_axis(int frame, int requested, int overlap, int multiple, int fixed,
                       TileMode mode, const char* axis_name);

}  // namespace mlrt
