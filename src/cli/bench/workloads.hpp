#pragma once
// `mlrt bench --workloads DIR`: one row per workload of the field (luma, chroma, strength plane,
// interpolation, window, RGB), each model fed the way `mlrt run` feeds it (several clips:
// frames and constant planes) and timed against a plain ONNX Runtime session given the same
// planes as one tensor.
#include <string>

#include "mlrt/engine_options.hpp"

namespace mlrt::cli {

struct WorkloadBench {
    std::string dir;  // holds luma.onnx, chroma.onnx, strength.onnx, interpolation.onnx, ...
    int width = 0, height = 0;
    EngineOptions options;
    int warmup = 2;
    int repeats = 5;
    bool json = false;
};

int bench_workloads(const WorkloadBench& b);

}  // namespace mlrt::cli
