// Stress: 4 streams x 16 concurrent callers x 500 frames over varied tile settings. Every
// output must equal the single-stream result, and resident memory must stay flat.
//   mlrt_stress [FRAMES]   (prints RSS at frame 50 and at the last frame; exit 1 on failure)
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mlrt/engine.hpp"
#include "support/frames.hpp"
#include "support/models.hpp"

namespace {

double rss_mib() {
    std::ifstream statm("/proc/self/statm");
    long pages_total = 0, pages_resident = 0;
    statm >> pages_total >> pages_resident;
    return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
           (1024.0 * 1024.0);
}

struct TileSetting {
    int tile, overlap;
    mlrt::TileMode mode;
};

}  // namespace

int main(int argc, char** argv) {
    const int frames = argc > 1 ? std::atoi(argv[1]) : 500;
    const int callers = 16, width = 136, height = 76;
    const std::vector<TileSetting> settings = {{0, 0, mlrt::TileMode::Balanced},
                                               {32, 4, mlrt::TileMode::Literal},
                                               {24, 3, mlrt::TileMode::Balanced},
                                               {48, 5, mlrt::TileMode::Literal}};
    mlrt::test::ConvStackSpec spec;
    spec.layers = 3;
    spec.scale = 2;
    const std::string model = mlrt::test::conv_stack_model(spec);

    std::vector<mlrt::Frame> inputs;
    for (unsigned i = 0; i < 16; ++i)
        inputs.push_back(mlrt::test::make_frame(width, height, 3, 1000 + i));

    std::vector<std::unique_ptr<mlrt::Engine>> engines;
    std::vector<std::vector<mlrt::Frame>> expected(settings.size());
    for (std::size_t s = 0; s < settings.size(); ++s) {
        mlrt::EngineOptions o;
        o.tile_width = o.tile_height = settings[s].tile;
        o.overlap_width = o.overlap_height = settings[s].overlap;
        o.tile_mode = settings[s].mode;
        mlrt::Engine single(mlrt::ModelSource::from_bytes(model),
                            {width, height, mlrt::SampleType::Float32, {3}}, o);
        for (auto& in : inputs) {
            mlrt::FrameView v = in.view();
            expected[s].push_back(single.run(std::span<const mlrt::FrameView>(&v, 1)));
        }
        o.num_streams = 4;
        o.intra_op_threads = 1;
        engines.push_back(std::make_unique<mlrt::Engine>(
            mlrt::ModelSource::from_bytes(model),
            mlrt::InputFormat{width, height, mlrt::SampleType::Float32, {3}}, o));
    }

    std::atomic<int> next{0}, done{0}, mismatches{0}, errors{0};
    double rss_at_50 = 0, rss_at_end = 0;
    std::mutex rss_mutex;
    std::vector<std::thread> threads;
    for (int c = 0; c < callers; ++c)
        threads.emplace_back([&] {
            for (int i = next++; i < frames; i = next++) {
                const std::size_t s = static_cast<std::size_t>(i) % settings.size();
                const std::size_t f = static_cast<std::size_t>(i / 4) % inputs.size();
                try {
                    mlrt::FrameView v = inputs[f].view();
                    mlrt::Frame out = engines[s]->run(std::span<const mlrt::FrameView>(&v, 1));
                    if (mlrt::test::max_abs_diff(out, expected[s][f]) != 0.0) ++mismatches;
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "frame %d: %s\n", i, e.what());
                    ++errors;
                }
                const int d = ++done;
                if (d == 50 || d == frames) {
                    std::lock_guard lock(rss_mutex);
                    (d == 50 ? rss_at_50 : rss_at_end) = rss_mib();
                }
            }
        });
    for (auto& t : threads) t.join();

    const double growth = rss_at_end - rss_at_50;
    std::printf(
        "stress: %d frames, 4 streams x %d callers, %zu tile settings: %d mismatches, %d errors\n",
        frames, callers, settings.size(), mismatches.load(), errors.load());
    std::printf("stress: RSS at frame 50 = %.1f MiB, at frame %d = %.1f MiB (growth %.1f MiB)\n",
                rss_at_50, frames, rss_at_end, growth);
    // Flat memory: allocator noise is allowed, steady growth per frame is not. ASan holds freed
    // memory in its quarantine, so there RSS says nothing; the plain build checks it.
#if defined(__SANITIZE_ADDRESS__)
    const bool memory_flat = true;
    std::printf("stress: RSS not judged under AddressSanitizer\n");
#else
    const bool memory_flat = growth < 16.0;
#endif
    const bool ok = mismatches == 0 && errors == 0 && memory_flat;
    std::printf("%d passed, %d failed\n", ok ? 1 : 0, ok ? 0 : 1);
    return ok ? 0 : 1;
}
