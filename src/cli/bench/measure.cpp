#include "bench/measure.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <random>
#include <thread>

namespace mlrt::cli {
namespace {

Timing summarise(std::vector<double> ms, double wall_ms) {
    Timing t;
    t.frames = static_cast<int>(ms.size());
    t.ms_min = *std::min_element(ms.begin(), ms.end());
    t.ms_median = median(ms);
    t.fps = static_cast<double>(ms.size()) / (wall_ms / 1000.0);
    return t;
}

}  // namespace

Frame test_frame(int width, int height, int planes, SampleType type) {
    Frame f(width, height, planes, type);
    std::mt19937 rng(12345);
    std::uniform_real_distribution<float> noise(-0.05f, 0.05f);
    for (int p = 0; p < planes; ++p)
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x) {
                const float v =
                    std::clamp(0.5f +
                                   0.4f * std::sin(0.05f * static_cast<float>(x + p * 7)) *
                                       std::cos(0.03f * static_cast<float>(y)) +
                                   noise(rng),
                               0.f, 1.f);
                const auto i = static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                               static_cast<std::size_t>(x);
                if (type == SampleType::Float32)
                    f.plane<float>(p)[i] = v;
                else
                    f.plane<std::uint16_t>(p)[i] = float_to_half(v);
            }
    return f;
}

Frame natural_frame(int width, int height, int planes, unsigned seed, SampleType type) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> lattice(-0.5f, 0.5f);
    std::vector<float> acc(static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
    Frame f(width, height, planes, type);
    for (int p = 0; p < planes; ++p) {
        std::fill(acc.begin(), acc.end(), 0.0f);
        float amplitude = 0.5f;
        for (int cell = 64; cell >= 2; cell /= 2, amplitude *= 0.55f) {
            const int gw = width / cell + 2, gh = height / cell + 2;
            std::vector<float> grid(static_cast<std::size_t>(gw) * static_cast<std::size_t>(gh));
            for (auto& v : grid) v = lattice(rng);
            const auto at = [&](int gx, int gy) {
                return grid[static_cast<std::size_t>(gy) * static_cast<std::size_t>(gw) +
                            static_cast<std::size_t>(gx)];
            };
            for (int y = 0; y < height; ++y)
                for (int x = 0; x < width; ++x) {
                    const int gx = x / cell, gy = y / cell;
                    float tx = static_cast<float>(x % cell) / static_cast<float>(cell);
                    float ty = static_cast<float>(y % cell) / static_cast<float>(cell);
                    tx = tx * tx * (3 - 2 * tx);  // smoothstep: no visible lattice
                    ty = ty * ty * (3 - 2 * ty);
                    const float top = at(gx, gy) * (1 - tx) + at(gx + 1, gy) * tx;
                    const float bottom = at(gx, gy + 1) * (1 - tx) + at(gx + 1, gy + 1) * tx;
                    acc[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                        static_cast<std::size_t>(x)] += amplitude * (top * (1 - ty) + bottom * ty);
                }
        }
        for (std::size_t i = 0; i < acc.size(); ++i) {
            const float v = std::clamp(0.5f + acc[i], 0.0f, 1.0f);
            if (type == SampleType::Float32)
                f.plane<float>(p)[i] = v;
            else
                f.plane<std::uint16_t>(p)[i] = float_to_half(v);
        }
    }
    return f;
}

Timing time_engine(const Engine& engine, const FrameView& frame, int warmup, int repeats,
                   int callers) {
    return time_engine(engine, std::span<const FrameView>(&frame, 1), warmup, repeats, callers);
}

Timing time_engine(const Engine& engine, std::span<const FrameView> clips, int warmup, int repeats,
                   int callers) {
    callers = std::max(1, callers);
    std::vector<Frame> outs;
    outs.reserve(static_cast<std::size_t>(callers));
    for (int i = 0; i < callers; ++i)
        outs.emplace_back(engine.output_width(), engine.output_height(), engine.output_planes(),
                          engine.output_type());
    for (int i = 0; i < warmup; ++i) engine.run(clips, outs[0].mutable_view());

    std::atomic<int> next{0};
    std::mutex m;
    std::vector<double> ms;
    const auto caller = [&](const MutableFrameView& out) {
        while (next.fetch_add(1) < repeats) {
            const Stopwatch one;
            engine.run(clips, out);
            const double d = one.ms();
            const std::lock_guard lock(m);
            ms.push_back(d);
        }
    };
    const Stopwatch all;
    if (callers == 1) {
        // On this thread: a thread made for each call sets up ONNX Runtime's and mlrt's kernels'
        // per-thread state again each time (about 1 ms a frame on a 7-plane interpolation model,
        // which `bench --workloads` times one frame per call).
        caller(outs[0].mutable_view());
    } else {
        std::vector<std::thread> threads;
        threads.reserve(static_cast<std::size_t>(callers));
        for (int c = 0; c < callers; ++c)
            threads.emplace_back(
                [&, c] { caller(outs[static_cast<std::size_t>(c)].mutable_view()); });
        for (auto& t : threads) t.join();
    }
    return summarise(std::move(ms), all.ms());
}

Timing time_plain(PlainSession& session, const FrameView& frame, int warmup, int repeats) {
    session.set_input(frame);
    for (int i = 0; i < warmup; ++i) session.run();
    std::vector<double> ms;
    const Stopwatch all;
    for (int i = 0; i < repeats; ++i) {
        const Stopwatch one;
        session.run();
        ms.push_back(one.ms());
    }
    return summarise(std::move(ms), all.ms());
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

}  // namespace mlrt::cli
