// `mlrt bench MODEL`: the engine's speed on one frame size, next to a plain ONNX Runtime
// session running the same frame in this process, so the engine's overhead (or gain) shows.
#include <fmt/core.h>
#include <onnxruntime_cxx_api.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "commands/commands.hpp"
#include "engine_flags.hpp"
#include "mlrt/error.hpp"
#include "model/inspect.hpp"
#include "util/args.hpp"
#include "util/json.hpp"
#include "util/plane_buffer.hpp"

namespace mlrt::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchArgs {
    std::string model;
    std::string size = "640x360";
    EngineFlags engine;
    int repeats = 5;
    int warmup = 1;
    bool json = false;
};

struct Timing {
    double fps = 0;
    double ms_min = 0;
    double ms_median = 0;
    int frames = 0;
};

Timing summarise(std::vector<double> ms, double wall_s) {
    Timing t;
    t.frames = static_cast<int>(ms.size());
    std::sort(ms.begin(), ms.end());
    t.ms_min = ms.front();
    t.ms_median =
        ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
    t.fps = static_cast<double>(ms.size()) / wall_s;
    return t;
}

double peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Deterministic input in [0, 1): the same numbers for the engine and the plain session.
std::vector<float> test_pattern(std::size_t n) {
    std::mt19937 rng(12345);
    std::uniform_real_distribution<float> d(0.f, 1.f);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}

Timing bench_engine(const Engine& engine, const std::vector<float>& pattern, int width, int height,
                    int channels, SampleType type, int warmup, int repeats) {
    PlaneBuffer in(width, height, channels, type);
    const auto plane = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
    for (int c = 0; c < channels; ++c)
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x) {
                const float v = pattern[static_cast<std::size_t>(c) * plane +
                                        static_cast<std::size_t>(y * width + x)];
                std::byte* row = in.plane(c) + y * in.stride();
                if (type == SampleType::Float32)
                    reinterpret_cast<float*>(row)[x] = v;
                else
                    reinterpret_cast<std::uint16_t*>(row)[x] = float_to_half(v);
            }
    const FrameView view = in.view();
    const int streams = engine.num_streams();
    std::vector<PlaneBuffer> outs;
    outs.reserve(static_cast<std::size_t>(streams));
    for (int i = 0; i < streams; ++i)
        outs.emplace_back(engine.output_width(), engine.output_height(), engine.output_planes(),
                          engine.output_type());
    for (int i = 0; i < warmup; ++i)
        engine.run(std::span<const FrameView>(&view, 1), outs[0].mutable_view());

    // One client thread per stream keeps every session busy, as `mlrt run` does.
    std::atomic<int> next{0};
    std::mutex m;
    std::vector<double> ms;
    const auto t0 = Clock::now();
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(streams));
    for (int s = 0; s < streams; ++s)
        threads.emplace_back([&, s] {
            while (next.fetch_add(1) < repeats) {
                const auto t = Clock::now();
                engine.run(std::span<const FrameView>(&view, 1),
                           outs[static_cast<std::size_t>(s)].mutable_view());
                const double d = ms_since(t);
                std::lock_guard lock(m);
                ms.push_back(d);
            }
        });
    for (auto& t : threads) t.join();
    return summarise(ms, ms_since(t0) / 1000.0);
}

