#include "mlrt/tiling.hpp"

#include <algorithm>
#include <string>

#include "mlrt/error.hpp"

namespace mlrt {
namespace {

int round_up(int v, int multiple) {
    return (v + multiple - 1) / multiple * multiple;
}
int round_down(int v, int multiple) {
    return v / multiple * multiple;
}

// Tile origins stay on the model's size grid (a SpaceToDepth model must see the same pixel
// phase in every tile), so the step is rounded down to the multiple.
int step_of(int tile, int overlap, int multiple) {
    return round_down(tile - 2 * overlap, multiple);
}

// Origins 0, step, 2*step, ... with the last tile moved back to end at the frame's edge (or
// just past it, when the frame is not on the size grid: that sliver is mirror-padded).
std::vector<int> tile_starts(int frame, int tile, int overlap, int multiple) {
    if (tile >= frame) return {0};
    const int step = step_of(tile, overlap, multiple);
    std::vector<int> starts;
    for (int s = 0;; s += step) {
        if (s + tile >= frame) {
            starts.push_back(round_up(frame - tile, multiple));
            break;
        }
        starts.push_back(s);
    }
    return starts;
}

}  // namespace

AxisTiling layout_axis(const AxisRequest& request) {
    const int frame = request.frame;
    const int requested = request.requested;
    const int overlap = request.overlap;
    const int fixed = request.fixed;
    const TileMode mode = request.mode;
    int multiple = request.multiple;
    const std::string axis = request.name;
    if (frame <= 0) throw Error(ErrorKind::InvalidArgument, "frame " + axis + " must be positive");
    if (overlap < 0)
        throw Error(ErrorKind::InvalidArgument,
                    "overlap " + axis + " must not be negative, got " + std::to_string(overlap));
    if (requested < 0)
        throw Error(ErrorKind::InvalidArgument,
                    "tilesize " + axis + " must not be negative, got " + std::to_string(requested));
    multiple = std::max(multiple, 1);

    int tile;
    if (fixed > 0) {
        if (requested > 0 && requested != fixed && mode == TileMode::Literal)
            throw Error(ErrorKind::InvalidArgument, "tilesize " + axis + " is " +
                                                        std::to_string(requested) +
                                                        " but the model's input " + axis +
                                                        " is fixed at " + std::to_string(fixed));
        tile = fixed;
    } else {
        // A tile larger than the frame only adds padding that changes border results, so a
        // dynamic model gets at most the frame (rounded up to what the model needs).
        const int whole = round_up(frame, multiple);
        tile = requested > 0 ? std::min(round_up(requested, multiple), whole) : whole;
    }

    if (tile < frame && step_of(tile, overlap, multiple) <= 0)
        throw Error(
            ErrorKind::InvalidArgument,
            "overlap " + axis + " (" + std::to_string(overlap) + ") leaves no step in a tile of " +
                std::to_string(tile) + ": tilesize must exceed 2 * overlap" +
                (multiple > 1 ? " by at least " + std::to_string(multiple) : std::string()));

    if (mode == TileMode::Balanced && fixed == 0 && tile < frame) {
        // Shrink the tile while the count stays the same: same number of runs, fewer pixels.
        const std::size_t count = tile_starts(frame, tile, overlap, multiple).size();
        while (tile - multiple > 2 * overlap && step_of(tile - multiple, overlap, multiple) > 0 &&
               tile_starts(frame, tile - multiple, overlap, multiple).size() == count)
            tile -= multiple;
    }
    return {tile, tile_starts(frame, tile, overlap, multiple)};
}

}  // namespace mlrt
