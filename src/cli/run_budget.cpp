#include "run_budget.hpp"

#include <cstdio>
#include <map>
#include <thread>
#include <utility>

#include "mlrt/inspect.hpp"

extern "C" {
#include <libavutil/imgutils.h>
}

namespace mlrt::cli {
namespace {

std::uint64_t image_bytes(AVPixelFormat f, int w, int h) {
    const int n = av_image_get_buffer_size(f, w, h, 1);
    // Unknown layouts count as 16-bit RGBA, the widest FFmpeg commonly decodes to.
    return n > 0 ? static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(w) * h * 8;
}

}  // namespace

MemoryBudget plan_run_memory(const ModelSource& model, std::uintmax_t model_bytes,
                             const FloatFormat& engine_in, AVPixelFormat source,
                             const EngineOptions& options, std::optional<std::uint64_t> max_memory,
                             bool verbose, const RunExtras& extras) {
    // Shape inference per tile size tried; the scale comes from the first.
    std::map<std::pair<int, int>, std::optional<ComputeEstimate>> cache;
    auto estimate = [&](int w, int h) -> const std::optional<ComputeEstimate>& {
        auto [it, fresh] = cache.try_emplace({w, h});
        if (fresh) it->second = estimate_compute(model, w, h, nullptr);
        return it->second;
    };
    const int tw =
        options.tile_width > 0 ? std::min(options.tile_width, engine_in.width) : engine_in.width;
    const int th = options.tile_height > 0 ? std::min(options.tile_height, engine_in.height)
                                           : engine_in.height;
    const auto& first = estimate(tw, th);
    const int scale = first && first->scale > 0 ? first->scale : 1;

    MemoryJob job;
    job.in_width = engine_in.width;
    job.in_height = engine_in.height;
    job.in_planes = engine_in.planes();
    job.in_sample_bytes = engine_in.type == SampleType::Float16 ? 2 : 4;
    job.out_width = engine_in.width * scale;
    job.out_height = engine_in.height * scale;
    job.out_planes = engine_in.planes();
    job.out_sample_bytes = options.fp16 ? 2 : 4;
    job.decoded_frame_bytes = image_bytes(source, job.in_width, job.in_height);
    job.converted_frame_bytes = image_bytes(source, job.out_width, job.out_height);
    job.streams = std::max(1, options.num_streams);
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int intra =
        options.intra_op_threads > 0 ? options.intra_op_threads : std::max(1, cores / job.streams);
    // ONNX Runtime's pools, one worker per stream, the reader, the writer and the codecs' own.
    job.threads = job.streams * intra + job.streams + 2 + cores;
    job.tile_width = options.tile_width;
    job.tile_height = options.tile_height;
    job.scale = scale;
    job.default_in_flight = 2 * job.streams + 2;  // the pipeline's own cap
    job.model_bytes = model_bytes;
    job.held_float_frames = extras.window > 0 ? extras.window : extras.pairs ? 2 : 0;
    job.float_in_flight = extras.window > 0 || extras.pairs;
    if (extras.alpha) {
        // Through the model (a second input and output) when it scales; else one plane.
        job.alpha_in_planes = scale > 1 ? engine_in.planes() : 0;
        job.alpha_out_planes = scale > 1 ? engine_in.planes() : 1;
    }

    const auto activations = [&](int w, int h) -> std::uint64_t {
        const auto& e = estimate(w, h);
        if (e && e->peak_activation_bytes > 0)
            return static_cast<std::uint64_t>(e->peak_activation_bytes);
        // Shape inference could not tell: assume a 64-channel float layer at the output size,
        // twice (its input and output alive together).
        return static_cast<std::uint64_t>(w) * h * scale * scale * 64 * 4 * 2;
    };
    MemoryBudget b = plan_memory(job, memory_limit(max_memory), activations);
    if (verbose) std::fputs(describe(b).c_str(), stderr);
    return b;
}

}  // namespace mlrt::cli
