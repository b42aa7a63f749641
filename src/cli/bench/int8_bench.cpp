#include "bench/int8_bench.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "bench/measure.hpp"
#include "engine_flags.hpp"
#include "mlrt/int8.hpp"
#include "util/json.hpp"

namespace mlrt::cli {
namespace {

// Worst (lowest) PSNR of `test` against `reference` over `frames`.
double worst_psnr(const Engine& reference, const Engine& test, const std::vector<Frame>& frames) {
    double worst = std::numeric_limits<double>::infinity();
    for (const Frame& f : frames) {
        const FrameView v = f.view();
        const Frame want = reference.run(std::span<const FrameView>(&v, 1));
        const Frame got = test.run(std::span<const FrameView>(&v, 1));
        worst = std::min(worst, psnr(want.view(), got.view()));
    }
    return worst;
}

std::string db(double v) {
    return std::isfinite(v) ? fmt::format("{:.2f}", v) : std::string("inf");
}

}  // namespace

int bench_int8(const ModelSource& model, const Int8Bench& b) {
    const InputFormat& in = b.input;
    const int planes = in.planes_per_clip[0];
    std::vector<Frame> calibration_frames, other_frames;
    for (int i = 0; i < b.calibrate; ++i)
        calibration_frames.push_back(
            natural_frame(in.width, in.height, planes, 1000u + static_cast<unsigned>(i), in.type));
    for (unsigned i = 0; i < 2; ++i)
        other_frames.push_back(natural_frame(in.width, in.height, planes, 2000u + i, in.type));

    EngineOptions float32 = b.options;
    float32.int8 = false;
    float32.int8_calibration.reset();
    const Stopwatch calibrating;
    Calibrator calibrator(model, in, float32);
    for (const Frame& f : calibration_frames) {
        const FrameView v = f.view();
        calibrator.add(std::span<const FrameView>(&v, 1));
    }
    EngineOptions int8 = b.options;
    int8.int8_calibration = std::make_shared<const Int8Calibration>(calibrator.finish());
    const double calibration_ms = calibrating.ms();

    // The first load quantizes, the second reads the conversion cache.
    int8.fp16_cache_dir = std::filesystem::temp_directory_path() /
                          fmt::format("mlrt-bench-int8-{}", static_cast<long>(::getpid()));
    const Stopwatch cold;
    { const Engine e(model, in, int8); }
    const double cold_ms = cold.ms();
    const Stopwatch warm;
    const Engine quantized(model, in, int8);
    const double warm_ms = warm.ms();
    std::error_code ignored;
    std::filesystem::remove_all(int8.fp16_cache_dir, ignored);

    const Engine reference(model, in, float32);
    report_device(reference.model_info(), b.verbose);
    report_device(quantized.model_info(), b.verbose);
    const FrameView timed = other_frames[0].view();
    const Timing t32 = time_engine(reference, timed, b.warmup, b.repeats, reference.num_streams());
    const Timing t8 = time_engine(quantized, timed, b.warmup, b.repeats, quantized.num_streams());
    const double psnr_calibration = worst_psnr(reference, quantized, calibration_frames);
    const double psnr_other = worst_psnr(reference, quantized, other_frames);
    const int nodes = quantized.model_info().int8_nodes;

    if (b.json) {
        std::printf(
            "{\"model\": %s, \"size\": [%d, %d], \"int8_nodes\": %d, \"float32_ms\": %.3f, "
            "\"int8_ms\": %.3f, \"int8_vs_float32\": %.4f, \"psnr_calibration_db\": %s, "
            "\"psnr_other_db\": %s, \"calibration_frames\": %d, \"calibration_ms\": %.1f, "
            "\"int8_load_ms_cold\": %.1f, \"int8_load_ms_warm\": %.1f}\n",
            json_string(b.model_name).c_str(), in.width, in.height, nodes, 1000.0 / t32.fps,
            1000.0 / t8.fps, t8.fps / t32.fps, db(psnr_calibration).c_str(), db(psnr_other).c_str(),
            b.calibrate, calibration_ms, cold_ms, warm_ms);
        return 0;
    }
    std::printf("model %s, frame %dx%d, %d int8 node(s), %d timed frames per row\n\n",
                b.model_name.c_str(), in.width, in.height, nodes, b.repeats);
    std::printf(
        "| precision | ms/frame | fps | vs float32 | PSNR vs float32 (calibration "
        "frames) | PSNR vs float32 (other frames) |\n|---|---|---|---|---|---|\n");
    std::printf("| float32 | %.1f | %.3f | 1.00x | | |\n", 1000.0 / t32.fps, t32.fps);
    std::printf("| int8 | %.1f | %.3f | %.2fx | %s dB | %s dB |\n", 1000.0 / t8.fps, t8.fps,
                t8.fps / t32.fps, db(psnr_calibration).c_str(), db(psnr_other).c_str());
    std::printf(
        "\ncalibration: %d natural-looking frame(s), %.0f ms; int8 engine load (quantization + "
        "sessions): %.1f ms cold cache, %.1f ms warm cache\n",
        b.calibrate, calibration_ms, cold_ms, warm_ms);
    return 0;
}

}  // namespace mlrt::cli
