#pragma once
// Hands the nodes mlrt's own kernels implement (custom_ops.hpp) to them, on the CPU provider:
// ONNX Resize nodes become ai.mlrt ResizeScales/ResizeSizes, and in quantized graphs
// DequantizeLinear -> PRelu/LeakyRelu -> QuantizeLinear on uint8 becomes one ai.mlrt LookupTable
// (DequantizeLinear -> PRelu/LeakyRelu read in float a LookupTableFloat). A node whose
// attributes or inputs the kernels do not implement stays ONNX Runtime's, and the report says
// why.
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace mlrt::detail::kernels {

struct RewriteReport {
    int rewritten = 0;              // Resize nodes
    int lookups = 0;                // quantized PRelu/LeakyRelu nodes (uint8 in and out)
    int dequantizing_lookups = 0;   // PRelu/LeakyRelu nodes of uint8 input read in float
    std::vector<std::string> kept;  // "Resize 'name': why" for each node left to ONNX Runtime
    // "PRelu 'name': why" for each PRelu/LeakyRelu of a DequantizeLinear's output left in float
    std::vector<std::string> kept_prelus;
};

// `float32_graph`: every Resize input is float32; else (a float16 graph) ONNX type inference
// finds the Resize nodes whose input is float32 all the same.
RewriteReport rewrite_for_cpu_kernels(onnx::ModelProto& model, bool float32_graph);

// What the report means for a user, one line: "2 Resize node(s) on mlrt's separable kernel; ...".
std::string describe(const RewriteReport& report);

}  // namespace mlrt::detail::kernels
