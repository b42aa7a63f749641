#include "bench/workloads.hpp"

#include <fmt/core.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

#include "bench/measure.hpp"
#include "mlrt/baseline.hpp"
#include "mlrt/engine.hpp"
#include "mlrt/error.hpp"
#include "mlrt/inspect.hpp"
#include "mlrt/workload.hpp"
#include "util/json.hpp"

namespace mlrt::cli {
namespace {

// How each workload splits the model's input into clips, as `mlrt run` assembles it.
struct Kind {
    const char* name;   // the row, and the file DIR/<name>.onnx
    const char* flags;  // the `mlrt run` flags that feed it
    int frames;         // image clips (frames)
    int constants;      // constant planes after them
};

constexpr Kind kKinds[] = {
    {"luma", "(1-channel model)", 1, 0},   {"chroma", "(3 -> 2 planes, flexible output)", 1, 0},
    {"strength", "--extra-plane V", 1, 1}, {"interpolation", "--interpolate N", 2, 1},
    {"window", "--window 3", 3, 0},        {"rgb", "(3-channel model)", 1, 0},
};

struct Row {
    const Kind* kind = nullptr;
    std::string model;
    int channels = 0;
    int out_channels = 0;
    double engine_ms = 0, plain_ms = 0;  // medians per frame
    std::string skipped;
};

// The clips' float32 planes, in order, into `whole`'s.
void gather(const std::vector<FrameView>& clips, Frame& whole) {
    int p = 0;
    const std::size_t row = static_cast<std::size_t>(whole.width()) * sizeof(float);
    for (const FrameView& c : clips)
        for (const PlaneView& plane : c.planes) {
            std::byte* dst = whole.plane_bytes(p++).data();
            for (int y = 0; y < whole.height(); ++y)
                std::memcpy(dst + static_cast<std::size_t>(y) * row, plane.data + y * plane.stride,
                            row);
        }
}

Row bench_kind(const Kind& k, const WorkloadBench& b) {
    Row r;
    r.kind = &k;
    r.model = (std::filesystem::path(b.dir) / (std::string(k.name) + ".onnx")).string();
    if (!std::filesystem::exists(r.model)) {
        r.skipped = "no " + r.model;
        return r;
    }
    const ModelSource source = ModelSource::from_path(r.model);
    const ModelDescription m = describe_model(source);
    r.channels = m.inputs.at(0).channels();
    const int image = image_planes_for(r.channels, k.frames, k.constants, false, r.model);
    InputFormat in{b.width, b.height, SampleType::Float32, {}};
    std::vector<Frame> frames;
    for (int f = 0; f < k.frames; ++f) {
        in.planes_per_clip.push_back(image);
        frames.push_back(test_frame(b.width, b.height, image, SampleType::Float32));
    }
    ConstantPlanes constants;
    std::vector<PlaneView> constant_views;
    std::vector<FrameView> clips;
    clips.reserve(frames.size() + 1);
    for (const Frame& f : frames) clips.push_back(f.view());
    if (k.constants > 0) {
        in.planes_per_clip.push_back(k.constants);
        clips.push_back(constants.frame(
            b.width, b.height, SampleType::Float32,
            std::vector<float>(static_cast<std::size_t>(k.constants), 0.5f), constant_views));
    }
    EngineOptions o = b.options;
    o.flexible_output = true;  // chroma's 2 planes
    // Untiled, one stream: the configuration a plain session is comparable with.
    o.tile_width = o.tile_height = o.overlap_width = o.overlap_height = 0;
    o.num_streams = 1;
    // Run in turn, two sessions must not spin: each one's idle workers, spinning, would take
    // the cores the other is running on (on 2 cores, frames took 1.6 to 1.8 times as long).
    o.allow_spinning = false;
    {
        const Engine e(source, in, o);
        r.out_channels = e.output_planes();
        // The plain session on the same planes, concatenated into the one tensor it takes.
        Frame whole(b.width, b.height, r.channels, SampleType::Float32);
        gather(clips, whole);
        PlainSession plain(source, o, e.intra_op_threads());
        // Frame by frame in turn, and medians: on a busy machine, load that comes and goes falls
        // on both alike rather than on whichever ran during it.
        (void)time_engine(e, clips, b.warmup, 1, 1);
        (void)time_plain(plain, whole.view(), b.warmup, 1);
        std::vector<double> engine_ms, plain_ms;
        for (int i = 0; i < b.repeats; ++i) {
            engine_ms.push_back(time_engine(e, clips, 0, 1, 1).ms_min);
            // A caller of ONNX Runtime gathers each frame's clips into its input tensor too.
            const Stopwatch gathering;
            gather(clips, whole);
            const double gather_ms = gathering.ms();
            plain_ms.push_back(gather_ms + time_plain(plain, whole.view(), 0, 1).ms_min);
        }
        r.engine_ms = median(std::move(engine_ms));
        r.plain_ms = median(std::move(plain_ms));
    }
    return r;
}

}  // namespace

int bench_workloads(const WorkloadBench& b) {
    if (!std::filesystem::is_directory(b.dir))
        throw Error(ErrorKind::InvalidArgument,
                    "--workloads: '" + b.dir + "' is not a directory of workload models");
    std::vector<Row> rows;
    for (const Kind& k : kKinds) rows.push_back(bench_kind(k, b));
    if (b.json) {
        std::string s = fmt::format("{{\"size\": [{}, {}], \"repeats\": {}, \"workloads\": [",
                                    b.width, b.height, b.repeats);
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const Row& r = rows[i];
            s += i ? ", " : "";
            s += fmt::format("{{\"workload\": \"{}\", \"model\": {}", r.kind->name,
                             json_string(r.model));
            if (!r.skipped.empty()) {
                s += ", \"skipped\": " + json_string(r.skipped) + "}";
                continue;
            }
            s += fmt::format(
                ", \"input_planes\": {}, \"output_planes\": {}, \"engine_fps\": {:.4f}, "
                "\"plain_fps\": {:.4f}, \"engine_vs_plain\": {:.4f}}}",
                r.channels, r.out_channels, 1000.0 / r.engine_ms, 1000.0 / r.plain_ms,
                r.plain_ms / r.engine_ms);
        }
        std::printf("%s]}\n", s.c_str());
        return 0;
    }
    std::printf(
        "frame %dx%d, untiled, 1 stream, %d timed frames per row, engine and plain ORT in turn; "
        "medians; workers do not spin between runs; plain ORT's time includes copying the "
        "clips' planes into its one input tensor\n\n",
        b.width, b.height, b.repeats);
    std::printf(
        "| workload | fed by | planes in -> out | engine ms/frame | plain ORT ms/frame | "
        "throughput vs plain ORT |\n|---|---|---|---|---|---|\n");
    for (const Row& r : rows) {
        if (!r.skipped.empty()) {
            std::printf("| %s | %s | | skipped: %s | | |\n", r.kind->name, r.kind->flags,
                        r.skipped.c_str());
            continue;
        }
        std::printf("| %s | %s | %d -> %d | %.2f | %.2f | %.2fx |\n", r.kind->name, r.kind->flags,
                    r.channels, r.out_channels, r.engine_ms, r.plain_ms, r.plain_ms / r.engine_ms);
    }
    return 0;
}

}  // namespace mlrt::cli
