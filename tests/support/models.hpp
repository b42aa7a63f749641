#pragma once
// ONNX models built in code for the tests: small, deterministic, with known behaviour.
#include <string>
#include <vector>

namespace mlrt::test {

// y = x, [1, C, H, W] with dynamic H/W (fixed H/W when given).
std::string identity_model(int channels, bool float16 = false, int fixed_h = 0, int fixed_w = 0);

// `layers` 3x3 convolutions (receptive field radius = layers) from in_ch to out_ch * scale^2
// channels with ReLU between, then DepthToSpace(scale). Deterministic weights from `seed`.
struct ConvStackSpec {
    int in_channels = 3;
    int out_channels = 3;
    int layers = 2;
    int hidden = 4;
    int scale = 1;
    unsigned seed = 1;
    int fixed_h = 0;  // 0: dynamic
    int fixed_w = 0;
    bool float16 = false;         // float16 weights and I/O
    bool space_to_depth = false;  // SpaceToDepth(2) front end: sizes must be even
    // The output is gain * stack + offset (+ the input, nearest-upscaled, when residual; needs
    // in_channels == out_channels): a gain spreads the stack's small output over [0, 1], a
    // residual keeps the output near the input with the stack's non-linear change added.
    float gain = 1.f;
    float offset = 0.f;
    bool residual = false;
    // Multiplies every layer's weights: about 6 keeps a 16-channel stack's signal from fading
    // layer by layer (at 1 a deep stack's output is little more than its biases).
    float weight_scale = 1.f;
};
std::string conv_stack_model(const ConvStackSpec& spec);

// A UNet: 3x3 convolutions down three stride-2 steps, ConvTranspose(2, stride 2) back up with
// Adds of the encoder's tensors, so it needs sizes that are multiples of 8 (DPIR's shape).
std::string unet_model(int in_channels, int out_channels, unsigned seed = 1);

// A frame interpolator on [A (planes), B (planes), t (1)]: its convolutions compute a flow from
// A and B, GridSample warps A by t * flow and B by -(1 - t) * flow, and the output blends them
// (1 - t) : t. Opset 16.
std::string interpolator_model(int planes, unsigned seed = 1);

// y = 2x computed window by window as Swin-style models do: Shape, Gather and Div give the
// window grid, Reshape and Transpose split the frame into `window`-sized windows and back. Its
// value_info and output shape are those of an export at export_size x export_size (stale at any
// other size), as exporters leave them. Sizes must be multiples of `window`.
std::string window_partition_model(int channels, int window, int export_size);

// Output channel k = input channel (k % in_channels): a flexible-output model.
std::string channel_split_model(int in_channels, int out_channels);

// Nearest-neighbour upscale by `scale` (Resize), for checking output geometry exactly.
std::string nearest_upscale_model(int channels, int scale);

// y = x + table[int(gain * max(x))] with a two-entry table: a frame whose gain * maximum
// reaches 2 makes ONNX Runtime fail (index out of bounds), for injecting run-time failures.
std::string poison_model(int channels, float gain = 1.f);

// Graphs that break the engine's contract, for the validation tests.
std::string two_input_model();
std::string two_output_model();
std::string rank3_model();
std::string int_input_model();
std::string batch2_model();
std::string bad_scale_model();  // output is input cropped by one row: not an integer scale

}  // namespace mlrt::test
