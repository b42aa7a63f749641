// `mlrt bench MODEL`: the engine's speed next to a plain ONNX Runtime session running the same
// frame in this process, so the engine's overhead (or gain) shows. One configuration (from the
// engine flags), `--table` for the configurations that matter side by side, or `--rss-streams`
// for the memory a number of busy streams costs.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/int8_bench.hpp"
#include "bench/measure.hpp"
#include "bench/profile_bench.hpp"
#include "bench/workloads.hpp"
#include "commands/commands.hpp"
#include "engine_flags.hpp"
#include "mlrt/baseline.hpp"
#include "mlrt/config/engine_args.hpp"
#include "mlrt/error.hpp"
#include "mlrt/inspect.hpp"
#include "model/model_file.hpp"
#include "model/model_names.hpp"
#include "util/args.hpp"
#include "util/json.hpp"

namespace mlrt::cli {
namespace {

struct BenchArgs {
    std::string model;
    std::string size = "640x360";
    EngineFlags engine;
    int repeats = 5;
    // ONNX Runtime's first run plans its memory pattern and its second allocates the planned
    // block: a large model's steady state starts at the third.
    int warmup = 2;
    bool json = false;
    bool table = false;
    bool profile = false;
    int rss_streams = 0;
    int callers = 0;
    std::string workloads;
};

// What every mode needs: the model read once, its input planes and type, the frame.
struct Setup {
    ModelSource source;
    int width = 0, height = 0, channels = 3;
    SampleType type = SampleType::Float32;
    bool fixed_mismatch = false;  // a fixed-size model at another size: no plain baseline
    Frame frame;

