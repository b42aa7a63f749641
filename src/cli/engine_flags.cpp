#include "engine_flags.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "mlrt/config/autoselect.hpp"
#include "mlrt/config/engine_args.hpp"
#include "mlrt/error.hpp"
#include "util/args.hpp"

namespace mlrt::cli {
namespace {

// The command line's name for each argument of the configuration layer's one parser, so that
// its messages name the flag the user typed.
const config::ArgSpelling& flag_spelling() {
    static const config::ArgSpelling spelling{"",
                                              {{"provider", "--backend"},
                                               {"device_id", "--device"},
                                               {"tilesize", "--tilesize"},
                                               {"overlap", "--overlap"},
                                               {"tile_mode", "--tile-mode"},
                                               {"num_streams", "--streams"},
                                               {"intra_op_threads", "--threads"},
                                               {"fp16", "--fp16"},
                                               {"output_format", "--output-format"},
                                               {"int8", "--int8"},
                                               {"int8_blacklist_ops", "--int8-blacklist"},
                                               {"calibration", "--calibration"},
                                               {"calibrate", "--calibrate"},
                                               {"verbosity", "-v"}}};
    return spelling;
}

void add_calibration_args(const EngineFlags& f, config::ArgMap& args) {
    if (!f.calibration.empty()) args["calibration"] = f.calibration;
    args["calibrate"] = std::int64_t{f.calibrate};
}

}  // namespace

void add_engine_flags(CLI::App& cmd, EngineFlags& f) {
    // Values are checked by the configuration layer (engine_options), as for every front end;
    // only the words of --backend, --tile-mode and --output-format are the command line's own.
    cmd.add_option("--backend", f.backend,
                   "Execution provider: auto, cpu, cuda, dml, coreml or webgpu")
        ->check(CLI::IsMember({"auto", "cpu", "cuda", "dml", "coreml", "webgpu"}, CLI::ignore_case))
        ->capture_default_str();
    cmd.add_option(
        "--device", f.device,
        "GPU index for cuda and dml; for webgpu, the adapter index `mlrt version` lists");
    cmd.add_option("--tilesize", f.tilesize, "Largest tile, W or WxH (default: the whole frame)");
    cmd.add_option("--overlap", f.overlap,
                   "Context each tile shares with its neighbours, W or WxH (needs --tilesize)");
    cmd.add_option("--tile-mode", f.tile_mode,
                   "balanced: fewest, evenly sized tiles no larger than --tilesize; literal: "
                   "exactly --tilesize")
        ->check(CLI::IsMember({"balanced", "literal"}))
        ->capture_default_str();
    cmd.add_option("--streams", f.streams, "Inference sessions running frames in parallel")
        ->capture_default_str();
    cmd.add_option("--threads", f.threads,
                   "ONNX Runtime threads per stream (0: the cores divided among streams)");
    cmd.add_flag("--fp16", f.fp16, "Run the model in float16 (mlrt converts it)");
    cmd.add_option("--output-format", f.output_format,
                   "With --fp16, the precision of the model's output: fp16 (default) or fp32")
        ->check(CLI::IsMember({"fp16", "fp32"}, CLI::ignore_case));
    cmd.add_flag("--int8", f.int8,
                 "Run the model in int8 (mlrt quantizes it, calibrated on frames of the input)");
    cmd.add_option("--int8-blacklist", f.int8_blacklist,
                   "With --int8, op types or node names kept in float, comma-separated (default: "
                   "first,last: the convolutions that read and write pixels)");
    cmd.add_option("--calibration", f.calibration,
                   "With --int8, a calibration file: read when it exists, else written");
    cmd.add_option("--calibrate", f.calibrate,
                   "With --int8, how many frames (spread over the input) calibrate")
        ->capture_default_str();
    cmd.add_flag("-v,--verbose", f.verbose,
                 "Show what was chosen, and ONNX Runtime and FFmpeg warnings");
}

void report_device(const ModelInfo& info, bool verbose) {
    for (const std::string& note : info.notes)
        std::fprintf(stderr, "mlrt: warning: %s\n", note.c_str());
    if (verbose && !info.kernels.empty())
        std::fprintf(stderr, "mlrt: kernels %s\n", info.kernels.c_str());
    if (!verbose || info.device == "CPU") return;
    std::fprintf(stderr, "mlrt: device %s\n", info.device.c_str());
    if (info.placements.empty()) return;
    std::fprintf(stderr, "mlrt: nodes  %s\n", describe_placements(info.placements).c_str());
    if (info.placements.size() > 1)
        std::fprintf(stderr,
                     "mlrt: nodes  those on %s run on the CPU: the GPU provider has no kernel for "
                     "them, or ONNX Runtime keeps shape computations there\n",
                     info.placements[1].provider.c_str());
}

Provider auto_provider(int device_id) {
    return parse_provider(config::provider_name(config::autoselect(device_id)));
}

config::ArgMap engine_args(const EngineFlags& f) {
    config::ArgMap args;
    std::string backend = f.backend;
    std::transform(backend.begin(), backend.end(), backend.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    // A negative --device is left for the parser to refuse, not given to autoselect.
    args["provider"] = backend == "AUTO" && f.device >= 0
                           ? std::string(to_string(auto_provider(f.device)))
                           : (backend == "AUTO" ? std::string("CPU") : backend);
    args["device_id"] = std::int64_t{f.device};
    if (!f.tilesize.empty()) args["tilesize"] = parse_pair(f.tilesize, "--tilesize");
    if (!f.overlap.empty()) args["overlap"] = parse_pair(f.overlap, "--overlap");
    args["tile_mode"] = f.tile_mode;
    args["num_streams"] = std::int64_t{f.streams};
    args["intra_op_threads"] = std::int64_t{f.threads};
    args["fp16"] = f.fp16;
    if (!f.output_format.empty())
        args["output_format"] =
            std::int64_t{f.output_format == "fp16" || f.output_format == "FP16"};
    args["int8"] = f.int8;
    if (!f.int8_blacklist.empty()) {
        std::vector<std::string> list;
        std::size_t at = 0;
        while (at <= f.int8_blacklist.size()) {
            const std::size_t comma =
                std::min(f.int8_blacklist.find(',', at), f.int8_blacklist.size());
            if (comma > at) list.push_back(f.int8_blacklist.substr(at, comma - at));
            at = comma + 1;
        }
        args["int8_blacklist_ops"] = list;
    }
    add_calibration_args(f, args);
    args["verbosity"] =
        std::int64_t{static_cast<int>(f.verbose ? LogSeverity::Warning : LogSeverity::Error)};
    return args;
}

// The parser's refusals name a flag and its value: bad usage.
template <class F>
auto as_usage(F&& parse) {
    try {
        return parse();
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::InvalidArgument) throw UsageError(e.what());
        throw;
    }
}

EngineOptions engine_options(const EngineFlags& f) {
    return as_usage([&] {
        return config::engine_options_from_args(engine_args(f), TileMode::Balanced,
                                                flag_spelling());
    });
}

config::CalibrationArgs calibration_args(const EngineFlags& f) {
    config::ArgMap args;  // only these keys: no backend to autoselect again
    add_calibration_args(f, args);
    return as_usage([&] { return config::calibration_args_from_args(args, flag_spelling()); });
}

}  // namespace mlrt::cli
