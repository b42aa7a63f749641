#include "engine_flags.hpp"

#if __has_include("mlrt/config/autoselect.hpp")
#include "mlrt/config/autoselect.hpp"
#define MLRT_CLI_HAVE_AUTOSELECT 1
#endif

#include "mlrt/error.hpp"
#include "mlrt/version.hpp"
#include "util/args.hpp"

namespace mlrt::cli {

void add_engine_flags(CLI::App& cmd, EngineFlags& f) {
    cmd.add_option("--backend", f.backend, "Execution provider: auto, cpu, cuda, dml or coreml")
        ->check(CLI::IsMember({"auto", "cpu", "cuda", "dml", "coreml"}, CLI::ignore_case))
        ->capture_default_str();
    cmd.add_option("--device", f.device, "GPU index for cuda and dml")
        ->check(CLI::NonNegativeNumber);
    cmd.add_option("--tilesize", f.tilesize, "Largest tile, W or WxH (default: the whole frame)");
    cmd.add_option("--overlap", f.overlap,
                   "Context each tile shares with its neighbours, W or WxH");
    cmd.add_option("--tile-mode", f.tile_mode,
                   "balanced: fewest, evenly sized tiles no larger than --tilesize; literal: "
                   "exactly --tilesize")
        ->check(CLI::IsMember({"balanced", "literal"}))
        ->capture_default_str();
    cmd.add_option("--streams", f.streams, "Inference sessions running frames in parallel")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd.add_option("--threads", f.threads,
                   "ONNX Runtime threads per stream (0: the cores divided among streams)")
        ->check(CLI::NonNegativeNumber);
    cmd.add_flag("--fp16", f.fp16, "Run the model in float16 (mlrt converts it)");
    cmd.add_option("--output-format", f.output_format,
                   "Precision of the model's output: fp16 or fp32")
        ->check(CLI::IsMember({"fp16", "fp32"}, CLI::ignore_case));
    cmd.add_flag("-v,--verbose", f.verbose,
                 "Show what was chosen, and ONNX Runtime and FFmpeg warnings");
}

Provider auto_provider(int device_id) {
#ifdef MLRT_CLI_HAVE_AUTOSELECT
    return parse_provider(config::provider_name(config::autoselect(device_id)));
#else
    // Only CUDA is worth probing on the platforms this builds on without the config layer.
    return provider_loads(Provider::CUDA, device_id) ? Provider::CUDA : Provider::CPU;
#endif
}

EngineOptions engine_options(const EngineFlags& f) {
    EngineOptions o;
    o.provider = f.backend == "auto" ? auto_provider(f.device) : parse_provider(f.backend);
    o.device_id = f.device;
    o.num_streams = f.streams;
    o.intra_op_threads = f.threads;
    if (!f.tilesize.empty()) {
        const Size s = parse_size(f.tilesize, "--tilesize", false);
        o.tile_width = s.width;
        o.tile_height = s.height;
    }
    if (!f.overlap.empty()) {
        const Size s = parse_size(f.overlap, "--overlap", true);
        o.overlap_width = s.width;
        o.overlap_height = s.height;
    }
    o.tile_mode = f.tile_mode == "literal" ? TileMode::Literal : TileMode::Balanced;
    o.fp16 = f.fp16;
    if (f.output_format == "fp16") {
        if (!f.fp16) throw Error(ErrorKind::InvalidArgument, "--output-format fp16 needs --fp16");
        o.output_type = SampleType::Float16;
    } else if (f.output_format == "fp32") {
        o.output_type = SampleType::Float32;
    }
    o.verbosity = f.verbose ? Verbosity::WARNING : Verbosity::ERROR;
    return o;
}

}  // namespace mlrt::cli
