#pragma once
// The memory a `mlrt run` job will need, checked before anything large is allocated: a job that
// cannot fit is refused up front, with what would fit, instead of ending in an allocation failure
// or, under Linux's overcommit, the OOM killer.
#include <cstdint>
#include <functional>
#include <new>
#include <optional>
#include <string>
#include <vector>

namespace mlrt::cli {

// "512M", "2G", "1.5GiB", "1000000" (bytes); K/M/G/T are powers of 1024, with or without "iB".
// Empty when `text` is not such a size.
std::optional<std::uint64_t> parse_memory_size(const std::string& text);

struct MemoryLimit {
    std::uint64_t bytes = 0;
    std::string source;          // what set it: "--max-memory", "MemAvailable", "RLIMIT_AS", ...
    bool address_space = false;  // counts reserved address space (RLIMIT_AS), not resident pages
};

// The smallest of --max-memory (when given), MemAvailable, the cgroup's memory.max less its
// usage, and RLIMIT_AS less the address space in use now. Empty when none can be read.
std::optional<MemoryLimit> memory_limit(std::optional<std::uint64_t> max_memory);

// The shape of one job, as the budget sees it.
struct MemoryJob {
    int in_width = 0, in_height = 0, in_planes = 0, in_sample_bytes = 4;
    int out_width = 0, out_height = 0, out_planes = 0, out_sample_bytes = 4;
    std::uint64_t decoded_frame_bytes = 0;    // one frame as decoded
    std::uint64_t converted_frame_bytes = 0;  // one output frame as encoded
    int streams = 1;
    int threads = 1;  // all threads the job starts (for address space reserved per thread)
    int tile_width = 0, tile_height = 0;  // 0: the whole frame
    int scale = 1;
    int default_in_flight = 4;
    std::uint64_t model_bytes = 0;
    // --window / --interpolate: the reader converts frames to float and holds them, the window's
    // (or pair's) frames beyond those in flight; and each frame in flight is a float frame.
    int held_float_frames = 0;
    bool float_in_flight = false;
    // The input's alpha: float planes per worker beside the frame's (in at the model's input
    // size, out at its output size).
    int alpha_in_planes = 0, alpha_out_planes = 0;
};

struct BudgetItem {
    std::string what;
    std::uint64_t bytes = 0;
};

struct MemoryBudget {
    std::vector<BudgetItem> items;
    std::uint64_t total = 0;
    int frames_in_flight = 0;
    std::optional<MemoryLimit> limit;
};

// Activation bytes of one run of the model on a tile of this size (from the engine's estimate).
using ActivationEstimate = std::function<std::uint64_t(int tile_width, int tile_height)>;

// Plans the job: frames in flight shrink (down to one per stream) until the estimate fits the
// limit. Throws mlrt::Error (InvalidArgument) naming the estimate, the limit, and a --tilesize
// or --streams that fits, or saying that none does.
MemoryBudget plan_memory(const MemoryJob& job, const std::optional<MemoryLimit>& limit,
                         const ActivationEstimate& activations);

// For -v: "mlrt: memory ..." lines.
std::string describe(const MemoryBudget& budget);

// "12.3 MiB"
std::string format_bytes(std::uint64_t bytes);

// Runs `f`, turning an allocation failure into an mlrt::Error that names `what`: a bare
// "std::bad_alloc" tells the user nothing.
[[noreturn]] void out_of_memory(const std::string& what);
template <class F>
auto allocating(const std::string& what, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const std::bad_alloc&) {
        out_of_memory(what);
    }
}

}  // namespace mlrt::cli