    InputFormat input() const { return {width, height, type, {channels}}; }
};

Setup make_setup(const BenchArgs& a) {
    const Size size = parse_size(a.size, "--size", false);
    Setup s{read_model_file(a.model), size.width, size.height, 3, SampleType::Float32, false, {}};
    const ModelDescription m = describe_model(s.source);
    if (m.inputs.size() != 1 || m.outputs.size() != 1)
        throw Error(ErrorKind::InvalidModel,
                    "model '" + a.model + "' must have one input and one output");
    const TensorDescription& in = m.inputs[0];
    s.channels = in.channels() > 0 ? in.channels() : 3;
    s.type = in.type == "float16" && !a.engine.fp16 ? SampleType::Float16 : SampleType::Float32;
    s.fixed_mismatch = in.values.size() == 4 && ((in.values[2] > 0 && in.values[2] != s.height) ||
                                                 (in.values[3] > 0 && in.values[3] != s.width));
    s.frame = test_frame(s.width, s.height, s.channels, s.type);
    return s;
}

// The baseline runs the model as given on as many threads as the engine used in all.
std::optional<Timing> plain_timing(const BenchArgs& a, const Setup& s, const EngineOptions& o,
                                   int threads, std::string* note) {
    if (s.fixed_mismatch) {
        *note = "the model has a fixed input size other than --size";
        return std::nullopt;
    }
    if (o.provider != Provider::CPU && o.provider != Provider::CUDA &&
        o.provider != Provider::WebGPU) {
        *note = std::string("no plain-session baseline for provider ") + to_string(o.provider);
        return std::nullopt;
    }
    PlainSession session(s.source, o, threads);
    return time_plain(session, s.frame.view(), a.warmup, a.repeats);
}

// Frame times more than 10% apart (median against fastest) make one run's ratio unreliable.
std::string spread_warning(const Timing& engine, const std::optional<Timing>& plain) {
    const auto spread = [](const Timing& t) {
        return t.ms_min > 0 ? (t.ms_median - t.ms_min) / t.ms_min : 0.0;
    };
    const double worst = std::max(spread(engine), plain ? spread(*plain) : 0.0);
    if (worst <= 0.10) return {};
    return fmt::format(
        "frame times varied by {:.0f}% (median against fastest): the ratio is unreliable; use "
        "more --repeats or a quieter machine",
        100.0 * worst);
}

double processed_ratio(const TileLayout& l, const Setup& s) {
    return static_cast<double>(l.x.tile) * l.y.tile * static_cast<double>(l.count()) /
           (static_cast<double>(s.width) * s.height);
}

std::string timing_json(const Timing& t) {
    return fmt::format(
        "{{\"fps\": {:.4f}, \"ms_per_frame\": {:.3f}, \"ms_min\": {:.3f}, \"ms_median\": {:.3f}, "
        "\"frames\": {}}}",
        t.fps, 1000.0 / t.fps, t.ms_min, t.ms_median, t.frames);
}

int bench_one(const BenchArgs& a) {
    const Setup s = make_setup(a);
    const EngineOptions options = engine_options(a.engine);
    const Stopwatch load;
    auto engine = std::make_unique<Engine>(s.source, s.input(), options);
    const double load_s = load.ms() / 1000.0;
    const Timing eng =
        time_engine(*engine, s.frame.view(), a.warmup, a.repeats, engine->num_streams());
    const double engine_rss = peak_rss_mib();
    const TileLayout layout = engine->layout();
    const ModelInfo info = engine->model_info();
    const int scale = info.scale;
    const int threads_total = engine->intra_op_threads() * engine->num_streams();
    engine.reset();  // the baseline should not share memory pressure or cores with idle sessions

    std::string note;
    const std::optional<Timing> plain = plain_timing(a, s, options, threads_total, &note);
    const double ratio = plain ? eng.fps / plain->fps : 0.0;
    const double processed = processed_ratio(layout, s);
    const double rss = peak_rss_mib();
    if (plain && info.fp16_converted)
        note = "the plain session runs the model as given (not converted to float16)";
    report_device(info, a.engine.verbose);
    const int threads = threads_total / std::max(1, options.num_streams);
    const std::string spread = spread_warning(eng, plain);
    if (!spread.empty()) std::fprintf(stderr, "mlrt: warning: %s\n", spread.c_str());
    // With one stream, frame times compare directly: the fastest frames are the least noisy.
    const std::optional<double> best_ratio = plain && options.num_streams == 1 && eng.ms_min > 0
                                                 ? std::optional<double>(plain->ms_min / eng.ms_min)
                                                 : std::nullopt;

    if (a.json) {
        std::printf(
            "{\"model\": %s, \"provider\": \"%s\", \"device\": %s, \"size\": [%d, %d], \"scale\": "
            "%d, \"streams\": "
            "%d, \"intra_op_threads\": %d, \"fp16\": %s, \"tile\": [%d, %d], \"tiles_per_frame\": "
            "%zu, \"processed_pixel_ratio\": %.4f, \"repeats\": %d, \"engine_load_s\": %.3f, "
            "\"engine\": %s, \"plain_ort\": %s, \"engine_vs_plain\": %s, "
            "\"engine_vs_plain_fastest\": %s, \"timing_spread_warning\": %s, "
            "\"peak_rss_mib_engine\": %.1f, \"peak_rss_mib\": %.1f, \"engine_args\": %s%s}\n",
            json_string(a.model).c_str(), to_string(options.provider),
            json_string(info.device).c_str(), s.width, s.height, scale, options.num_streams,
            threads, info.fp16_converted ? "true" : "false", layout.x.tile, layout.y.tile,
            layout.count(), processed, a.repeats, load_s, timing_json(eng).c_str(),
            plain ? timing_json(*plain).c_str() : "null",
            plain ? fmt::format("{:.4f}", ratio).c_str() : "null",
            best_ratio ? fmt::format("{:.4f}", *best_ratio).c_str() : "null",
            spread.empty() ? "null" : json_string(spread).c_str(), engine_rss, rss,
            json_object(config::engine_args_of(options)).c_str(),
            note.empty() ? "" : (", \"note\": " + json_string(note)).c_str());
        return 0;
    }
    std::printf("model        %s (scale %d)\n", a.model.c_str(), scale);
    std::printf("frame        %dx%d -> %dx%d, %s, %d stream(s) x %d thread(s)%s\n", s.width,
                s.height, s.width * scale, s.height * scale, to_string(options.provider),
                options.num_streams, threads, info.fp16_converted ? ", fp16" : "");
    if (info.device != "CPU") std::printf("device       %s\n", info.device.c_str());
    std::printf("tiles        %zu of %dx%d per frame, processing %.3fx the frame's pixels\n",
                layout.count(), layout.x.tile, layout.y.tile, processed);
    std::printf(
        "engine       %8.3f fps  %9.2f ms/frame  (min %.2f ms, median %.2f ms, %d frames, load "
        "%.2f s)\n",
        eng.fps, 1000.0 / eng.fps, eng.ms_min, eng.ms_median, eng.frames, load_s);
    if (plain) {
        std::printf(
            "plain ORT    %8.3f fps  %9.2f ms/frame  (min %.2f ms, median %.2f ms, whole frame, "
            "one session)\n",
            plain->fps, 1000.0 / plain->fps, plain->ms_min, plain->ms_median);
        std::printf("ratio        %.3f (engine fps / plain fps)", ratio);
        if (best_ratio) std::printf(", %.3f (fastest frames)", *best_ratio);
        std::printf("\n");
        if (!note.empty()) std::printf("note         %s\n", note.c_str());
    } else {
        std::printf("plain ORT    skipped: %s\n", note.c_str());
    }
    std::printf("peak RSS     %.1f MiB after the engine, %.1f MiB in all\n", engine_rss, rss);
    return 0;
}

// The configurations that matter, each against the same plain session: untiled, literal and
// balanced tiles, float16, and one or two streams under two callers.
int bench_table(const BenchArgs& a) {
    const Setup s = make_setup(a);
    const EngineOptions base = engine_options(a.engine);
    std::string note;
    const std::optional<Timing> plain = plain_timing(a, s, base, 0, &note);
    if (!plain)
        throw Error(ErrorKind::InvalidArgument, "--table needs the plain baseline: " + note);

    struct Row {
        std::string name;
        Timing t;
        std::size_t tiles;
        double pixels;
    };
    std::vector<Row> rows;
    auto row = [&](const std::string& name, const EngineOptions& o, int callers) {
        const Engine e(s.source, s.input(), o);
        rows.push_back({name, time_engine(e, s.frame.view(), a.warmup, a.repeats, callers),
                        e.layout().count(), processed_ratio(e.layout(), s)});
    };
    EngineOptions untiled = base;
    untiled.tile_width = untiled.tile_height = untiled.overlap_width = untiled.overlap_height = 0;
    untiled.num_streams = 1;
    untiled.fp16 = false;
    row("engine untiled, 1 stream", untiled, 1);
    EngineOptions literal = untiled;
    literal.tile_width = base.tile_width > 0 ? base.tile_width : 256;
    literal.tile_height = base.tile_height > 0 ? base.tile_height : 256;
    literal.overlap_width = base.tile_width > 0 ? base.overlap_width : 16;
    literal.overlap_height = base.tile_height > 0 ? base.overlap_height : 16;
    literal.tile_mode = TileMode::Literal;
    const std::string tiles =
        fmt::format("{}x{} overlap {}x{}", literal.tile_width, literal.tile_height,
                    literal.overlap_width, literal.overlap_height);
    row("engine tile " + tiles + ", literal", literal, 1);
    EngineOptions balanced = literal;
    balanced.tile_mode = TileMode::Balanced;
    row("engine tile <=" + tiles + ", balanced", balanced, 1);

    // float16: the first load converts the graph, the second reads the conversion cache.
    const auto cache = std::filesystem::temp_directory_path() /
                       fmt::format("mlrt-bench-fp16-{}", static_cast<long>(::getpid()));
    EngineOptions half = untiled;
    half.fp16 = true;
    half.output_type = SampleType::Float32;
    half.fp16_cache_dir = cache;
    const Stopwatch cold;
    { const Engine e(s.source, s.input(), half); }
    const double cold_ms = cold.ms();
    const Stopwatch warm;
    { const Engine e(s.source, s.input(), half); }
    const double warm_ms = warm.ms();
    std::error_code ignored;
    std::filesystem::remove_all(cache, ignored);
    row("engine untiled, fp16 (converted by mlrt)", half, 1);
    for (int streams : {1, 2}) {
        EngineOptions o = untiled;
        o.num_streams = streams;
        row(fmt::format("engine untiled, {} stream(s), 2 callers", streams), o, 2);
    }

    std::printf("model %s, frame %dx%d, %d plane(s) %s, %s, %d timed frames per row\n\n",
                a.model.c_str(), s.width, s.height, s.channels, to_string(s.type),
                to_string(base.provider), a.repeats);
    std::printf(
        "| configuration | ms/frame (throughput) | ms/frame (min) | throughput vs plain ORT | "
        "tiles | pixels processed / frame |\n|---|---|---|---|---|---|\n");
    std::printf("| plain ONNX Runtime, full frame | %.1f | %.1f | 1.00x | 1 | 1.00 |\n",
                1000.0 / plain->fps, plain->ms_min);
    for (const Row& r : rows)
        std::printf("| %s | %.1f | %.1f | %.2fx | %zu | %.2f |\n", r.name.c_str(), 1000.0 / r.t.fps,
                    r.t.ms_min, r.t.fps / plain->fps, r.tiles, r.pixels);
    std::printf(
        "\nfp16 engine load (conversion + sessions): %.1f ms cold cache, %.1f ms warm cache\n",
        cold_ms, warm_ms);
    return 0;
}

// One engine with N streams kept busy by C callers, twice over: the memory a user pays for them.
int bench_rss(const BenchArgs& a) {
    const Setup s = make_setup(a);
    EngineOptions o = engine_options(a.engine);
    o.num_streams = a.rss_streams;
    const int callers = a.callers > 0 ? a.callers : a.rss_streams;
    const Engine e(s.source, s.input(), o);
    (void)time_engine(e, s.frame.view(), 0, 2 * callers, callers);
    std::printf("streams %d, callers %d, tiles %zu of %dx%d: peak RSS %.1f MiB\n", a.rss_streams,
                callers, e.layout().count(), e.layout().x.tile, e.layout().y.tile, peak_rss_mib());
    return 0;
}

int bench_profile_mode(const BenchArgs& a) {
    const Setup s = make_setup(a);
    ProfileBench b;
    b.model_name = a.model;
    b.input = s.input();
    b.options = engine_options(a.engine);
    b.warmup = a.warmup;
    b.repeats = a.repeats;
    b.calibrate = calibration_args(a.engine).frames;
    b.json = a.json;
    return bench_profile(s.source, b);
}

// --int8: float32 and int8 engines side by side (the table and the RSS modes are float's).
int bench_int8_mode(const BenchArgs& a) {
    if (a.table || a.rss_streams > 0)
        throw Error(ErrorKind::InvalidArgument,
                    "--int8 cannot be combined with --table or --rss-streams");
    const Setup s = make_setup(a);
    Int8Bench b;
    b.model_name = a.model;
    b.input = s.input();
    b.options = engine_options(a.engine);
    b.warmup = a.warmup;
    b.repeats = a.repeats;
    b.calibrate = calibration_args(a.engine).frames;
    b.json = a.json;
    b.verbose = a.engine.verbose;
    return bench_int8(s.source, b);
}

}  // namespace

Command add_bench_command(CLI::App& app) {
    auto a = std::make_shared<BenchArgs>();
    CLI::App* cmd = app.add_subcommand(
        "bench", "Measure a model's speed in the engine and in a plain ONNX Runtime session");
    cmd->add_option("model", a->model, "ONNX model file or model name (not with --workloads)");
    cmd->add_option("--size", a->size, "Input frame size, W or WxH")->capture_default_str();
    add_engine_flags(*cmd, a->engine);
    cmd->add_option("--repeats", a->repeats, "Frames to time")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    cmd->add_option("--warmup", a->warmup, "Untimed frames first")
        ->check(CLI::Range(0, 1000))
        ->capture_default_str();
    cmd->add_flag("--json", a->json, "Print one JSON object");
    auto* table = cmd->add_flag(
        "--table", a->table,
        "Time untiled, literal and balanced tiles (--tilesize/--overlap, default 256/16), fp16, "
        "and 1 or 2 streams under 2 callers; print a table against the plain session");
    auto* profile =
        cmd->add_flag(
               "--profile", a->profile,
               "Where the time goes, per op type and per node, from ONNX Runtime's profiler: "
               "the engine (and its int8 model with --int8) against the plain session, and the "
               "convolutions' rate against the CPU's nominal peak")
            ->excludes(table);
    cmd->add_option("--rss-streams", a->rss_streams,
                    "Report the peak memory of one engine with N streams kept busy")
        ->check(CLI::Range(1, 64))
        ->excludes(table)
        ->excludes(profile);
    cmd->add_option("--callers", a->callers, "With --rss-streams: concurrent callers (default N)")
        ->check(CLI::Range(1, 256));
    cmd->add_option("--workloads", a->workloads,
                    "A directory holding luma.onnx, chroma.onnx, strength.onnx, "
                    "interpolation.onnx, window.onnx and rgb.onnx: one row per workload, each fed "
                    "as mlrt run feeds it, against a plain session on the same planes")
        ->excludes(table);
    return {cmd, [a, cmd] {
                if (!a->workloads.empty()) {
                    if (!a->model.empty())
                        throw Error(ErrorKind::InvalidArgument,
                                    "--workloads takes its models from the directory; give no "
                                    "model");
                    const Size size = parse_size(a->size, "--size", false);
                    return bench_workloads({.dir = a->workloads,
                                            .width = size.width,
                                            .height = size.height,
                                            .options = engine_options(a->engine),
                                            .warmup = a->warmup,
                                            .repeats = a->repeats,
                                            .json = a->json});
                }
                if (a->model.empty())
                    throw Error(ErrorKind::InvalidArgument,
                                "bench needs a model (or --workloads DIR)");
                resolve_model_argument(a->model, *cmd, a->json);
                if (a->profile) return bench_profile_mode(*a);
                if (a->engine.int8) return bench_int8_mode(*a);
                if (a->table) return bench_table(*a);
                if (a->rss_streams > 0) return bench_rss(*a);
                return bench_one(*a);
            }};
}

}  // namespace mlrt::cli
