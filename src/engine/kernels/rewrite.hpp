#pragma once
// Hands the nodes mlrt's own kernels implement (custom_ops.hpp) to them, on the CPU provider:
// ONNX Resize nodes become ai.mlrt ResizeScales/ResizeSizes, and in quantized graphs
// DequantizeLinear -> PRelu/LeakyRelu -> QuantizeLinear on uint8 becomes one ai.mlrt LookupTable
// (DequantizeLinear -> PRelu/LeakyRelu read in float a LookupTableFloat); float32 DepthToSpace
// becomes ai.mlrt DepthToSpace (uint8: DepthToSpaceUint8), float32 PRelu ai.mlrt PRelu; a float
// Conv of a quantized tensor (the int8 graph's last layer) becomes ai.mlrt ConvUint8. A node whose
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
    int depth_to_space = 0;         // DepthToSpace nodes
    int uint8_convs = 0;            // float Conv nodes of a quantized tensor
    int float_prelus = 0;           // PRelu nodes of a float32 tensor
    std::vector<std::string> kept;  // "Resize 'name': why" for each node left to ONNX Runtime
    // "PRelu 'name': why" for each PRelu/LeakyRelu of a DequantizeLinear's output left in float
    std::vector<std::string> kept_prelus;
    // "DepthToSpace 'name': why" for each left to ONNX Runtime
    std::vector<std::string> kept_depth_to_space;
    // "PRelu 'name': why" for each PRelu of a float tensor left to ONNX Runtime
    std::vector<std::string> kept_float_prelus;
    // "Conv 'name': why" for each float Conv of a quantized tensor left to ONNX Runtime
    std::vector<std::string> kept_convs;

    // Nodes now on mlrt's kernels: the sessions need the ai.mlrt domain when any are.
    int kernel_nodes() const noexcept {
        return rewritten + lookups + dequantizing_lookups + depth_to_space + uint8_convs +
               float_prelus;
    }
};

// `float32_graph`: every Resize input is float32; else (a float16 graph) ONNX type inference
// finds the Resize nodes whose input is float32 all the same. `uint8_convs`: float Conv nodes of
// a quantized tensor go to ai.mlrt ConvUint8 (where conv_uint8_vectorised(): elsewhere the
// kernel is correct but slower than ONNX Runtime's).
RewriteReport rewrite_for_cpu_kernels(onnx::ModelProto& model, bool float32_graph,
                                      bool uint8_convs = false);

// What the report means for a user, one line: "2 Resize node(s) on mlrt's separable kernel; ...".
std::string describe(const RewriteReport& report);

}  // namespace mlrt::detail::kernels