// The baseline: the unmodified model in one session, the whole frame in one Run call.
Timing bench_plain(const BenchArgs& a, const EngineOptions& o, int threads,
                   const std::vector<float>& pattern, int width, int height, int channels,
                   int elem_type, const std::string& input_name, const std::string& output_name) {
    static Ort::Env env(ORT_LOGGING_LEVEL_ERROR, "mlrt-bench");
    Ort::SessionOptions so;
    so.SetIntraOpNumThreads(threads);
    so.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
    so.SetLogSeverityLevel(3);
    if (o.provider == Provider::CUDA) {
        const OrtApi& api = Ort::GetApi();
        OrtCUDAProviderOptionsV2* cuda = nullptr;
        Ort::ThrowOnError(api.CreateCUDAProviderOptions(&cuda));
        std::unique_ptr<OrtCUDAProviderOptionsV2, void (*)(OrtCUDAProviderOptionsV2*)> guard(
            cuda, api.ReleaseCUDAProviderOptions);
        const std::string dev = std::to_string(o.device_id);
        const char* keys[] = {"device_id", "cudnn_conv_algo_search"};
        const char* values[] = {dev.c_str(), o.cuda.cudnn_benchmark ? "EXHAUSTIVE" : "HEURISTIC"};
        Ort::ThrowOnError(api.UpdateCUDAProviderOptions(cuda, keys, values, 2));
        so.AppendExecutionProvider_CUDA_V2(*cuda);
    }
    Ort::Session session(env, a.model.c_str(), so);

    const std::array<std::int64_t, 4> shape{1, channels, height, width};
    const auto mem = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault);
    std::vector<std::uint16_t> halves;
    std::vector<float> floats;
    Ort::Value input{nullptr};
    if (elem_type == onnx::TensorProto_DataType_FLOAT16) {
        for (float v : pattern) halves.push_back(float_to_half(v));
        input = Ort::Value::CreateTensor(mem, halves.data(), halves.size() * 2, shape.data(),
                                         shape.size(), ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16);
    } else {
        floats = pattern;
        input = Ort::Value::CreateTensor<float>(mem, floats.data(), floats.size(), shape.data(),
                                                shape.size());
    }
    const char* in_names[] = {input_name.c_str()};
    const char* out_names[] = {output_name.c_str()};
    auto once = [&] { session.Run(Ort::RunOptions{nullptr}, in_names, &input, 1, out_names, 1); };
    for (int i = 0; i < a.warmup; ++i) once();
    std::vector<double> ms;
    const auto t0 = Clock::now();
    for (int i = 0; i < a.repeats; ++i) {
        const auto t = Clock::now();
        once();
        ms.push_back(ms_since(t));
    }
    return summarise(ms, ms_since(t0) / 1000.0);
}

std::string timing_json(const Timing& t) {
    return fmt::format(
        "{{\"fps\": {:.4f}, \"ms_per_frame\": {:.3f}, \"ms_min\": {:.3f}, \"ms_median\": {:.3f}, "
        "\"frames\": {}}}",
        t.fps, 1000.0 / t.fps, t.ms_min, t.ms_median, t.frames);
}

