#pragma once
// Where a session's time goes, node by node, from ONNX Runtime's profiler: what `mlrt bench
// --profile` prints.
#include <string>
#include <vector>

#include "mlrt/export.hpp"

namespace mlrt {

struct NodeTime {
    std::string node;     // the node's name in the graph ONNX Runtime ran (after its fusions)
    std::string op_type;  // e.g. "Conv", "FusedConv", "ResizeScales"
    std::string provider;
    double ms = 0;  // kernel time, summed over the profiled runs
    int calls = 0;
};

struct Profile {
    int runs = 0;                 // session runs profiled
    double run_ms = 0;            // their total wall time
    std::vector<NodeTime> nodes;  // by kernel time, most first

    // The nodes' times summed per op type, most first.
    MLRT_API std::vector<NodeTime> by_op_type() const;
    // The sum of every node's kernel time.
    MLRT_API double kernel_ms() const;
};

// Reads ONNX Runtime's profile (its Chrome trace JSON), leaving out the first `skip_runs`
// session runs and every node that started before the first run kept (warm-up: ONNX Runtime's
// first run plans its memory pattern and the second allocates it, so both are slower than the
// runs after). Throws mlrt::Error(Runtime) when the text is not a trace, or when it holds no run
// beyond the skipped ones.
MLRT_API Profile parse_ort_profile(const std::string& json_text, int skip_runs = 0);

}  // namespace mlrt
