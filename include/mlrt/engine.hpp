#pragma once
// The engine runs one ONNX model over frames: it prepares the model for the frame geometry,
// holds `num_streams` ONNX Runtime sessions, splits frames into tiles and stitches the results.
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "mlrt/engine_options.hpp"
#include "mlrt/export.hpp"
#include "mlrt/frame.hpp"
#include "mlrt/model_source.hpp"
#include "mlrt/profile.hpp"
#include "mlrt/tiling.hpp"

namespace mlrt {

// The input frames the engine will be given: all clips share size and sample type.
struct InputFormat {
    int width = 0;
    int height = 0;
    SampleType type = SampleType::Float32;
    std::vector<int> planes_per_clip;  // one entry per clip
};

struct NodePlacement {
    std::string provider;  // ONNX Runtime's name: "WebGpuExecutionProvider", "CPUExecutionProvider"
    int nodes = 0;
    std::vector<std::pair<std::string, int>>
        op_types;  // op type and its count, most frequent first
};

struct ModelInfo {
    std::string input_name;
    std::string output_name;
    SampleType input_type = SampleType::Float32;   // as run (after any fp16 conversion)
    SampleType output_type = SampleType::Float32;  // as run
    int input_channels = 0;
    int output_channels = 0;
    int scale = 1;        // output size / input size
    int fixed_width = 0;  // 0 when the model's width is dynamic
    int fixed_height = 0;
    int size_multiple = 1;  // tile sizes are rounded up to this
    bool fp16_converted = false;
    bool int8_quantized = false;
    int int8_nodes = 0;  // nodes that run in int8

    // The device the sessions run on: "CPU", or the provider and its adapter
    // ("WebGPU: NVIDIA GeForce RTX 4070 (NVIDIA, Vulkan, discrete GPU, shader-f16)").
    std::string device = "CPU";
    // Where ONNX Runtime placed the graph's nodes, for GPU providers (empty on the CPU): one
    // entry per provider, the GPU's first. Nodes on the CPU beside a GPU provider are the ones the
    // GPU lacks a kernel for (or shape computations ONNX Runtime keeps on the CPU on purpose).
    std::vector<NodePlacement> placements;
    // On the CPU: which nodes run on mlrt's own kernels and which stay ONNX Runtime's, and why
    // (empty when the graph has none of the ops concerned).
    std::string kernels;
    // What the engine changed from what was asked, and why (e.g. float16 without shader-f16):
    // front ends show these to the user.
    std::vector<std::string> notes;
};

// "43 nodes on WebGpuExecutionProvider; 3 on CPUExecutionProvider: Shape x2, Gather"
MLRT_API std::string describe_placements(const std::vector<NodePlacement>& placements);

class MLRT_API Engine {
  public:
    Engine(const ModelSource& model, const InputFormat& input, const EngineOptions& options);
    ~Engine();
    Engine(Engine&&) noexcept;
    Engine& operator=(Engine&&) noexcept;
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    const ModelInfo& model_info() const noexcept;
    const TileLayout& layout() const noexcept;
    int output_width() const noexcept;
    int output_height() const noexcept;
    int output_planes() const noexcept;
    SampleType output_type() const noexcept;
    int num_streams() const noexcept;
    int intra_op_threads() const noexcept;

    // Runs one frame: `clips` in the InputFormat given at construction, `out` sized
    // output_width x output_height with output_planes planes of output_type.
    // Thread-safe: concurrent callers are served first come, first served by free streams.
    void run(std::span<const FrameView> clips, const MutableFrameView& out) const;
    Frame run(std::span<const FrameView> clips) const;
    // With EngineOptions::profile: ends the first stream's profiling and returns where its runs
    // spent their time (each tile is one run), leaving out the runs of its first
    // `warmup_frames` frames. Throws mlrt::Error(InvalidArgument) otherwise.
    Profile end_profile(int warmup_frames = 0) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace mlrt
