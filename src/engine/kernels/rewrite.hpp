#pragma once
// Hands the nodes mlrt's own kernels implement (custom_ops.hpp) to them: ONNX Resize nodes on the
// CPU provider become ai.mlrt ResizeScales/ResizeSizes. A node whose attributes or inputs the
// kernel does not implement stays ONNX Runtime's, and the report says why.
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace mlrt::detail::kernels {

struct RewriteReport {
    int rewritten = 0;
    std::vector<std::string> kept;  // "Resize 'name': why" for each node left to ONNX Runtime
};

// `float32_graph`: the graph's Resize inputs are float32 (not a float16-converted graph).
RewriteReport rewrite_for_cpu_kernels(onnx::ModelProto& model, bool float32_graph);

// What the report means for a user, one line: "2 Resize nodes run on mlrt's kernel; ...".
std::string describe(const RewriteReport& report);

}  // namespace mlrt::detail::kernels
