#pragma once
// Timing the engine and the plain ONNX Runtime baseline on the same frame: what `mlrt bench`
// reports, in every mode.
#include <chrono>
#include <span>
#include <vector>

#include "mlrt/baseline.hpp"
#include "mlrt/engine.hpp"
#include "mlrt/frame.hpp"

namespace mlrt::cli {

struct Timing {
    double fps = 0;  // frames over the wall time of all timed runs
    double ms_min = 0;
    double ms_median = 0;
    int frames = 0;
};

// Smooth gradients with a little deterministic noise in [0, 1]: a frame whose numbers are the
// same for the engine and the baseline, and not degenerate for any kernel.
Frame test_frame(int width, int height, int planes, SampleType type);

// Multi-octave value noise (a 1/f-like spectrum, as photographs and animation have), clamped to
// [0, 1]: content whose activations look like real footage's, for quality measurements.
Frame natural_frame(int width, int height, int planes, unsigned seed, SampleType type);

// `repeats` frames after `warmup` untimed ones, from `callers` threads at once (each with its own
// output), as `mlrt run` keeps every stream busy.
Timing time_engine(const Engine& engine, const FrameView& frame, int warmup, int repeats,
                   int callers);
// The same over several clips (an image frame and constant planes, a window, a pair).
Timing time_engine(const Engine& engine, std::span<const FrameView> clips, int warmup, int repeats,
                   int callers);
Timing time_plain(PlainSession& session, const FrameView& frame, int warmup, int repeats);

double peak_rss_mib();

double median(std::vector<double> values);  // of a non-empty list

class Stopwatch {
  public:
    double ms() const {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0_)
            .count();
    }

  private:
    std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

}  // namespace mlrt::cli