int bench(const BenchArgs& a) {
    const Size size = parse_size(a.size, "--size", false);
    const onnx::ModelProto proto = load_model(a.model);
    const ModelSummary model = summarize(proto, a.model);
    if (model.inputs.size() != 1 || model.outputs.size() != 1)
        throw Error(ErrorKind::InvalidModel,
                    "model '" + a.model + "' must have one input and one output");
    const TensorInfo& in = model.inputs[0];
    const int channels = in.channels() > 0 ? in.channels() : 3;
    const SampleType type = in.elem_type == onnx::TensorProto_DataType_FLOAT16 && !a.engine.fp16
                                ? SampleType::Float16
                                : SampleType::Float32;
    const EngineOptions options = engine_options(a.engine);

    const auto t_load = Clock::now();
    auto engine =
        std::make_unique<Engine>(ModelSource::from_path(a.model),
                                 InputFormat{size.width, size.height, type, {channels}}, options);
    const double load_s = ms_since(t_load) / 1000.0;
    const auto pattern =
        test_pattern(static_cast<std::size_t>(channels) * static_cast<std::size_t>(size.width) *
                     static_cast<std::size_t>(size.height));
    const Timing eng = bench_engine(*engine, pattern, size.width, size.height, channels, type,
                                    a.warmup, a.repeats);
    const double engine_rss = peak_rss_mib();
    const TileLayout layout = engine.get()->layout();
    const int scale = engine->model_info().scale;
    const int threads_total = engine->intra_op_threads() * engine->num_streams();
    const bool fixed_mismatch =
        in.values.size() == 4 && ((in.values[2] > 0 && in.values[2] != size.height) ||
                                  (in.values[3] > 0 && in.values[3] != size.width));
    engine.reset();  // the baseline should not share memory pressure or cores with idle sessions

    std::optional<Timing> plain;
    std::string plain_note;
    if (fixed_mismatch)
        plain_note = "the model has a fixed input size other than --size";
    else if (options.provider != Provider::CPU && options.provider != Provider::CUDA)
        plain_note =
            std::string("no plain-session baseline for provider ") + to_string(options.provider);
    else
        plain = bench_plain(a, options, threads_total, pattern, size.width, size.height, channels,
                            in.elem_type, in.name, model.outputs[0].name);
    const double ratio = plain ? eng.fps / plain->fps : 0.0;
    const double processed = static_cast<double>(layout.x.tile) * layout.y.tile *
                             static_cast<double>(layout.count()) /
                             (static_cast<double>(size.width) * size.height);
    const double rss = peak_rss_mib();
    if (plain && options.fp16)
        plain_note = "the plain session runs the model as given (not converted to float16)";

    if (a.json) {
        std::printf(
            "{\"model\": %s, \"provider\": \"%s\", \"size\": [%d, %d], \"scale\": %d, \"streams\": "
            "%d, "
            "\"intra_op_threads\": %d, \"fp16\": %s, \"tile\": [%d, %d], \"tiles_per_frame\": %zu, "
            "\"processed_pixel_ratio\": %.4f, \"repeats\": %d, \"engine_load_s\": %.3f, "
            "\"engine\": %s, "
            "\"plain_ort\": %s, \"engine_vs_plain\": %s, \"peak_rss_mib_engine\": %.1f, "
            "\"peak_rss_mib\": %.1f%s}\n",
            json_string(a.model).c_str(), to_string(options.provider), size.width, size.height,
            scale, options.num_streams, threads_total / std::max(1, options.num_streams),
            options.fp16 ? "true" : "false", layout.x.tile, layout.y.tile, layout.count(),
            processed, a.repeats, load_s, timing_json(eng).c_str(),
            plain ? timing_json(*plain).c_str() : "null",
            plain ? fmt::format("{:.4f}", ratio).c_str() : "null", engine_rss, rss,
            plain_note.empty() ? "" : (", \"note\": " + json_string(plain_note)).c_str());
        return 0;
    }
    std::printf("model        %s (scale %d)\n", a.model.c_str(), scale);
    std::printf("frame        %dx%d -> %dx%d, %s, %d stream(s) x %d thread(s)%s\n", size.width,
                size.height, size.width * scale, size.height * scale, to_string(options.provider),
                options.num_streams, threads_total / std::max(1, options.num_streams),
                options.fp16 ? ", fp16" : "");
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
        std::printf("ratio        %.3f (engine fps / plain fps)\n", ratio);
        if (!plain_note.empty()) std::printf("note         %s\n", plain_note.c_str());
    } else {
        std::printf("plain ORT    skipped: %s\n", plain_note.c_str());
    }
    std::printf("peak RSS     %.1f MiB after the engine, %.1f MiB in all\n", engine_rss, rss);
    return 0;
}

}  // namespace

Command add_bench_command(CLI::App& app) {
    auto a = std::make_shared<BenchArgs>();
    CLI::App* cmd = app.add_subcommand(
        "bench", "Measure a model's speed in the engine and in a plain ONNX Runtime session");
    cmd->add_option("model", a->model, "ONNX model file")->required();
    cmd->add_option("--size", a->size, "Input frame size, W or WxH")->capture_default_str();
    add_engine_flags(*cmd, a->engine);
    cmd->add_option("--repeats", a->repeats, "Frames to time")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    cmd->add_option("--warmup", a->warmup, "Untimed frames first")
        ->check(CLI::Range(0, 1000))
        ->capture_default_str();
    cmd->add_flag("--json", a->json, "Print one JSON object");
    return {cmd, [a] { return bench(*a); }};
}

}  // namespace mlrt::cli
