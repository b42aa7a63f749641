#pragma once
// The memory budget of one `mlrt run` job, from its model, frames and engine options.
#include <cstdint>
#include <optional>

#include "media/zimg_graph.hpp"
#include "memory_budget.hpp"
#include "mlrt/engine_options.hpp"
#include "mlrt/model_source.hpp"

extern "C" {
#include <libavutil/pixfmt.h>
}

namespace mlrt::cli {

// Estimates the job and checks it against the limit (memory_limit); prints the budget with
// `verbose`. Throws mlrt::Error when the job cannot fit (plan_memory).
// What a run holds beyond one frame's planes in and out.
struct RunExtras {
    int window = 0;      // --window K
    bool pairs = false;  // --interpolate
    bool alpha = false;  // the input's alpha is carried (through the model when it scales)
};

MemoryBudget plan_run_memory(const ModelSource& model, std::uintmax_t model_bytes,
                             const FloatFormat& engine_in, AVPixelFormat source,
                             const EngineOptions& options, std::optional<std::uint64_t> max_memory,
                             bool verbose, const RunExtras& extras = {});

}  // namespace mlrt::cli
