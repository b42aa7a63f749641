#pragma once
// `mlrt bench --int8`: what int8 buys and costs on this machine, float32 and int8 engines on the
// same natural-looking frames.
#include <string>

#include "mlrt/engine.hpp"

namespace mlrt::cli {

struct Int8Bench {
    std::string model_name;
    InputFormat input;
    EngineOptions options;  // with int8; its float32 twin is the same without
    int warmup = 2;
    int repeats = 5;
    int calibrate = 4;  // calibration frames
    bool json = false;
    bool verbose = false;  // -v: what each engine runs on (report_device), on stderr
};

int bench_int8(const ModelSource& model, const Int8Bench& bench);

}  // namespace mlrt::cli
