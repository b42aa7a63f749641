// The engine against a plain ONNX Runtime session on the same frame, in one process, plus the
// tiling and stream configurations that matter. Prints a table of ms/frame and ratios.
//   mlrt_engine_bench [MODEL] [--size WxH] [--repeats N] [--tile N --overlap N]
//   mlrt_engine_bench [MODEL] [--size WxH] --rss-streams N [--callers C]   (peak RSS of N streams,
//   C callers)
#include <onnxruntime_cxx_api.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "mlrt/engine.hpp"
#include "mlrt/error.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Timing {
    double min_ms = 0, median_ms = 0;
};

Timing time_runs(int repeats, const std::function<void()>& run) {
    run();  // warm-up: first runs allocate and pick kernels
    std::vector<double> ms;
    for (int i = 0; i < repeats; ++i) {
        const auto t0 = Clock::now();
        run();
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    return {ms.front(), ms[ms.size() / 2]};
}

mlrt::Frame test_frame(int w, int h) {
    mlrt::Frame f(w, h, 3, mlrt::SampleType::Float32);
    for (int p = 0; p < 3; ++p)
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                f.plane<float>(p)[static_cast<std::size_t>(y) * static_cast<std::size_t>(w) +
                                  static_cast<std::size_t>(x)] =
                    0.5f + 0.4f * std::sin(0.05f * static_cast<float>(x + p * 7)) *
                               std::cos(0.03f * static_cast<float>(y));
    return f;
}

Timing plain_ort(const std::string& model, const mlrt::Frame& frame, int repeats) {
    Ort::Env env(ORT_LOGGING_LEVEL_WARNING, "bench");
    Ort::SessionOptions so;  // ONNX Runtime's defaults: what a user calling it directly gets
    so.SetGraphOptimizationLevel(ORT_ENABLE_ALL);
    Ort::Session session(env, model.c_str(), so);
    std::vector<float> input(static_cast<std::size_t>(3 * frame.width() * frame.height()));
    for (int p = 0; p < 3; ++p)
        std::copy_n(frame.plane<float>(p).data(), frame.plane<float>(p).size(),
                    input.data() + static_cast<std::size_t>(p) * frame.plane<float>(p).size());
    const std::int64_t dims[] = {1, 3, frame.height(), frame.width()};
    const auto mem = Ort::MemoryInfo::CreateCpu(OrtDeviceAllocator, OrtMemTypeDefault);
    Ort::Value tensor = Ort::Value::CreateTensor<float>(mem, input.data(), input.size(), dims, 4);
    Ort::AllocatorWithDefaultOptions alloc;
    const auto in_name = session.GetInputNameAllocated(0, alloc);
    const auto out_name = session.GetOutputNameAllocated(0, alloc);
    const char* in_names[] = {in_name.get()};
    const char* out_names[] = {out_name.get()};
    return time_runs(repeats,
                     [&] { session.Run(Ort::RunOptions{}, in_names, &tensor, 1, out_names, 1); });
}

struct Row {
    std::string name;
    Timing t;
    std::size_t tiles;
    double pixels;  // processed input pixels / frame pixels
};

double peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// One engine with `streams` streams kept busy by as many callers: the memory a user pays for them.
int measure_rss(const std::string& model, int w, int h, int streams, int callers_n, int tile,
                int overlap) {
    const mlrt::Frame frame = test_frame(w, h);
    const mlrt::FrameView view = frame.view();
    mlrt::EngineOptions o;
    o.num_streams = streams;
    o.tile_width = o.tile_height = tile;
    o.overlap_width = o.overlap_height = overlap;
    mlrt::Engine e(mlrt::ModelSource::from_path(model), {w, h, mlrt::SampleType::Float32, {3}}, o);
    for (int round = 0; round < 2; ++round) {
        std::vector<std::thread> callers;
        callers.reserve(static_cast<std::size_t>(callers_n));
        for (int c = 0; c < callers_n; ++c)
            callers.emplace_back([&] { e.run(std::span<const mlrt::FrameView>(&view, 1)); });
        for (auto& c : callers) c.join();
    }
    std::printf("streams %d, callers %d, tile %d: peak RSS %.1f MiB\n", streams, callers_n, tile,
                peak_rss_mib());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string model = MLRT_SHARED_MODELS "/realesr-animevideov3-x2.onnx";
    int w = 960, h = 540, repeats = 3, rss_streams = 0, callers = 0, tile = 0, overlap = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--size" && i + 1 < argc) {
            std::sscanf(argv[++i], "%dx%d", &w, &h);
        } else if (a == "--repeats" && i + 1 < argc) {
            repeats = std::max(1, std::atoi(argv[++i]));
        } else if (a == "--rss-streams" && i + 1 < argc) {
            rss_streams = std::atoi(argv[++i]);
        } else if (a == "--callers" && i + 1 < argc) {
            callers = std::atoi(argv[++i]);
        } else if (a == "--tile" && i + 1 < argc) {
            tile = std::atoi(argv[++i]);
        } else if (a == "--overlap" && i + 1 < argc) {
            overlap = std::atoi(argv[++i]);
        } else if (a == "--help") {
            std::printf("usage: mlrt_engine_bench [MODEL] [--size WxH] [--repeats N]\n");
            return 0;
        } else {
            model = a;
        }
    }
    try {
        if (rss_streams > 0)
            return measure_rss(model, w, h, rss_streams, callers > 0 ? callers : rss_streams, tile,
                               overlap);
        const mlrt::Frame frame = test_frame(w, h);
        const mlrt::FrameView view = frame.view();
        const std::span<const mlrt::FrameView> clips(&view, 1);
        std::printf(
            "model %s, frame %dx%d RGB float32, %u cores, %d repeats (median of runs after a "
            "warm-up)\n",
            model.c_str(), w, h, std::thread::hardware_concurrency(), repeats);

        const Timing plain = plain_ort(model, frame, repeats);
        std::vector<Row> rows;
        auto engine_row = [&](const std::string& name, const mlrt::EngineOptions& o) {
            mlrt::Engine e(mlrt::ModelSource::from_path(model),
                           {w, h, mlrt::SampleType::Float32, {3}}, o);
            mlrt::Frame out(e.output_width(), e.output_height(), e.output_planes(),
                            e.output_type());
            const Timing t = time_runs(repeats, [&] { e.run(clips, out.mutable_view()); });
            const auto& l = e.layout();
            rows.push_back({name, t, l.count(),
                            static_cast<double>(l.x.tile) * l.y.tile *
                                static_cast<double>(l.count()) / (w * h)});
        };
        mlrt::EngineOptions untiled;
        engine_row("engine untiled, 1 stream", untiled);
        mlrt::EngineOptions literal;
        literal.tile_width = literal.tile_height = 256;
        literal.overlap_width = literal.overlap_height = 16;
        literal.tile_mode = mlrt::TileMode::Literal;
        engine_row("engine tile 256 overlap 16, literal", literal);
        mlrt::EngineOptions balanced = literal;
        balanced.tile_mode = mlrt::TileMode::Balanced;
        engine_row("engine tile <=256 overlap 16, balanced", balanced);

        // fp16: the engine converts the graph itself; first load converts, the second reads the
        // cache.
        const auto cache = std::filesystem::temp_directory_path() / "mlrt-bench-fp16-cache";
        std::filesystem::remove_all(cache);
        mlrt::EngineOptions half;
        half.fp16 = true;
        half.output_type = mlrt::SampleType::Float32;
        half.fp16_cache_dir = cache;
        auto load_ms = [&] {
            const auto t0 = Clock::now();
            mlrt::Engine e(mlrt::ModelSource::from_path(model),
                           {w, h, mlrt::SampleType::Float32, {3}}, half);
            return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        };
        const double cold_ms = load_ms();
        const double warm_ms = load_ms();
        engine_row("engine untiled, fp16 (converted by mlrt)", half);

        // Aggregate throughput with 2 concurrent callers, 1 and 2 streams.
        for (int streams : {1, 2}) {
            mlrt::EngineOptions o;
            o.num_streams = streams;
            mlrt::Engine e(mlrt::ModelSource::from_path(model),
                           {w, h, mlrt::SampleType::Float32, {3}}, o);
            auto pair = [&] {
                std::thread other([&] { e.run(clips); });
                e.run(clips);
                other.join();
            };
            Timing t = time_runs(repeats, pair);
            t.min_ms /= 2;
            t.median_ms /= 2;  // per frame: two frames per round
            rows.push_back(
                {"engine untiled, " + std::to_string(streams) + " stream(s), 2 callers (per frame)",
                 t, 1, 1.0});
        }

        std::printf(
            "\n| configuration | ms/frame (median) | ms/frame (min) | throughput vs plain ORT | "
            "tiles | pixels processed / frame |\n");
        std::printf("|---|---|---|---|---|---|\n");
        std::printf(
            "| plain ONNX Runtime Session::Run, full frame | %.1f | %.1f | 1.00x | 1 | 1.00 |\n",
            plain.median_ms, plain.min_ms);
        for (const Row& r : rows)
            std::printf("| %s | %.1f | %.1f | %.2fx | %zu | %.2f |\n", r.name.c_str(),
                        r.t.median_ms, r.t.min_ms, plain.median_ms / r.t.median_ms, r.tiles,
                        r.pixels);
        std::printf(
            "\nfp16 engine load (conversion + sessions): %.1f ms cold cache, %.1f ms warm cache\n",
            cold_ms, warm_ms);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mlrt_engine_bench: %s\n", e.what());
        return 1;
    }
}
