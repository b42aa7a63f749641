#include "bench/profile_bench.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include "bench/measure.hpp"
#include "mlrt/cpu.hpp"
#include "mlrt/inspect.hpp"
#include "mlrt/int8.hpp"
#include "util/json.hpp"

namespace mlrt::cli {
namespace {

struct Column {
    std::string name;
    Profile profile;
    double frames = 0;  // frames the profile covers (runs / tiles per frame)
    double per_frame(double ms) const { return frames > 0 ? ms / frames : 0; }
};

bool is_convolution(const std::string& op) {
    return op.find("Conv") != std::string::npos || op == "Gemm" || op == "MatMul" ||
           op == "QLinearMatMul" || op == "MatMulInteger";
}

double convolution_ms(const Profile& p) {
    double ms = 0;
    for (const NodeTime& t : p.by_op_type())
        if (is_convolution(t.op_type)) ms += t.ms;
    return ms;
}

// The convolutions' part of all the kernels' time.
double convolution_share(const Column& c) {
    const double all = c.profile.kernel_ms();
    return all > 0 ? convolution_ms(c.profile) / all : 0;
}

struct Clock {
    double ghz = 0;
    const char* source = "";  // how it was found, for the report
};

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// The clock a core runs at under load, measured: a chain of dependent adds retires one add a
// cycle, whatever the frequency scaling, and virtual machines (no cpufreq, a "cpu MHz" that is
// the host's base clock) report nothing better. The best of a few ~10 ms trials.
std::optional<double> measured_clock_ghz() {
    constexpr std::uint64_t kLoops = 2'000'000;  // 16 adds each
    double best = 0;
    for (int trial = 0; trial < 5; ++trial) {
        std::uint64_t x = 0;
        const auto t0 = std::chrono::steady_clock::now();
        for (std::uint64_t i = 0; i < kLoops; ++i)
            asm volatile(
                "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0"
                : "+r"(x));
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (s > 0) best = std::max(best, static_cast<double>(kLoops) * 16.0 / s / 1e9);
    }
    if (best > 0.3 && best < 10) return best;
    return std::nullopt;
}
#else
std::optional<double> measured_clock_ghz() {
    return std::nullopt;
}
#endif

// The clock the cores run at: measured where it can be, else cpufreq's maximum, else
// /proc/cpuinfo's "cpu MHz". Measured once per process.
std::optional<Clock> core_clock() {
    static const std::optional<Clock> clock = []() -> std::optional<Clock> {
        if (const auto ghz = measured_clock_ghz()) return Clock{*ghz, "measured"};
        std::ifstream f("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
        double khz = 0;
        if (f >> khz && khz > 0) return Clock{khz / 1e6, "cpufreq maximum"};
        std::ifstream info("/proc/cpuinfo");
        for (std::string line; std::getline(info, line);)
            if (line.rfind("cpu MHz", 0) == 0) {
                const auto colon = line.find(':');
                if (colon != std::string::npos)
                    return Clock{std::stod(line.substr(colon + 1)) / 1000.0, "/proc/cpuinfo"};
            }
        return std::nullopt;
    }();
    return clock;
}

// Nominal float32 peak of `threads` cores: two FMA pipes a core, 256 bits wide with AVX2 (32
// FLOP a cycle), 512 bits with AVX-512 (64: Zen 5 and Xeons; Zen 4 splits AVX-512 over 256-bit
// pipes, so it reads half as far as it could go). An upper bound, as a peak should be. int8 with
// a dot-product instruction does four multiply-adds per 32-bit lane.
std::optional<double> peak_gflops(int threads, bool int8) {
    const CpuFeatures& cpu = cpu_features();
    const auto clock = core_clock();
    if (!clock || !cpu.avx2) return std::nullopt;
    const double per_cycle = cpu.avx512 ? 64.0 : 32.0;
    return threads * clock->ghz * per_cycle * (int8 && cpu.int8_dot_product() ? 4.0 : 1.0);
}

Column profile_engine(const std::string& name, const ModelSource& model, const InputFormat& in,
                      EngineOptions o, const Frame& frame, const ProfileBench& b) {
    o.profile = true;
    o.num_streams = 1;
    const Engine e(model, in, o);
    (void)time_engine(e, frame.view(), b.warmup, b.repeats, 1);
    Column c{name, e.end_profile(b.warmup), 0};
    c.frames = static_cast<double>(c.profile.runs) / static_cast<double>(e.layout().count());
    return c;
}

std::string op_label(const std::string& op) {
    return op == "ResizeScales" || op == "ResizeSizes" ? "Resize (mlrt's kernel)" : op;
}

void print_share(const std::vector<Column>& cols) {
    std::printf("\n             their share of the kernel time:");
    for (const Column& c : cols)
        std::printf(" %s %.0f%%;", c.name.c_str(), 100.0 * convolution_share(c));
    std::printf("\n             the rest of each frame is the other rows above\n");
}

void print_text(const std::vector<Column>& cols, const ProfileBench& b,
                const std::optional<ComputeEstimate>& compute, const std::string& why,
                int threads) {
    std::printf(
        "profile      ONNX Runtime's profiler, ms per frame (%d frames after %d warm-up); "
        "%s\n",
        b.repeats, b.warmup, b.model_name.c_str());
    std::map<std::string, std::vector<double>> rows;
    for (std::size_t i = 0; i < cols.size(); ++i)
        for (const NodeTime& t : cols[i].profile.by_op_type()) {
            auto& r = rows[op_label(t.op_type)];
            r.resize(cols.size());
            r[i] = cols[i].per_frame(t.ms);
        }
    std::vector<std::pair<std::string, std::vector<double>>> sorted(rows.begin(), rows.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) {
        return *std::max_element(x.second.begin(), x.second.end()) >
               *std::max_element(y.second.begin(), y.second.end());
    });
    std::printf("%-26s", "op type");
    for (const Column& c : cols) std::printf("%22s", c.name.c_str());
    std::printf("\n");
    for (const auto& [op, v] : sorted) {
        std::printf("%-26s", op.c_str());
        for (std::size_t i = 0; i < cols.size(); ++i) {
            const double total = cols[i].per_frame(cols[i].profile.kernel_ms());
            std::printf("%14.1f  %4.0f%% ", v[i], total > 0 ? 100.0 * v[i] / total : 0.0);
        }
        std::printf("\n");
    }
    std::printf("%-26s", "all kernels");
    for (const Column& c : cols) std::printf("%14.1f        ", c.per_frame(c.profile.kernel_ms()));
    std::printf("\n%-26s", "whole runs");
    for (const Column& c : cols) std::printf("%14.1f        ", c.per_frame(c.profile.run_ms));
    std::printf("\n\ntop nodes    %s\n", cols.front().name.c_str());
    const auto& nodes = cols.front().profile.nodes;
    for (std::size_t i = 0; i < nodes.size() && static_cast<int>(i) < b.top; ++i)
        std::printf("  %10.1f ms  %-20s %s\n", cols.front().per_frame(nodes[i].ms),
                    op_label(nodes[i].op_type).c_str(), nodes[i].node.c_str());
    // The share needs no FLOP count: a model whose count is unknown still gets it.
    if (!compute || compute->flops <= 0) {
        if (compute)
            std::printf("\nconvolutions none in the model");
        else
            std::printf("\nconvolutions FLOP count unknown (%s)", why.c_str());
        print_share(cols);
        return;
    }
    const double gflop = compute->flops / 1e9;
    std::printf("\nconvolutions %.1f GFLOP per frame:", gflop);
    for (const Column& c : cols) {
        const double ms = c.per_frame(convolution_ms(c.profile));
        const bool int8 = c.name.find("int8") != std::string::npos;
        std::printf(" %s %.0f G%s/s", c.name.c_str(), ms > 0 ? gflop / (ms / 1000.0) : 0.0,
                    int8 ? "OP" : "FLOP");
        if (const auto peak = peak_gflops(threads, int8); peak && ms > 0)
            std::printf(" (%.0f%% of a nominal %.0f)", 100.0 * gflop / (ms / 1000.0) / *peak,
                        *peak);
        std::printf(";");
    }
    if (const auto clock = core_clock())
        std::printf("\n             nominal peak: %d core(s) at %.2f GHz (%s)", threads, clock->ghz,
                    clock->source);
    print_share(cols);
}

void print_json(const std::vector<Column>& cols, const std::optional<ComputeEstimate>& compute,
                int threads) {
    std::string out = "{\"columns\": [";
    for (std::size_t i = 0; i < cols.size(); ++i) {
        const Column& c = cols[i];
        std::string ops, nodes;
        for (const NodeTime& t : c.profile.by_op_type())
            ops += fmt::format("{}{{\"op_type\": {}, \"ms_per_frame\": {:.3f}, \"calls\": {}}}",
                               ops.empty() ? "" : ", ", json_string(t.op_type), c.per_frame(t.ms),
                               t.calls);
        for (const NodeTime& t : c.profile.nodes)
            nodes += fmt::format("{}{{\"node\": {}, \"op_type\": {}, \"ms_per_frame\": {:.3f}}}",
                                 nodes.empty() ? "" : ", ", json_string(t.node),
                                 json_string(t.op_type), c.per_frame(t.ms));
        const double conv_ms = c.per_frame(convolution_ms(c.profile));
        const bool int8 = c.name.find("int8") != std::string::npos;
        const auto peak = peak_gflops(threads, int8);
        const double rate = compute && conv_ms > 0 ? compute->flops / 1e9 / (conv_ms / 1000.0) : 0;
        out += fmt::format(
            "{}{{\"name\": {}, \"frames\": {:.2f}, \"kernel_ms_per_frame\": {:.3f}, "
            "\"run_ms_per_frame\": {:.3f}, \"convolution_ms_per_frame\": {:.3f}, "
            "\"convolution_share\": {:.4f}, \"convolution_rate_g_per_s\": {:.1f}, "
            "\"nominal_peak_g_per_s\": {}, \"ops\": [{}], \"nodes\": [{}]}}",
            i ? ", " : "", json_string(c.name), c.frames, c.per_frame(c.profile.kernel_ms()),
            c.per_frame(c.profile.run_ms), conv_ms, convolution_share(c), rate,
            peak ? fmt::format("{:.0f}", *peak) : "null", ops, nodes);
    }
    out += fmt::format("], \"gflop_per_frame\": {}}}",
                       compute ? fmt::format("{:.3f}", compute->flops / 1e9) : "null");
    std::printf("%s\n", out.c_str());
}

}  // namespace

int bench_profile(const ModelSource& model, const ProfileBench& b) {
    const InputFormat& in = b.input;
    const Frame frame = test_frame(in.width, in.height, in.planes_per_clip[0], in.type);
    EngineOptions float32 = b.options;
    float32.int8 = false;
    float32.int8_calibration.reset();
    std::vector<Column> cols;
    cols.push_back(
        profile_engine(float32.fp16 ? "engine fp16" : "engine", model, in, float32, frame, b));
    const Engine probe(model, in, float32);
    const int threads = probe.intra_op_threads();
    {
        EngineOptions plain_options = float32;
        plain_options.profile = true;
        PlainSession plain(model, plain_options, threads);
        (void)time_plain(plain, frame.view(), b.warmup, b.repeats);
        Column c{"plain ORT", plain.end_profile(b.warmup), 0};
        c.frames = c.profile.runs;
        cols.push_back(std::move(c));
    }
    if (b.options.int8) {
        EngineOptions int8 = b.options;
        if (!int8.int8_calibration) {
            Calibrator calibrator(model, in, float32);
            for (int i = 0; i < b.calibrate; ++i) {
                const Frame f = natural_frame(in.width, in.height, in.planes_per_clip[0],
                                              1000u + static_cast<unsigned>(i), in.type);
                const FrameView v = f.view();
                calibrator.add(std::span<const FrameView>(&v, 1));
            }
            int8.int8_calibration = std::make_shared<const Int8Calibration>(calibrator.finish());
        }
        cols.push_back(profile_engine("engine int8", model, in, int8, frame, b));
    }
    std::string why;
    const auto compute = estimate_compute(model, in.width, in.height, &why);
    if (b.json)
        print_json(cols, compute, threads);
    else
        print_text(cols, b, compute, why, threads);
    return 0;
}

}  // namespace mlrt::cli
