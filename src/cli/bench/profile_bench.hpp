#pragma once
// `mlrt bench --profile`: where the time goes, op type by op type and node by node, in the
// engine's session (float32, and int8 with --int8) and in the plain session, from ONNX Runtime's
// profiler; and how close the convolutions run to the machine's nominal peak.
#include <string>

#include "mlrt/engine.hpp"

namespace mlrt::cli {

struct ProfileBench {
    std::string model_name;
    InputFormat input;
    EngineOptions options;  // with int8: the float32 engine is profiled beside the int8 one
    int warmup = 2;
    int repeats = 5;
    int calibrate = 4;
    int top = 10;  // nodes listed
    bool json = false;
};

int bench_profile(const ModelSource& model, const ProfileBench& bench);

}  // namespace mlrt::cli
